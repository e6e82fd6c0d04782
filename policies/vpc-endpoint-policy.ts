import { approvedInference } from './approved-inference';
import { INVOKE_ACTIONS } from './bedrock-resources';
import type { PolicyDocument } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * BL-VPCE-1: the policy of the `bedrock-runtime` interface endpoint in a member account and Region. Only principals of
 * the organization, and only inference on the approved models' profiles of the approved geographies, the foundation
 * models behind them, the account's own application inference profiles (which only the platform makes, over an approved
 * geography's profile: ADR 35) and the in-Region exceptions; plus applying the management account's guardrails (needed
 * by enforcement). `account` is the member account (`${AWS::AccountId}` in the member template).
 */
export function runtimeEndpointPolicy(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyDocument {
  const { profileArns, modelArns, exceptionArns } = approvedInference(config, account);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrganizationInvokesApprovedModels',
        Effect: 'Allow',
        Principal: '*',
        Action: [...INVOKE_ACTIONS],
        Resource: [...profileArns, `arn:aws:bedrock:*:${account}:application-inference-profile/*`, ...modelArns, ...exceptionArns],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } },
      },
      {
        Sid: 'OrganizationAppliesGuardrails',
        Effect: 'Allow',
        Principal: '*',
        Action: 'bedrock:ApplyGuardrail',
        Resource: [`arn:aws:bedrock:*:${guardrailAccount}:guardrail/*`, `arn:aws:bedrock:*:${account}:guardrail/*`],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } },
      },
    ],
  };
}

/** BL-VPCE-1: the policy of the other Bedrock endpoints: any Bedrock call, by principals of the organization only. */
export function organizationOnlyEndpointPolicy(config: GovernanceConfig, servicePrefix: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'OrganizationOnly',
      Effect: 'Allow',
      Principal: '*',
      Action: `${servicePrefix}:*`,
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } },
    }],
  };
}
