"""Bedrock guardrails and the Organizations Bedrock policy type, which moto 5.2.5 does not implement.

The verifier reads BR-GR-1 as the management account holds it: the Organizations policy of type BEDROCK_POLICY that
names `<guardrail ARN>:<version>` per Region, and that guardrail version. moto's `bedrock` module routes every path to
its response class but has no guardrail operations, and its Organizations model refuses the BEDROCK_POLICY type. This
module adds, on the REST paths and with the JSON shapes of the Bedrock API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/): CreateGuardrail (POST /guardrails), CreateGuardrailVersion
(POST /guardrails/{id}), GetGuardrail (GET /guardrails/{id}?guardrailVersion=) and ListGuardrails (GET /guardrails),
and lets Organizations create, list, attach and describe BEDROCK_POLICY policies (content stored, not checked).

What moto cannot know is not modelled: a guardrail and each version are READY at once (Bedrock passes through
CREATING and VERSIONING), the content is stored as given (no check of filter strengths, PII types or tiers), no KMS
key, tags or cross-Region profile. Rules kept: a name is unique per account and Region (ConflictException), name and
both blocked messages are required (ValidationException), versions are numbered 1, 2, … as snapshots of the DRAFT,
an unknown guardrail or version is ResourceNotFoundException (404); the identifier is the id or the ARN.
"""

import json
from typing import Any
from urllib.parse import unquote

from moto.bedrock.responses import BedrockResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.organizations import models as organizations_models
from moto.organizations import utils as organizations_utils


class ResourceNotFoundException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)
        self.code = 404


class ValidationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)
        self.code = 400


class ConflictException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)
        self.code = 409


def _now() -> str:
    return utcnow().isoformat() + "Z"


def _guardrails(self: BedrockResponse) -> dict[str, dict[str, Any]]:
    backend = self.bedrock_backend
    if not hasattr(backend, "ext_guardrails"):
        backend.ext_guardrails = {}
    return backend.ext_guardrails


def _identifier(self: BedrockResponse) -> str:
    # /guardrails/{guardrailIdentifier}: an id or an ARN (URL-encoded by the SDK).
    return unquote(self.path.split("?")[0].split("/guardrails/", 1)[1]).rstrip("/")


def _find(self: BedrockResponse, identifier: str) -> dict[str, Any]:
    for guardrail in _guardrails(self).values():
        if identifier in (guardrail["guardrailId"], guardrail["guardrailArn"]):
            return guardrail
    raise ResourceNotFoundException(f"guardrail {identifier} does not exist")


def create_guardrail(self: BedrockResponse) -> Any:
    body = json.loads(self.body or "{}")
    for required in ("name", "blockedInputMessaging", "blockedOutputsMessaging"):
        if not body.get(required):
            raise ValidationException(f"{required} is required")
    if any(g["name"] == body["name"] for g in _guardrails(self).values()):
        raise ConflictException(f"a guardrail named {body['name']} already exists")
    backend = self.bedrock_backend
    guardrail_id = mock_random.get_random_string(length=12, lower_case=True)
    now = _now()
    guardrail = {
        "guardrailId": guardrail_id,
        "guardrailArn": f"arn:aws:bedrock:{backend.region_name}:{backend.account_id}:guardrail/{guardrail_id}",
        "name": body["name"],
        "createdAt": now,
        "draft": {k: v for k, v in body.items() if k not in ("tags", "clientRequestToken", "kmsKeyId")},
        "draftUpdatedAt": now,
        "versions": {},
    }
    _guardrails(self)[guardrail_id] = guardrail
    return 202, {}, json.dumps({"guardrailId": guardrail_id, "guardrailArn": guardrail["guardrailArn"], "version": "DRAFT", "createdAt": now})


def create_guardrail_version(self: BedrockResponse) -> Any:
    guardrail = _find(self, _identifier(self))
    body = json.loads(self.body or "{}")
    version = str(len(guardrail["versions"]) + 1)
    guardrail["versions"][version] = {
        **guardrail["draft"],
        **({"description": body["description"]} if "description" in body else {}),
        "updatedAt": _now(),
    }
    return 202, {}, json.dumps({"guardrailId": guardrail["guardrailId"], "version": version})


