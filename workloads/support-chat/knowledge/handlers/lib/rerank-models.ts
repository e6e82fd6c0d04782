/*
 * Where Bedrock has a rerank model, so the knowledge source asks for reranking only where it can run. From
 * https://docs.aws.amazon.com/bedrock/latest/userguide/rerank-supported.html (single-Region support; no cross-Region
 * profile exists for either model): Amazon Rerank 1.0 in ap-northeast-1, ca-central-1, eu-central-1 and us-west-2 (not
 * us-east-1); Cohere Rerank 3.5 in the same four and us-east-1. So of the geographies the tenant may run in, the EU has
 * reranking in Frankfurt only, the US in Oregon (and N. Virginia for Cohere), APAC in Tokyo only, Canada in Central;
 * every other Region (eu-west-1, eu-west-3, eu-north-1, ap-southeast-2, …) has none and retrieves without reranking.
 */

/** The rerank models and the Regions each runs in. */
export const RERANK_MODEL_REGIONS: Readonly<Record<string, readonly string[]>> = {
  'amazon.rerank-v1:0': ['ap-northeast-1', 'ca-central-1', 'eu-central-1', 'us-west-2'],
  'cohere.rerank-v3-5:0': ['ap-northeast-1', 'ca-central-1', 'eu-central-1', 'us-east-1', 'us-west-2'],
};

/**
 * The foundation-model ARN Retrieve's `rerankingConfiguration` takes for `modelId` in `region`
 * (`arn:<partition>:bedrock:<region>::foundation-model/<modelId>`), or undefined when the model does not run there.
 * Throws on a model id that is not a rerank model.
 */
export function rerankModelArn(modelId: string, region: string, partition = 'aws'): string | undefined {
  const regions = RERANK_MODEL_REGIONS[modelId];
  if (!regions) throw new Error(`${modelId} is not a Bedrock rerank model (${Object.keys(RERANK_MODEL_REGIONS).join(', ')})`);
  return regions.includes(region) ? `arn:${partition}:bedrock:${region}::foundation-model/${modelId}` : undefined;
}
