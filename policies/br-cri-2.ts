import { bedrockResourcePattern } from './arns';
import { ANY_FOUNDATION_MODEL, BATCH_ACTION, INVOKE_ACTIONS } from './bedrock-resources';
import type { PolicyStatement } from './policy-document';
import { GLOBAL_PROFILE_PREFIX } from '../catalog/geographies';
import type { GovernanceConfig } from '../config/schema';

/** The inference-profile ARN patterns a config allows: its geographies' system profiles, `global.` if allowed. */
export function allowedProfilePatterns(config: GovernanceConfig): string[] {
  return [
    ...config.bedrock.geographies.map((g) => bedrockResourcePattern(`inference-profile/${g}.*`)),
    ...(config.bedrock.globalInference === 'allow' ? [bedrockResourcePattern(`inference-profile/${GLOBAL_PROFILE_PREFIX}.*`)] : []),
  ];
}

/**
 * BR-CRI-2: only the approved geographies' system-defined profiles (and `global.` ones only when the config allows
 * them). Every CRI call authorizes the foundation model with `bedrock:InferenceProfileArn` set to the profile, so a
 * Deny on foundation models whose profile is of any other geography stops the call wherever it is routed. Application
 * inference profiles pass here; who may create them is BR-AIP-1.
 */
export function brCri2Statements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'BRCRI2DenyProfilesOutsideGeography',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS, BATCH_ACTION],
    Resource: ANY_FOUNDATION_MODEL,
    Condition: {
      Null: { 'bedrock:InferenceProfileArn': 'false' },
      ArnNotLike: { 'bedrock:InferenceProfileArn': [...allowedProfilePatterns(config), bedrockResourcePattern('application-inference-profile/*')] },
    },
  }];
}
