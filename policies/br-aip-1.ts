import { platformPrincipalArns, unlessPrincipal } from './governance-principals';
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

/**
 * BR-AIP-1: application inference profiles, provisioned throughput, custom models, Marketplace endpoints and the
 * account's Bedrock data retention mode only by the platform role.
 */
export function brAip1Statements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'BRAIP1DenyModelCapacityExceptPlatform',
    Effect: 'Deny',
    Action: [...MODEL_CAPACITY_ACTIONS, DATA_RETENTION_ACTION],
    Resource: '*',
    Condition: unlessPrincipal(platformPrincipalArns(config)),
  }];
}
