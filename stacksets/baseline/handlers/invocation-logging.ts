/**
 * BL-LOG-1 custom-resource handler: turns Bedrock model-invocation logging on in the account and Region it runs in
 * (there is no CloudFormation resource for it, aws-facts §2).
 *
 * - Create and Update put the whole configuration (`PutModelInvocationLoggingConfiguration` replaces it), so a
 *   repeated Create or a retried Update is harmless.
 * - Delete leaves logging on (`OnDelete: keep-logging`) or deletes the configuration (`stop-logging`). A Delete that
 *   follows a failed Create deletes nothing: the failed Create answered with `NOT_CREATED_ID`.
 * - Throttling and server errors are retried with exponential backoff (`RETRY`); the SDK's own retries are off so
 *   the schedule is this one. Anything else fails at once with the API's error name and message as the reason
 *   CloudFormation shows.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime, and inlined into the member template (`ZipFile`),
 * so StackSet targets need no asset bucket. No handler state outside the event.
 */
import {
  BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';

/** Physical id of the account-and-Region singleton the resource manages. */
export const PHYSICAL_ID = 'bedrock-model-invocation-logging';
/** Physical id a failed Create answers with, so the Delete CloudFormation sends next knows there is nothing to undo. */
export const NOT_CREATED_ID = 'bedrock-model-invocation-logging-not-created';
/** Attempts per API call and the first backoff delay (doubling: 200, 400, 800, 1,600, 3,200 ms). */
export const RETRY = { attempts: 6, firstDelayMs: 200 };

/** The resource's properties as CloudFormation passes them: every value a string. */
export interface InvocationLoggingProperties {
  readonly BucketName: string;
  readonly KeyPrefix: string;
  readonly LogGroupName: string;
  readonly RoleArn: string;
  readonly LargeDataKeyPrefix: string;
  readonly TextDataDeliveryEnabled: string;
  readonly ImageDataDeliveryEnabled: string;
  readonly EmbeddingDataDeliveryEnabled: string;
  readonly VideoDataDeliveryEnabled: string;
  readonly AudioDataDeliveryEnabled: string;
  readonly OnDelete: string;
}

const RETRYABLE_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailableException', 'InternalServerException']);

class InvalidPropertiesError extends Error {
  public override readonly name = 'InvalidProperties';
}

function text(props: Record<string, unknown>, key: keyof InvocationLoggingProperties): string {
  const value = props[key];
  if (typeof value !== 'string' || value === '') throw new InvalidPropertiesError(`${key} must be a non-empty string, found ${JSON.stringify(value)}`);
  return value;
}

function flag(props: Record<string, unknown>, key: keyof InvocationLoggingProperties): boolean {
  const value = props[key];
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new InvalidPropertiesError(`${key} must be "true" or "false", found ${JSON.stringify(value)}`);
}

/** The `loggingConfig` for the properties: S3 and CloudWatch Logs (large bodies to S3), and the data-delivery flags. */
export function loggingConfigOf(props: Record<string, unknown>): LoggingConfig {
  const bucketName = text(props, 'BucketName');
  return {
    s3Config: { bucketName, keyPrefix: text(props, 'KeyPrefix') },
    cloudWatchConfig: {
      logGroupName: text(props, 'LogGroupName'),
      roleArn: text(props, 'RoleArn'),
      largeDataDeliveryS3Config: { bucketName, keyPrefix: text(props, 'LargeDataKeyPrefix') },
    },
    textDataDeliveryEnabled: flag(props, 'TextDataDeliveryEnabled'),
    imageDataDeliveryEnabled: flag(props, 'ImageDataDeliveryEnabled'),
    embeddingDataDeliveryEnabled: flag(props, 'EmbeddingDataDeliveryEnabled'),
    videoDataDeliveryEnabled: flag(props, 'VideoDataDeliveryEnabled'),
    audioDataDeliveryEnabled: flag(props, 'AudioDataDeliveryEnabled'),
  };
}

function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE_ERRORS.has(e.name ?? '') || status === 429 || status >= 500;
}

/**
 * The error as CloudFormation should show it: `name: message` and, when the service answered, the HTTP status and
 * request id (for an answer the SDK could not parse, the name is the parser's and the status is what identifies it).
 */
function describe(error: unknown): string {
  const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const answer = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode}, request id ${e.$metadata.requestId ?? 'none'})` : '';
  return `${e.name}: ${e.message.split('\n')[0]}${answer}`;
}

async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= RETRY.attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}

async function apply(event: CloudFormationCustomResourceEvent, bedrock: BedrockClient): Promise<string> {
  const props = event.ResourceProperties as Record<string, unknown>;
  if (event.RequestType === 'Delete') {
    const onDelete = props.OnDelete;
    if (onDelete !== 'keep-logging' && onDelete !== 'stop-logging') {
      throw new InvalidPropertiesError(`OnDelete must be "keep-logging" or "stop-logging", found ${JSON.stringify(onDelete)}`);
    }
    if (event.PhysicalResourceId !== NOT_CREATED_ID && onDelete === 'stop-logging') {
      await withRetries(() => bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({})));
    }
    return event.PhysicalResourceId;
  }
  const loggingConfig = loggingConfigOf(props);
  await withRetries(() => bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig })));
  return PHYSICAL_ID;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  const bedrock = new BedrockClient({ maxAttempts: 1 });
  let response: { Status: 'SUCCESS' | 'FAILED'; PhysicalResourceId: string; Reason?: string };
  try {
    response = { Status: 'SUCCESS', PhysicalResourceId: await apply(event, bedrock) };
  } catch (error) {
    const action = event.RequestType === 'Delete' ? 'DeleteModelInvocationLoggingConfiguration' : 'PutModelInvocationLoggingConfiguration';
    const where = context?.logStreamName ? ` (log stream ${context.logStreamName})` : '';
    response = {
      Status: 'FAILED',
      PhysicalResourceId: event.RequestType === 'Create' ? NOT_CREATED_ID : event.PhysicalResourceId,
      Reason: `${event.RequestType} failed: ${action}: ${describe(error)}${where}`.slice(0, 2000),
    };
    console.error(JSON.stringify({ requestType: event.RequestType, reason: response.Reason }));
  }
  const body = JSON.stringify({
    ...response, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  const answer = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) throw new Error(`CloudFormation response URL answered ${answer.status}`);
}
