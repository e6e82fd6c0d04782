"""Security Hub CSPM standards operations that moto 5.2.5 does not implement, added to its Security Hub backend.

moto's `securityhub` module covers the hub, findings, members and the organization administrator, but not standards
subscriptions, which the verifier reads (DET-SH-1: is the AI Security Best Practices standard enabled in an account
and Region?). This module adds BatchEnableStandards, GetEnabledStandards and BatchDisableStandards to moto's own backend
and response classes, on the REST paths and with the JSON shapes of the Security Hub API reference
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/): POST /standards/register, /standards/get and
/standards/deregister. What moto cannot know is not modelled: a subscription is READY at once (AWS passes through
PENDING while it sets the controls up), any standards ARN of the form `arn:<partition>:securityhub:<region>::standards/...`
or `...:::ruleset/...` is accepted, and a disabled subscription is removed at once (AWS answers DELETING first).
Calls in an account and Region without an enabled hub get InvalidAccessException, as Security Hub answers them.
"""

import json
import re
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.securityhub import urls
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

STANDARDS_ARN = re.compile(r"^arn:aws[\w-]*:securityhub:([a-z0-9-]*)::(standards|ruleset)/(.+)$")


class InvalidAccessException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidAccessException", message)
        self.code = 401


class InvalidInputException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidInputException", message)
        self.code = 400


def _subscriptions(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
    if not getattr(backend, "enabled", False):
        raise InvalidAccessException(f"Account {backend.account_id} is not subscribed to AWS Security Hub in {backend.region_name}")
    if not hasattr(backend, "ext_subscriptions"):
        backend.ext_subscriptions = {}
    return backend.ext_subscriptions


def batch_enable_standards(self: SecurityHubResponse) -> str:
    requests = self._get_param("StandardsSubscriptionRequests") or []
    if not requests:
        raise InvalidInputException("StandardsSubscriptionRequests must name at least one standard")
    backend = self.securityhub_backend
    subscriptions = _subscriptions(backend)
    answered = []
    for request in requests:
        match = STANDARDS_ARN.match(str(request.get("StandardsArn", "")))
        if not match:
            raise InvalidInputException(f"StandardsArn {request.get('StandardsArn')!r} is not a standards ARN")
        arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:subscription/{match.group(3)}"
        subscriptions[arn] = {
            "StandardsSubscriptionArn": arn,
            "StandardsArn": request["StandardsArn"],
            "StandardsInput": request.get("StandardsInput") or {},
            "StandardsStatus": "READY",
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        }
        answered.append(subscriptions[arn])
    return json.dumps({"StandardsSubscriptions": answered})


def get_enabled_standards(self: SecurityHubResponse) -> str:
    wanted = self._get_param("StandardsSubscriptionArns")
    subscriptions = _subscriptions(self.securityhub_backend)
    listed = [s for arn, s in subscriptions.items() if not wanted or arn in wanted]
    return json.dumps({"StandardsSubscriptions": listed})


def batch_disable_standards(self: SecurityHubResponse) -> str:
    arns = self._get_param("StandardsSubscriptionArns") or []
    if not arns:
        raise InvalidInputException("StandardsSubscriptionArns must name at least one subscription")
    subscriptions = _subscriptions(self.securityhub_backend)
    answered = []
    for arn in arns:
        if arn not in subscriptions:
            raise InvalidInputException(f"no standards subscription {arn}")
        answered.append({**subscriptions.pop(arn), "StandardsStatus": "DELETING"})
    return json.dumps({"StandardsSubscriptions": answered})


def install() -> None:
    """Adds the operations to moto's Security Hub response class and their paths to its URL table."""
    for operation in (batch_enable_standards, get_enabled_standards, batch_disable_standards):
        setattr(SecurityHubResponse, operation.__name__, operation)
    urls.url_paths.update({
        "{0}/standards/register$": SecurityHubResponse.dispatch,
        "{0}/standards/get$": SecurityHubResponse.dispatch,
        "{0}/standards/deregister$": SecurityHubResponse.dispatch,
    })
