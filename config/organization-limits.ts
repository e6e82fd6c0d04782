import { z } from 'zod';

/**
 * The AWS Organizations quotas the product packs and checks its policies against: `organization.limits` in the config.
 *
 * Sources (each figure is AWS's default; none of these quotas can be raised through Service Quotas):
 * - SCPs: 10,240 characters per policy and 10 attached per root, OU or account since 2026-05-15, applied to every
 *   organization automatically (AWS What's New, May 2026, "AWS Organizations increased SCP quotas"); 5,120 and 5 before.
 *   Quotas page: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * - RCPs: 5,120 characters and 5 per target, as that quotas page gives them; the May 2026 increase named SCPs only.
 * - Bedrock policies (`BEDROCK_POLICY`): 10,000 characters, the `Content` limit of the management policy types in
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-organizations-policy.html; 10 per target
 *   is the figure of the other management policy types (backup, tag policies), assumed (docs/assumptions.md).
 *
 * SCP and RCP slots count the policy AWS keeps attached everywhere (`FullAWSAccess`, `RCPFullAWSAccess`); the reserves
 * keep slots for policies attached outside this tool (AWS Control Tower attaches its own SCPs and RCPs).
 */

/** The figures a profile sets. */
export interface OrganizationQuotas {
  /** Characters of one SCP document, minified. */
  readonly scpCharacters: number;
  /** SCPs attached directly to one root, OU or account, `FullAWSAccess` included. */
  readonly scpsPerTarget: number;
  /** Characters of one RCP document, minified. */
  readonly rcpCharacters: number;
  /** RCPs attached directly to one root, OU or account, `RCPFullAWSAccess` included. */
  readonly rcpsPerTarget: number;
  /** Characters of one Bedrock policy document. */
  readonly bedrockPolicyCharacters: number;
  /** Bedrock policies attached directly to one root, OU or account. */
  readonly bedrockPoliciesPerTarget: number;
}

/** The resolved `organization.limits`: a profile's figures with the config's overrides, and the reserves. */
export interface OrganizationLimits extends OrganizationQuotas {
  readonly profile: LimitProfile;
  /** SCP slots per target kept for SCPs attached outside this tool. */
  readonly reservedScpSlots: number;
  /** RCP slots per target kept for RCPs attached outside this tool. */
  readonly reservedRcpSlots: number;
}

export const LIMIT_PROFILES = ['aws-defaults', 'pre-2026-05'] as const;
export type LimitProfile = (typeof LIMIT_PROFILES)[number];

/** AWS's defaults as of 2026-05-15 (sources above). */
const AWS_DEFAULTS: OrganizationQuotas = {
  scpCharacters: 10240,
  scpsPerTarget: 10,
  rcpCharacters: 5120,
  rcpsPerTarget: 5,
  bedrockPolicyCharacters: 10000,
  bedrockPoliciesPerTarget: 10,
};

/** The figures of each profile: `aws-defaults` (today's quotas) and `pre-2026-05` (the SCP quotas before 2026-05-15). */
export const PROFILE_QUOTAS: Readonly<Record<LimitProfile, OrganizationQuotas>> = {
  'aws-defaults': AWS_DEFAULTS,
  'pre-2026-05': { ...AWS_DEFAULTS, scpCharacters: 5120, scpsPerTarget: 5 },
};

/** The most AWS allows: a config may lower a figure, never raise it above this. */
export const AWS_MAXIMUM_QUOTAS: OrganizationQuotas = AWS_DEFAULTS;

/** The smallest document the compiler can fill: an empty policy is 39 characters, a useful statement several hundred. */
const MIN_DOCUMENT_CHARACTERS = 1000;

const characters = (max: number, what: string) => z.number().int()
  .min(MIN_DOCUMENT_CHARACTERS)
  .max(max, `AWS's maximum for ${what} is ${max.toLocaleString('en-US')} characters`)
  .optional();

/** Slots per target: the always-attached policy and at least one of this tool's. */
const slots = (max: number, what: string) => z.number().int()
  .min(2, `${what} hold the always-attached policy and at least one of this tool's`)
  .max(max, `AWS's maximum for ${what} is ${max}`)
  .optional();

