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
 * so StackSet targets need no asset bucket (why not an asset: `docs/controls.md#bl-log-1`). It is written to stay well
 * under the 4,096-byte quota: one loop over the data kinds, one way to report a bad property, and only the handler and
 * the two physical ids exported. No handler state outside the event.
 */
import {
  BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id of the account-and-Region singleton the resource manages. */
export const PHYSICAL_ID = 'bedrock-model-invocation-logging';
/** Physical id a failed Create answers with, so the Delete CloudFormation sends next knows there is nothing to undo. */
export const NOT_CREATED_ID = `${PHYSICAL_ID}-not-created`;
/** The data kinds whose delivery the configuration turns on or off: `<kind>DataDeliveryEnabled` in `LoggingConfig`. */
const DATA_KINDS = ['text', 'image', 'embedding', 'video', 'audio'] as const;
type DataKind = typeof DATA_KINDS[number];
/** The resource's properties as CloudFormation passes them: every value a string. */
export type InvocationLoggingProperties = Readonly<Record<'BucketName' | 'KeyPrefix' | 'LogGroupName' | 'RoleArn' | 'LargeDataKeyPrefix' | 'OnDelete'
  | `${Capitalize<DataKind>}DataDeliveryEnabled`, string>>;
type PropertyName = keyof InvocationLoggingProperties;

/** Throws `InvalidPropertiesError` naming the property, what it must be and what it was. */
function invalid(key: PropertyName, expected: string, value: unknown): never {
  throw new InvalidPropertiesError(`${key} must be ${expected}, found ${JSON.stringify(value)}`);
}

function text(props: Record<string, unknown>, key: PropertyName): string {
  const value = props[key];
  return typeof value === 'string' && value !== '' ? value : invalid(key, 'a non-empty string', value);
}

function flag(props: Record<string, unknown>, key: PropertyName): boolean {
  const value = props[key];
  return value === 'true' || value === true ? true : value === 'false' || value === false ? false : invalid(key, '"true" or "false"', value);
}

/** The `loggingConfig` for the properties: S3 and CloudWatch Logs (large bodies to S3), and the data-delivery flags. */
function loggingConfigOf(props: Record<string, unknown>): LoggingConfig {
  const bucketName = text(props, 'BucketName');
  const config: LoggingConfig = {
    s3Config: { bucketName, keyPrefix: text(props, 'KeyPrefix') },
    cloudWatchConfig: {
      logGroupName: text(props, 'LogGroupName'),
      roleArn: text(props, 'RoleArn'),
      largeDataDeliveryS3Config: { bucketName, keyPrefix: text(props, 'LargeDataKeyPrefix') },
    },
  };
  for (const kind of DATA_KINDS) {
    config[`${kind}DataDeliveryEnabled`] = flag(props, `${kind[0].toUpperCase()}${kind.slice(1)}DataDeliveryEnabled` as PropertyName);
  }
  return config;
}

async function apply(event: CloudFormationCustomResourceEvent, bedrock: BedrockClient): Promise<string> {
  const props = event.ResourceProperties as Record<string, unknown>;
  if (event.RequestType === 'Delete') {
    const onDelete = props.OnDelete;
    if (onDelete !== 'keep-logging' && onDelete !== 'stop-logging') {
      invalid('OnDelete', '"keep-logging" or "stop-logging"', onDelete);
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
  const action = `${event.RequestType === 'Delete' ? 'Delete' : 'Put'}ModelInvocationLoggingConfiguration`;
  await answerCloudFormation(event, context, () => apply(event, bedrock), { action, notCreatedId: NOT_CREATED_ID });
}
