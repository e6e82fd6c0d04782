"""Macie operations that moto 5.2.5 does not implement, added to its Macie backend for the handler tests.

moto's `macie2` module covers sessions, invitations, members by invitation and the organization admin account, but
not the organization configuration, automated sensitive-data discovery, CreateMember or classification jobs, which
MAC-1's audit-account handlers call. This module adds them to moto's own backend and response classes, so the handlers
talk to one moto server over HTTP exactly as to Macie: same REST paths, same JSON shapes, same error types (from the
Macie API reference, https://docs.aws.amazon.com/macie/latest/APIReference/). What moto cannot know (whether Macie
would accept an account's email, how long a job runs) is not modelled; the rules below are.

- Only the organization's delegated Macie administrator (the account some management account registered with
  EnableOrganizationAdminAccount in this Region) may call UpdateOrganizationConfiguration, CreateMember and
  UpdateAutomatedDiscoveryConfiguration; anyone else gets AccessDeniedException (403).
- CreateMember needs accountId and email (ValidationException otherwise); an account of the caller's organization
  becomes an Enabled member at once (Macie enables it), any other account a Created (invited) one.
- CreateClassificationJob validates the required members and enums, is idempotent by clientToken (the same token
  returns the same job), and refuses buckets of accounts that are neither the caller nor its Enabled members.
- UpdateClassificationJob accepts CANCELLED (final), USER_PAUSED and RUNNING; changing a CANCELLED job is a
  ValidationException; an unknown job is ResourceNotFoundException (404).
"""

import json
from types import SimpleNamespace
from typing import Any

from moto.core.utils import utcnow
from moto.macie2 import urls
from moto.macie2.exceptions import AccessDeniedException, ResourceNotFoundException, ValidationException
from moto.macie2.models import Invitation, MacieBackend, Member, macie2_backends
from moto.macie2.responses import MacieResponse
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends

def _now() -> str:
    """RFC 3339 in UTC, as Macie writes timestamps (moto's utcnow is naive)."""
    return utcnow().isoformat() + "Z"


def _member_json(member: Member) -> dict[str, Any]:
    # moto's Member.to_json writes naive ISO timestamps, which the AWS SDKs reject as RFC 3339; Macie sends them with
    # an offset.
    data = _original_member_json(member)
    for key in ("invitedAt", "updatedAt"):
        if isinstance(data.get(key), str) and not data[key].endswith("Z") and "+" not in data[key]:
            data[key] += "Z"
    return data


_original_member_json = Member.to_json


def _invitation_json(invitation: Invitation) -> dict[str, Any]:
    # The same naive timestamp in moto's Invitation.to_json (ListInvitations).
    data = _original_invitation_json(invitation)
    if isinstance(data.get("invitedAt"), str) and not data["invitedAt"].endswith("Z") and "+" not in data["invitedAt"]:
        data["invitedAt"] += "Z"
    return data


_original_invitation_json = Invitation.to_json

SCHEDULES = {"dailySchedule", "weeklySchedule", "monthlySchedule"}
SELECTORS = {"ALL", "EXCLUDE", "INCLUDE", "NONE", "RECOMMENDED"}


def _state(backend: MacieBackend) -> dict[str, Any]:
    if not hasattr(backend, "ext_state"):
        backend.ext_state = {
            "organization": {"autoEnable": False, "maxAccountLimitReached": False},
            "discovery": {"status": "DISABLED", "autoEnableOrganizationMembers": "NONE"},
            "jobs": {},
            "tokens": {},
        }
    return backend.ext_state


def _require_admin(backend: MacieBackend) -> None:
    for account_backends in macie2_backends.values():
        other = account_backends.get(backend.region_name)
        if other and other.organization_admin_account_id == backend.account_id:
            return
    raise AccessDeniedException(f"account {backend.account_id} is not the delegated Macie administrator of an organization in {backend.region_name}")


def _organization_account_ids(account_id: str) -> set[str]:
    try:
        org = organizations_backends[account_id]["aws"]
        return {a["Id"] for a in org.list_accounts()[0]} if org.org else set()
    except Exception:  # no organization in this account's moto state
        return set()


def update_organization_configuration(self: MacieResponse) -> str:
    auto_enable = self._get_param("autoEnable")
    if not isinstance(auto_enable, bool):
        raise ValidationException("autoEnable is required and must be a boolean")
    _require_admin(self.macie_backend)
    _state(self.macie_backend)["organization"]["autoEnable"] = auto_enable
    return "{}"


def describe_organization_configuration(self: MacieResponse) -> str:
    _require_admin(self.macie_backend)
    return json.dumps(_state(self.macie_backend)["organization"])


def create_member(self: MacieResponse) -> str:
    account = self._get_param("account") or {}
    if not account.get("accountId") or not account.get("email"):
        raise ValidationException("account.accountId and account.email are required")
    backend = self.macie_backend
    _require_admin(backend)
    member = Member(account["accountId"], backend.region_name, backend.account_id, SimpleNamespace(invited_at=utcnow()))
    if account["accountId"] not in _organization_account_ids(backend.account_id):
        member.relationship_status = "Created"
    backend.members[account["accountId"]] = member
    return json.dumps({"arn": member.arn})


