/**
 * BL-LOG-1 custom-resource handler: turns Bedrock model-invocation logging on in the account and Region it runs in
 * (CloudFormation has no resource type for it; https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
 *
 * - Create and Update put the whole configuration (`PutModelInvocationLoggingConfiguration` replaces it), so a
 *   repeated Create or a retried Update is harmless.
 * - Delete leaves logging on (`OnDelete: keep-logging`) or deletes the configuration (`stop-logging`). A Delete that
 *   follows a failed Create deletes nothing: the failed Create answered with `NOT_CREATED_ID`.
 * - Throttling and transient server errors are retried by the SDK (standard retry mode, `RETRY` in
 *   `custom-resource-runtime.ts`); anything else fails at once with the API's error as the reason CloudFormation shows.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime, and inlined into the member template (`ZipFile`),
 * so StackSet targets need no asset bucket. No handler state outside the event.
 */
import {
  BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

export { RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id of the account-and-Region singleton the resource manages. */
export const PHYSICAL_ID = 'bedrock-model-invocation-logging';
/** Physical id a failed Create answers with, so the Delete CloudFormation sends next knows there is nothing to undo. */
export const NOT_CREATED_ID = 'bedrock-model-invocation-logging-not-created';
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

async function apply(event: CloudFormationCustomResourceEvent, bedrock: BedrockClient): Promise<string> {
  const props = event.ResourceProperties as Record<string, unknown>;
  if (event.RequestType === 'Delete') {
    const onDelete = props.OnDelete;
    if (onDelete !== 'keep-logging' && onDelete !== 'stop-logging') {
      throw new InvalidPropertiesError(`OnDelete must be "keep-logging" or "stop-logging", found ${JSON.stringify(onDelete)}`);
    }
    if (event.PhysicalResourceId !== NOT_CREATED_ID && onDelete === 'stop-logging') {
      await bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    }
    return event.PhysicalResourceId;
  }
  const loggingConfig = loggingConfigOf(props);
  await bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
  return PHYSICAL_ID;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  const bedrock = new BedrockClient({ ...RETRY });
  const action = event.RequestType === 'Delete' ? 'DeleteModelInvocationLoggingConfiguration' : 'PutModelInvocationLoggingConfiguration';
  await answerCloudFormation(event, context, () => apply(event, bedrock), { action, notCreatedId: NOT_CREATED_ID });
}
