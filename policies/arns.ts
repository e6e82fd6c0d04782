/**
 * Bedrock ARN builders (the resource types of
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html). Only the commercial `aws`
 * partition: every CRI geography in the catalog is commercial.
 */
export const PARTITION = 'aws';

/** `arn:aws:bedrock:<region>::foundation-model/<modelId>`; `region` may be `*`. */
export function foundationModelArn(region: string, modelId: string): string {
  return `arn:${PARTITION}:bedrock:${region}::foundation-model/${modelId}`;
}

/** ARN pattern of an account-scoped Bedrock resource in any Region and account, e.g. `inference-profile/*`. */
export function bedrockResourcePattern(resource: string): string {
  return `arn:${PARTITION}:bedrock:*:*:${resource}`;
}