export const OrganizationLimitsSchema = z.strictObject({
  profile: z.enum(LIMIT_PROFILES).default('aws-defaults')
    .describe('aws-defaults: AWS\'s quotas since 2026-05-15 (SCPs 10,240 characters, 10 per target); pre-2026-05: the earlier SCP quotas (5,120 characters, 5 per target), for teams that want the old packing'),
  scpCharacters: characters(AWS_MAXIMUM_QUOTAS.scpCharacters, 'an SCP')
    .describe('characters per SCP, minified; default: the profile\'s (10,240 or 5,120)'),
  scpsPerTarget: slots(AWS_MAXIMUM_QUOTAS.scpsPerTarget, 'SCPs per root, OU or account')
    .describe('SCPs attached per root, OU or account, FullAWSAccess included; default: the profile\'s (10 or 5)'),
  reservedScpSlots: z.number().int().min(0).max(AWS_MAXIMUM_QUOTAS.scpsPerTarget - 2).default(0)
    .describe('SCP slots per target kept for SCPs attached outside this tool, e.g. by AWS Control Tower'),
  rcpCharacters: characters(AWS_MAXIMUM_QUOTAS.rcpCharacters, 'an RCP')
    .describe('characters per RCP, minified; default 5,120'),
  rcpsPerTarget: slots(AWS_MAXIMUM_QUOTAS.rcpsPerTarget, 'RCPs per root, OU or account')
    .describe('RCPs attached per root, OU or account, RCPFullAWSAccess included; default 5'),
  reservedRcpSlots: z.number().int().min(0).max(AWS_MAXIMUM_QUOTAS.rcpsPerTarget - 2).default(0)
    .describe('RCP slots per target kept for RCPs attached outside this tool, e.g. by AWS Control Tower'),
  bedrockPolicyCharacters: characters(AWS_MAXIMUM_QUOTAS.bedrockPolicyCharacters, 'a Bedrock policy')
    .describe('characters per Organizations Bedrock policy; default 10,000'),
  bedrockPoliciesPerTarget: z.number().int().min(1).max(AWS_MAXIMUM_QUOTAS.bedrockPoliciesPerTarget,
    `AWS's maximum for Bedrock policies per root, OU or account is taken as ${AWS_MAXIMUM_QUOTAS.bedrockPoliciesPerTarget}`).optional()
    .describe('Bedrock policies attached per root, OU or account (one per governed Region goes on the root); default 10'),
}).transform((input, ctx): OrganizationLimits => {
  const quotas = PROFILE_QUOTAS[input.profile];
  const limits: OrganizationLimits = {
    profile: input.profile,
    scpCharacters: input.scpCharacters ?? quotas.scpCharacters,
    scpsPerTarget: input.scpsPerTarget ?? quotas.scpsPerTarget,
    reservedScpSlots: input.reservedScpSlots,
    rcpCharacters: input.rcpCharacters ?? quotas.rcpCharacters,
    rcpsPerTarget: input.rcpsPerTarget ?? quotas.rcpsPerTarget,
    reservedRcpSlots: input.reservedRcpSlots,
    bedrockPolicyCharacters: input.bedrockPolicyCharacters ?? quotas.bedrockPolicyCharacters,
    bedrockPoliciesPerTarget: input.bedrockPoliciesPerTarget ?? quotas.bedrockPoliciesPerTarget,
  };
  const reserves = [
    ['reservedScpSlots', limits.reservedScpSlots, limits.scpsPerTarget, 'SCP', 'FullAWSAccess'],
    ['reservedRcpSlots', limits.reservedRcpSlots, limits.rcpsPerTarget, 'RCP', 'RCPFullAWSAccess'],
  ] as const;
  for (const [key, reserved, perTarget, type, always] of reserves) {
    if (1 + reserved >= perTarget) {
      ctx.issues.push({
        code: 'custom',
        path: [key],
        input: reserved,
        message: `at most ${perTarget - 2}: ${perTarget} ${type}s per target (profile ${limits.profile}) hold ${always}, the reserve and at least one of this tool's`,
      });
    }
  }
  return limits;
});

/** The resolved limits of a profile with nothing overridden (for tests, benches and docs). */
export function profileLimits(profile: LimitProfile = 'aws-defaults'): OrganizationLimits {
  return OrganizationLimitsSchema.parse({ profile });
}
