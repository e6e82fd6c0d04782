import { bedrockResourcePattern, foundationModelArn } from './arns';
import { ANY_FOUNDATION_MODEL, BATCH_ACTION, INVOKE_ACTIONS } from './bedrock-resources';
import { criDestinationRegions } from './org-region-1';
import type { PolicyStatement } from './policy-document';
import { GLOBAL_PROFILE_PREFIX } from '../catalog/geographies';
import type { GovernanceConfig } from '../config/schema';

/** Every application inference profile, in any Region and account. */
export const ANY_APPLICATION_PROFILE = bedrockResourcePattern('application-inference-profile/*');

/** The inference-profile ARN patterns a config allows: its geographies' system profiles, `global.` if allowed. */
export function allowedProfilePatterns(config: GovernanceConfig): string[] {
  return [
    ...geographyProfilePatterns(config),
    ...(config.bedrock.globalInference === 'allow' ? [bedrockResourcePattern(`inference-profile/${GLOBAL_PROFILE_PREFIX}.*`)] : []),
  ];
}

/** The approved geographies' system profiles only (`inference-profile/eu.*`): what an application profile may wrap. */
export function geographyProfilePatterns(config: GovernanceConfig): string[] {
  return config.bedrock.geographies.map((g) => bedrockResourcePattern(`inference-profile/${g}.*`));
}

/**
 * The Regions an application profile's foundation-model evaluations may name: the governed Regions and the
 * destinations of the approved models' profiles in the approved geographies (ORG-REGION-1's inference Regions).
 */
export function applicationProfileRegions(config: GovernanceConfig): string[] {
  return [...new Set([...config.organization.governedRegions, ...criDestinationRegions(config)])].sort();
}

/**
 * BR-CRI-2: only the approved geographies' system-defined profiles (and `global.` ones only when the config allows
 * them). Every CRI call authorizes the foundation model with `bedrock:InferenceProfileArn` set to the profile, so a
 * Deny on foundation models whose profile is of any other geography stops the call wherever it is routed.
 *
 * An application inference profile carries its own ARN in that key, never the system profile it wraps, so the key
 * cannot tell one wrapping `eu.` from one wrapping `us.`. Two statements close that:
 * - at invocation, the foundation-model evaluations through an application profile are denied in any Region but the
 *   governed Regions and the approved profiles' destinations: AWS authorizes the model in each Region the profile
 *   routes to (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html), and that Region is
 *   in the model's ARN, so a profile wrapping a `us.`, `apac.` or `global.` profile (the Region-less global model ARN)
 *   is denied wherever it is served. Profile evaluations never carry the key, so they are untouched;
 * - at creation, for every principal (the platform too), `CreateInferenceProfile` on a system profile other than the
 *   approved geographies' (the `copyFrom` source is one of the resources the action is authorized against,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html).
 * An application profile wrapping a foundation model directly (single-Region, no CRI) is not distinguishable at
 * invocation; only the platform may create one (BR-AIP-1), and the platform's construct wraps approved system profiles
 * only. Unapproved models wrapped in any profile are BR-MODEL-1's.
 */
export function brCri2Statements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'BRCRI2DenyProfilesOutsideGeography',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS, BATCH_ACTION],
    Resource: ANY_FOUNDATION_MODEL,
    Condition: {
      Null: { 'bedrock:InferenceProfileArn': 'false' },
      ArnNotLike: { 'bedrock:InferenceProfileArn': [...allowedProfilePatterns(config), ANY_APPLICATION_PROFILE] },
    },
  }, {
    Sid: 'BRCRI2DenyApplicationProfilesOutsideGeography',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS],
    NotResource: [...applicationProfileRegions(config).map((r) => foundationModelArn(r, '*')), ANY_APPLICATION_PROFILE, ...geographyProfilePatterns(config)],
    Condition: { ArnLike: { 'bedrock:InferenceProfileArn': ANY_APPLICATION_PROFILE } },
  }, {
    Sid: 'BRCRI2DenyApplicationProfilesFromOtherProfiles',
    Effect: 'Deny',
    Action: 'bedrock:CreateInferenceProfile',
    NotResource: [ANY_APPLICATION_PROFILE, ANY_FOUNDATION_MODEL, ...geographyProfilePatterns(config)],
  }];
}
