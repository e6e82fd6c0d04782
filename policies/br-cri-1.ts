import { foundationModelArn } from './arns';
import { INVOKE_ACTIONS, NON_FOUNDATION_MODEL_RESOURCES } from './bedrock-resources';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * BR-CRI-1: no direct foundation-model invocation; models run only through inference profiles.
 *
 * Denies the invoke actions when `bedrock:InferenceProfileArn` is absent, on every resource except
 * - the non-foundation-model resource types, so the inference-profile evaluation of a CRI call is never hit
 *   (the key is absent there) — their own rules are BR-CRI-2 and BR-AIP-1;
 * - the config's in-Region exceptions (embedding and rerank models without a profile in the approved geographies), and only in the
 *   governed Regions, so knowledge bases keep working and the exception cannot be used elsewhere.
 *
 * Written with `NotResource`, this is AWS's documented pattern (deny `foundation-model/*` when the key is null,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html) plus the exceptions. Inside a CRI call the foundation-model evaluations carry the key, so CRI passes.
 *
 * Bedrock's second inference API family, Bedrock Mantle (its own service prefix `bedrock-mantle`: OpenAI-compatible
 * Responses, Chat Completions and Messages APIs, fine-tuning, customized models, reservations;
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrockpoweredbyawsmantle.html), serves
 * models without inference profiles and names them by a `bedrock-mantle:Model` value the approved-model list cannot
 * express, so none of BR-CRI-2, BR-MODEL-1 or the guardrail evidence would apply to it: the whole prefix is denied.
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
  }, {
    Sid: 'BRCRI1DenyMantle',
    Effect: 'Deny',
    Action: 'bedrock-mantle:*',
    Resource: '*',
  }];
}
