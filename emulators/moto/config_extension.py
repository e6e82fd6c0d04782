"""AWS Config resource types that moto 5.2.5 does not know, added to the list it validates recorders against.

moto checks a recorder's `recordingGroup.resourceTypes` against the `ResourceType` enum of its bundled botocore's Config
model, which predates the Amazon Bedrock and Bedrock AgentCore types AWS has since added to the API. This module lets
PutConfigurationRecorder accept those types too (the ones the current AWS SDK for JavaScript's Config model lists, as
the member baseline's recorder names them); every other validation of moto's stays as it is.
"""

from typing import Any

from moto.config.models import ConfigBackend

ADDED_RESOURCE_TYPES = frozenset({
    "AWS::Bedrock::ApplicationInferenceProfile",
    "AWS::Bedrock::Guardrail",
    "AWS::Bedrock::KnowledgeBase",
    "AWS::Bedrock::Prompt",
    "AWS::BedrockAgentCore::BrowserCustom",
    "AWS::BedrockAgentCore::Runtime",
})

_original_validate = ConfigBackend._validate_resource_types


def _validate_resource_types(self: ConfigBackend, resource_list: list[str], *args: Any, **kwargs: Any) -> None:
    _original_validate(self, [r for r in resource_list if r not in ADDED_RESOURCE_TYPES], *args, **kwargs)


def install() -> None:
    ConfigBackend._validate_resource_types = _validate_resource_types