def _policies(config: dict[str, Any]) -> dict[str, Any]:
    # The *Config request shapes as GetGuardrail answers them (filtersConfig → filters, piiEntitiesConfig → piiEntities…).
    out: dict[str, Any] = {}
    content = config.get("contentPolicyConfig")
    if content:
        out["contentPolicy"] = {"filters": content.get("filtersConfig", [])}
    sensitive = config.get("sensitiveInformationPolicyConfig")
    if sensitive:
        out["sensitiveInformationPolicy"] = {"piiEntities": sensitive.get("piiEntitiesConfig", []), "regexes": sensitive.get("regexesConfig", [])}
    topics = config.get("topicPolicyConfig")
    if topics:
        out["topicPolicy"] = {"topics": topics.get("topicsConfig", [])}
    words = config.get("wordPolicyConfig")
    if words:
        out["wordPolicy"] = {"words": words.get("wordsConfig", []), "managedWordLists": words.get("managedWordListsConfig", [])}
    grounding = config.get("contextualGroundingPolicyConfig")
    if grounding:
        out["contextualGroundingPolicy"] = {"filters": grounding.get("filtersConfig", [])}
    return out


def get_guardrail(self: BedrockResponse) -> str:
    guardrail = _find(self, _identifier(self))
    version = self._get_param("guardrailVersion") or self.querystring.get("guardrailVersion", ["DRAFT"])[0]
    if version == "DRAFT":
        config, updated = guardrail["draft"], guardrail["draftUpdatedAt"]
    elif version in guardrail["versions"]:
        config = guardrail["versions"][version]
        updated = config["updatedAt"]
    else:
        raise ResourceNotFoundException(f"guardrail {guardrail['guardrailId']} has no version {version}")
    return json.dumps({
        "name": guardrail["name"],
        **({"description": config["description"]} if "description" in config else {}),
        "guardrailId": guardrail["guardrailId"],
        "guardrailArn": guardrail["guardrailArn"],
        "version": version,
        "status": "READY",
        **_policies(config),
        "createdAt": guardrail["createdAt"],
        "updatedAt": updated,
        "blockedInputMessaging": config["blockedInputMessaging"],
        "blockedOutputsMessaging": config["blockedOutputsMessaging"],
    })


def list_guardrails(self: BedrockResponse) -> str:
    identifier = self.querystring.get("guardrailIdentifier", [None])[0]

    def summary(guardrail: dict[str, Any], version: str, config: dict[str, Any], updated: str) -> dict[str, Any]:
        return {
            "id": guardrail["guardrailId"], "arn": guardrail["guardrailArn"], "status": "READY", "name": guardrail["name"],
            **({"description": config["description"]} if "description" in config else {}),
            "version": version, "createdAt": guardrail["createdAt"], "updatedAt": updated,
        }

    if identifier:
        guardrail = _find(self, unquote(identifier))
        items = [summary(guardrail, "DRAFT", guardrail["draft"], guardrail["draftUpdatedAt"])]
        items += [summary(guardrail, v, c, c["updatedAt"]) for v, c in guardrail["versions"].items()]
    else:
        items = [summary(g, "DRAFT", g["draft"], g["draftUpdatedAt"]) for g in _guardrails(self).values()]
    return json.dumps({"guardrails": items})


def _allow_bedrock_policy() -> None:
    for cls in (organizations_models.FakePolicy, organizations_models.FakeRoot):
        if "BEDROCK_POLICY" not in cls.SUPPORTED_POLICY_TYPES:
            cls.SUPPORTED_POLICY_TYPES = [*cls.SUPPORTED_POLICY_TYPES, "BEDROCK_POLICY"]
    original_init = organizations_models.FakePolicy.__init__

    def init(self: Any, organization: Any, **kwargs: Any) -> None:
        if kwargs.get("Type") != "BEDROCK_POLICY":
            original_init(self, organization, **kwargs)
            return
        # Built as a tag policy (the same kind of management policy), then typed and named as a Bedrock policy.
        original_init(self, organization, **{**kwargs, "Type": "TAG_POLICY"})
        self.type = "BEDROCK_POLICY"
        self._arn_format = organizations_utils.TAG_POLICY_ARN_FORMAT.replace("tag_policy", "bedrock_policy")

    organizations_models.FakePolicy.__init__ = init


def install() -> None:
    """Adds the guardrail operations to moto's Bedrock response class (its URL table routes every path there)."""
    for operation in (create_guardrail, create_guardrail_version, get_guardrail, list_guardrails):
        setattr(BedrockResponse, operation.__name__, operation)
    _allow_bedrock_policy()
