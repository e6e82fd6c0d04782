import type { PolicyStatement } from './policy-document';

/**
 * BR-KEY-1: no long-term Bedrock API keys. Creating one is `iam:CreateServiceSpecificCredential` for
 * `bedrock.amazonaws.com`; using one is `CallWithBearerToken` (Bedrock and Bedrock Mantle) with a bearer token type
 * other than short-term. The use statement is written as "not SHORT_TERM" so that it also denies when the key is
 * absent or spelt otherwise (`bedrock:bearerTokenType`, https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-permissions.html):
 * only the documented short-term value passes.
 */
export function brKey1Statements(): PolicyStatement[] {
  return [
    {
      Sid: 'BRKEY1DenyCreatingBedrockApiKeys',
      Effect: 'Deny',
      Action: 'iam:CreateServiceSpecificCredential',
      Resource: '*',
      Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': ['bedrock.amazonaws.com', 'bedrock-mantle.amazonaws.com'] } },
    },
    {
      Sid: 'BRKEY1DenyLongTermBedrockKeys',
      Effect: 'Deny',
      Action: 'bedrock:CallWithBearerToken',
      Resource: '*',
      Condition: { StringNotEquals: { 'bedrock:BearerTokenType': 'SHORT_TERM' } },
    },
    {
      Sid: 'BRKEY1DenyLongTermMantleKeys',
      Effect: 'Deny',
      Action: 'bedrock-mantle:CallWithBearerToken',
      Resource: '*',
      Condition: { StringNotEquals: { 'bedrock-mantle:BearerTokenType': 'SHORT_TERM' } },
    },
  ];
}
