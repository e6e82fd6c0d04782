/**
 * Cross-Region inference (CRI) geographies: the profile-ID prefix that geographic inference profiles carry and the
 * commercial Regions that belong to the geography.
 *
 * Sources:
 * - profile prefixes `us.`, `eu.`, `apac.`: https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html
 * - Regions per geography (union of the source and destination Regions listed for the geography's profiles):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * - the `global.` prefix: https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 */
export type GeographyId = 'eu' | 'us' | 'apac';

export interface Geography {
  /** The geography's id, also the prefix of its system-defined inference profile ids (`eu.anthropic…`). */
  readonly id: GeographyId;
  /** Human-readable name, for messages. */
  readonly name: string;
  /** Regions that belong to the geography: the only Regions a config may govern when it chooses the geography. */
  readonly regions: readonly string[];
}

export const GEOGRAPHIES: Readonly<Record<GeographyId, Geography>> = {
  eu: {
    id: 'eu',
    name: 'Europe',
    regions: ['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
  },
  us: {
    id: 'us',
    name: 'United States',
    regions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  },
  apac: {
    id: 'apac',
    name: 'Asia Pacific',
    regions: [
      'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
      'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
    ],
  },
};

export const GEOGRAPHY_IDS = Object.keys(GEOGRAPHIES) as GeographyId[];

/** Prefix of global cross-Region inference profiles (`global.anthropic…`), whose destinations are all commercial Regions. */
export const GLOBAL_PROFILE_PREFIX = 'global';
