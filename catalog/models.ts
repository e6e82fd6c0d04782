import type { GeographyId } from './geographies';

/**
 * The model catalog: which foundation models exist, and through which system-defined inference profiles each can be
 * called. The config's approved models are checked against it, and the SCPs are generated from it.
 *
 * Sources (per entry in `sources`):
 * - model ids and on-demand Regions: https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html
 * - profile ids, source and destination Regions: https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * - global profiles: https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 *
 * Destination lists change as AWS adds Regions and could not be confirmed offline: each geographic profile carries
 * `verified: false` until someone runs `aws bedrock get-inference-profile --inference-profile-identifier <id>` in a source
 * Region and copies the `models[].modelArn` Regions here. Where two readings existed, the wider list was kept, because
 * a Region-restriction SCP must exempt every destination (a missing destination breaks CRI; an extra one only widens
 * where inference may run inside the same geography).
 */
export interface GeographicProfile {
  /** The geography, also the prefix of the profile id (`eu.` + model id). */
  readonly geography: GeographyId;
  /** Regions from which the profile can be called. */
  readonly sourceRegions: readonly string[];
  /** Regions to which Bedrock may route a call made through the profile. */
  readonly destinationRegions: readonly string[];
  /** Whether the Region lists were confirmed against `GetInferenceProfile`. */
  readonly verified: boolean;
}

export type ModelKind = 'text' | 'embedding' | 'rerank';

export interface CatalogModel {
  /** Bedrock model id, as in `arn:aws:bedrock:<region>::foundation-model/<modelId>`. */
  readonly modelId: string;
  readonly provider: 'Amazon' | 'Anthropic' | 'Cohere' | 'Meta' | 'Mistral AI' | 'DeepSeek';
  readonly kind: ModelKind;
  /** Geographic system-defined inference profiles. Empty for models only callable in-Region. */
  readonly profiles: readonly GeographicProfile[];
  /** Whether a `global.` profile exists for the model. */
  readonly globalProfile: boolean;
  /** Where the facts come from. */
  readonly sources: readonly string[];
}

const PROFILES_PAGE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html';
const MODELS_PAGE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html';
const GLOBAL_PAGE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html';

const EU_CLAUDE_4_5 = ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'];
const EU_NOVA = ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'];
const US_FOUR = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
const US_NOVA = ['us-east-1', 'us-east-2', 'us-west-2'];
const APAC_CLAUDE_4_5 = [
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-4',
];
const APAC_NOVA = ['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'];
const US_THREE = ['us-east-1', 'us-east-2', 'us-west-2'];
const EU_FOUR = ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'];
const EU_THREE = ['eu-central-1', 'eu-west-1', 'eu-west-3'];

/** A profile whose source and destination Regions are the same set (true of every geographic profile listed here). */
function symmetric(geography: GeographyId, regions: readonly string[]): GeographicProfile {
  return { geography, sourceRegions: regions, destinationRegions: regions, verified: false };
}

function inRegionOnly(modelId: string, provider: CatalogModel['provider'], kind: ModelKind): CatalogModel {
  return { modelId, provider, kind, profiles: [], globalProfile: false, sources: [MODELS_PAGE] };
}

export const MODEL_CATALOG: readonly CatalogModel[] = [
  {
    modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    provider: 'Anthropic',
    kind: 'text',
    profiles: [symmetric('eu', EU_CLAUDE_4_5), symmetric('us', US_FOUR), symmetric('apac', APAC_CLAUDE_4_5)],
    globalProfile: true,
    sources: [PROFILES_PAGE, GLOBAL_PAGE, 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-sonnet-4-5.html'],
  },
  {
    modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    provider: 'Anthropic',
    kind: 'text',
    profiles: [symmetric('eu', EU_CLAUDE_4_5), symmetric('us', US_FOUR), symmetric('apac', APAC_CLAUDE_4_5)],
    globalProfile: true,
    sources: [PROFILES_PAGE, GLOBAL_PAGE, 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-haiku-4-5.html'],
  },
  {
    modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
    provider: 'Anthropic',
    kind: 'text',
    profiles: [symmetric('eu', ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3']), symmetric('us', US_FOUR)],
    globalProfile: false,
    sources: [PROFILES_PAGE],
  },
  ...['amazon.nova-pro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0'].map((modelId): CatalogModel => ({
    modelId,
    provider: 'Amazon',
    kind: 'text',
    profiles: [symmetric('eu', EU_NOVA), symmetric('us', US_NOVA), symmetric('apac', APAC_NOVA)],
    globalProfile: false,
    sources: [PROFILES_PAGE, 'https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html'],
  })),
  ...([
    ['anthropic.claude-sonnet-4-20250514-v1:0', 'Anthropic', [symmetric('eu', EU_CLAUDE_4_5), symmetric('us', US_THREE), symmetric('apac', APAC_CLAUDE_4_5)]],
    ['anthropic.claude-opus-4-1-20250805-v1:0', 'Anthropic', [symmetric('us', US_THREE)]],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'Anthropic', [symmetric('us', US_THREE)]],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'Anthropic', [symmetric('eu', EU_THREE), symmetric('us', US_THREE), symmetric('apac', APAC_NOVA)]],
    ['amazon.nova-premier-v1:0', 'Amazon', [symmetric('us', US_THREE)]],
    ['meta.llama3-3-70b-instruct-v1:0', 'Meta', [symmetric('us', US_THREE)]],
    ['meta.llama3-2-3b-instruct-v1:0', 'Meta', [symmetric('eu', EU_THREE), symmetric('us', ['us-east-1', 'us-west-2'])]],
    ['meta.llama3-2-1b-instruct-v1:0', 'Meta', [symmetric('eu', EU_THREE), symmetric('us', ['us-east-1', 'us-west-2'])]],
    ['meta.llama4-maverick-17b-instruct-v1:0', 'Meta', [symmetric('us', US_FOUR)]],
    ['meta.llama4-scout-17b-instruct-v1:0', 'Meta', [symmetric('us', US_FOUR)]],
    ['mistral.pixtral-large-2502-v1:0', 'Mistral AI', [symmetric('eu', EU_FOUR), symmetric('us', US_THREE)]],
    ['deepseek.r1-v1:0', 'DeepSeek', [symmetric('us', US_THREE)]],
  ] as const).map(([modelId, provider, profiles]): CatalogModel => ({
    modelId, provider, kind: 'text', profiles, globalProfile: false, sources: [PROFILES_PAGE],
  })),
  inRegionOnly('amazon.titan-embed-text-v2:0', 'Amazon', 'embedding'),
  inRegionOnly('amazon.titan-embed-image-v1', 'Amazon', 'embedding'),
  inRegionOnly('cohere.embed-v4:0', 'Cohere', 'embedding'),
  inRegionOnly('cohere.embed-multilingual-v3', 'Cohere', 'embedding'),
  inRegionOnly('cohere.embed-english-v3', 'Cohere', 'embedding'),
  inRegionOnly('amazon.rerank-v1:0', 'Amazon', 'rerank'),
  inRegionOnly('cohere.rerank-v3-5:0', 'Cohere', 'rerank'),
];

/** The catalog entry for a model id, or undefined. */
export function findCatalogModel(modelId: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.modelId === modelId);
}

/** The model's geographic profile in a geography, or undefined when it has none there. */
export function findGeographicProfile(model: CatalogModel, geography: GeographyId): GeographicProfile | undefined {
  return model.profiles.find((p) => p.geography === geography);
}
