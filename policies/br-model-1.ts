import { foundationModelArn } from './arns';
import { BATCH_ACTION, BATCH_NON_FOUNDATION_MODEL_RESOURCES, INVOKE_ACTIONS, NON_FOUNDATION_MODEL_RESOURCES } from './bedrock-resources';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * BR-MODEL-1: only approved models, on every path. Direct calls, geographic and global profiles and batch jobs all
 * authorize the foundation model itself (the global path against `arn:aws:bedrock:::foundation-model/<id>`), so a Deny
 * on every foundation model except the approved ones, in any Region, covers them all. Other resource types are left to
 * their own controls (BR-CRI-2, BR-AIP-1).
 */
export function brModel1Statements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'BRMODEL1DenyUnapprovedModels',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS, BATCH_ACTION],
    NotResource: [
      ...Object.values(NON_FOUNDATION_MODEL_RESOURCES),
      ...Object.values(BATCH_NON_FOUNDATION_MODEL_RESOURCES),
      ...config.bedrock.approvedModels.map((m) => foundationModelArn('*', m.modelId)),
    ],
  }];
}
