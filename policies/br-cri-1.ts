import { foundationModelArn } from './arns';
import { BATCH_ACTION, BATCH_NON_FOUNDATION_MODEL_RESOURCES, INVOKE_ACTIONS, NON_FOUNDATION_MODEL_RESOURCES } from './bedrock-resources';
import type { PolicyStatement } from './policy-document';
import { findCatalogModel } from '../catalog/models';
import type { GovernanceConfig } from '../config/schema';
import { KNOWLEDGE_BASE_ROLE_ARN_PATTERN } from '../contracts/knowledge-base-roles';

/**
 * BR-CRI-1: no direct foundation-model invocation; models run only through inference profiles, on every path.
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
 *
 * Batch inference (when `bedrock.paths` allows it) is held to the same rule: a job that names a foundation model runs
 * it in the job's Region without a profile. AWS documents the caller's `CreateModelInvocationJob` on the
 * `foundation-model` it names (and on the `model-invocation-job`), and, for a job on a cross-Region profile, the job's
 * service role invoking the profile and the foundation model in each destination Region
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-permissions.html,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html#batch-iam-sr-ip). The IAM reference lists no
 * `bedrock:InferenceProfileArn` for `CreateModelInvocationJob`, so the batch statement denies it on every
 * foundation model unless that key is present: a direct job is denied whatever else AWS evaluates; a profile job
 * passes when the caller is checked on the job only (the model evaluations by its service role carry the key, as every
 * CRI call's do), and fails closed, never open, if AWS should check the caller on the model without the key. The
 * exceptions are `bedrock.paths.batchInferenceWithoutProfile`, in the governed Regions only: explicit, because AWS runs
 * batch for some models only without a profile (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html).
 * The in-Region exceptions that are embedding models are callable directly by knowledge-base service roles only (roles
 * on the path `KNOWLEDGE_BASE_ROLE_PATH`, whose embedding calls Bedrock makes at ingestion and for each retrieval's
 * query; https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html): an embedding model has no inference
 * profile, and a workload role has no reason to call one itself (docs/adr/0020-knowledge-base-embeddings-outside-cri.md).
 * The rerank exceptions stay open to workload roles: `Rerank` authorizes the caller's own `InvokeModel` on the rerank
 * model (https://docs.aws.amazon.com/bedrock/latest/userguide/rerank-prereq.html).
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
  }, ...embeddingsOnlyForKnowledgeBases(config), {
    Sid: 'BRCRI1DenyMantle',
    Effect: 'Deny',
    Action: 'bedrock-mantle:*',
    Resource: '*',
  }, ...(config.bedrock.paths.batchInference === 'allow' ? [batchStatement(config)] : [])];
}

/**
 * The approved in-Region embedding models, in every Region, for every principal but the knowledge-base service roles
 * (one statement, one ARN per model: outside the governed Regions the first statement denies them to everyone anyway).
 */
function embeddingsOnlyForKnowledgeBases(config: GovernanceConfig): PolicyStatement[] {
  const embeddings = config.bedrock.approvedModels
    .filter((m) => m.access === 'in-region' && findCatalogModel(m.modelId)?.kind === 'embedding')
    .map((m) => foundationModelArn('*', m.modelId));
  if (embeddings.length === 0) return [];
  return [{
    Sid: 'BRCRI1DenyEmbeddingsOutsideKnowledgeBases',
    Effect: 'Deny',
    Action: [...INVOKE_ACTIONS],
    Resource: embeddings,
    Condition: { ArnNotLike: { 'aws:PrincipalArn': KNOWLEDGE_BASE_ROLE_ARN_PATTERN } },
  }];
}

/** Batch jobs only through a profile (with BR-PATH-1's batch path closed, BR-PATH-1 denies them all and this is not written). */
function batchStatement(config: GovernanceConfig): PolicyStatement {
  const exceptions = config.bedrock.paths.batchInferenceWithoutProfile
    .flatMap((modelId) => config.organization.governedRegions.map((r) => foundationModelArn(r, modelId)));
  return {
    Sid: 'BRCRI1DenyDirectBatchJobs',
    Effect: 'Deny',
    Action: BATCH_ACTION,
    NotResource: [...Object.values(BATCH_NON_FOUNDATION_MODEL_RESOURCES), ...exceptions],
    Condition: { Null: { 'bedrock:InferenceProfileArn': 'true' } },
  };
}
