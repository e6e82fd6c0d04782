import { platformPrincipalArns, STACKSETS_EXECUTION_ROLES, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * Actions that create model capacity outside the catalog's system profiles: application inference profiles (which
 * can wrap a single-Region model and so bypass CRI), provisioned throughput, custom-model training, copy, import and
 * deployment, and Marketplace endpoints.
 */
export const MODEL_CAPACITY_ACTIONS = [
  'bedrock:CreateInferenceProfile',
  'bedrock:CreateProvisionedModelThroughput',
  'bedrock:UpdateProvisionedModelThroughput',
  'bedrock:CreateModelCustomizationJob',
  'bedrock:CreateModelCopyJob',
  'bedrock:CreateModelImportJob',
  'bedrock:CreateCustomModel',
  'bedrock:CreateCustomModelDeployment',
  'bedrock:UpdateCustomModelDeployment',
  'bedrock:CreateMarketplaceModelEndpoint',
  'bedrock:UpdateMarketplaceModelEndpoint',
  'bedrock:RegisterMarketplaceModelEndpoint',
] as const;

/**
 * The account-wide data retention mode (`default | none | provider_data_share | inherit`,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_PutAccountDataRetention.html): `provider_data_share`
 * would share the account's prompts with model providers, a decision for the platform, not a workload.
 */
export const DATA_RETENTION_ACTION = 'bedrock:PutAccountDataRetention';

/** The one model-capacity action the StackSets execution roles take: the tenants' application profiles (ADR 35). */
export const APPLICATION_PROFILE_ACTION = 'bedrock:CreateInferenceProfile';

/**
 * Deleting an application profile: a tenant's turn calls the profile its contract parameter names, so a workload that
 * deleted it would break the tenant and the cost attribution the profile carries. Whoever may create one may delete it.
 */
export const APPLICATION_PROFILE_DELETE_ACTION = 'bedrock:DeleteInferenceProfile';

/**
 * BR-AIP-1: provisioned throughput, custom models, Marketplace endpoints and the account's Bedrock data retention mode
 * only by the platform role; application inference profiles created and deleted only by the platform role and the service-managed
 * StackSets execution roles (`stacksets-exec-*`, which only the organization's service-managed StackSets use and nobody
 * else may create or change: ORG-TAMPER-BASELINE), which deploy each tenant's profiles (`stacksets/tenant-profiles/`). What
 * any of them may wrap is BR-CRI-2's (an approved geography's system profile).
 */
export function brAip1Statements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'BRAIP1DenyModelCapacityExceptPlatform',
    Effect: 'Deny',
    Action: [...MODEL_CAPACITY_ACTIONS.filter((a) => a !== APPLICATION_PROFILE_ACTION), DATA_RETENTION_ACTION],
    Resource: '*',
    Condition: unlessPrincipal(platformPrincipalArns(config)),
  }, {
    Sid: 'BRAIP1DenyApplicationProfilesExceptPlatform',
    Effect: 'Deny',
    Action: [APPLICATION_PROFILE_ACTION, APPLICATION_PROFILE_DELETE_ACTION],
    Resource: '*',
    Condition: unlessPrincipal([...platformPrincipalArns(config), STACKSETS_EXECUTION_ROLES]),
  }];
}