def update_automated_discovery_configuration(self: MacieResponse) -> str:
    status = self._get_param("status")
    members = self._get_param("autoEnableOrganizationMembers")
    if status not in ("ENABLED", "DISABLED"):
        raise ValidationException(f"status must be ENABLED or DISABLED, found {status!r}")
    if members is not None and members not in ("ALL", "NEW", "NONE"):
        raise ValidationException(f"autoEnableOrganizationMembers must be ALL, NEW or NONE, found {members!r}")
    if members is not None:
        _require_admin(self.macie_backend)
    discovery = _state(self.macie_backend)["discovery"]
    discovery.update({"status": status, "lastUpdatedAt": _now()})
    if members is not None:
        discovery["autoEnableOrganizationMembers"] = members
    return "{}"


def get_automated_discovery_configuration(self: MacieResponse) -> str:
    return json.dumps(_state(self.macie_backend)["discovery"])


def create_classification_job(self: MacieResponse) -> str:
    body = json.loads(self.body or "{}")
    for required in ("clientToken", "jobType", "name", "s3JobDefinition"):
        if not body.get(required):
            raise ValidationException(f"{required} is required")
    if body["jobType"] not in ("ONE_TIME", "SCHEDULED"):
        raise ValidationException(f"jobType must be ONE_TIME or SCHEDULED, found {body['jobType']!r}")
    schedule = body.get("scheduleFrequency") or {}
    if body["jobType"] == "SCHEDULED" and len(SCHEDULES & set(schedule)) != 1:
        raise ValidationException("a SCHEDULED job needs exactly one of dailySchedule, weeklySchedule, monthlySchedule")
    sampling = body.get("samplingPercentage", 100)
    if not isinstance(sampling, int) or not 1 <= sampling <= 100:
        raise ValidationException(f"samplingPercentage must be 1-100, found {sampling!r}")
    if body.get("managedDataIdentifierSelector", "RECOMMENDED") not in SELECTORS:
        raise ValidationException(f"managedDataIdentifierSelector must be one of {sorted(SELECTORS)}")
    backend = self.macie_backend
    state = _state(backend)
    if body["clientToken"] in state["tokens"]:
        job = state["jobs"][state["tokens"][body["clientToken"]]]
        return json.dumps({"jobId": job["jobId"], "jobArn": job["jobArn"]})
    for definition in body["s3JobDefinition"].get("bucketDefinitions", []):
        owner = definition.get("accountId")
        member = backend.members.get(owner)
        if owner != backend.account_id and (member is None or member.relationship_status != "Enabled"):
            raise ValidationException(f"account {owner} is not a Macie member of {backend.account_id}: its buckets cannot be analysed")
    job_id = mock_random.get_random_hex(32)
    job = {
        **{k: v for k, v in body.items() if k != "clientToken"},
        "jobId": job_id,
        "jobArn": f"arn:aws:macie2:{backend.region_name}:{backend.account_id}:classification-job/{job_id}",
        "jobStatus": "RUNNING" if body["jobType"] == "ONE_TIME" or body.get("initialRun") else "IDLE",
        "createdAt": _now(),
        "clientToken": body["clientToken"],
    }
    state["jobs"][job_id] = job
    state["tokens"][body["clientToken"]] = job_id
    return json.dumps({"jobId": job_id, "jobArn": job["jobArn"]})


def _job(self: MacieResponse) -> dict[str, Any]:
    job_id = self.path.rstrip("/").split("/")[-1]
    job = _state(self.macie_backend)["jobs"].get(job_id)
    if job is None:
        raise ResourceNotFoundException(f"classification job {job_id} does not exist")
    return job


def describe_classification_job(self: MacieResponse) -> str:
    return json.dumps(_job(self))


def update_classification_job(self: MacieResponse) -> str:
    job = _job(self)
    status = self._get_param("jobStatus")
    if status not in ("CANCELLED", "USER_PAUSED", "RUNNING"):
        raise ValidationException(f"jobStatus must be CANCELLED, USER_PAUSED or RUNNING, found {status!r}")
    if job["jobStatus"] == "CANCELLED":
        raise ValidationException(f"job {job['jobId']} is cancelled; a cancelled job cannot be changed")
    job["jobStatus"] = status
    return "{}"


def list_classification_jobs(self: MacieResponse) -> str:
    jobs = _state(self.macie_backend)["jobs"].values()
    return json.dumps({"items": [{k: j[k] for k in ("jobId", "jobStatus", "jobType", "name", "createdAt")} for j in jobs]})


def install() -> None:
    """Adds the operations to moto's Macie response class and their paths to its URL table (before the server starts)."""
    for operation in (
        update_organization_configuration, describe_organization_configuration, create_member,
        update_automated_discovery_configuration, get_automated_discovery_configuration, create_classification_job,
        describe_classification_job, update_classification_job, list_classification_jobs,
    ):
        setattr(MacieResponse, operation.__name__, operation)
    Member.to_json = _member_json
    Invitation.to_json = _invitation_json
    urls.url_paths.update({
        "{0}/admin/configuration$": MacieResponse.dispatch,
        "{0}/automated-discovery/configuration$": MacieResponse.dispatch,
        "{0}/jobs$": MacieResponse.dispatch,
        "{0}/jobs/list$": MacieResponse.dispatch,
        "{0}/jobs/(?P<id>[^/]+)$": MacieResponse.dispatch,
    })
