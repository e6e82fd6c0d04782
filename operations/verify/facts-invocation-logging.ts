import { resourcesOf, type Assembly, type Template } from './assembly';
import type { Fact } from './fact';
import { memberTargets } from './member-targets';
import { resolveString, type Placement } from './template-value';
import type { GovernanceConfig } from '../../config/schema';

/**
 * BL-LOG-1 facts: model-invocation logging in every account × Region of the baseline StackSet, as its custom resource
 * `Custom::BedrockModelInvocationLogging` puts it: the delivery bucket and prefixes, the log group, and which bodies
 * are delivered. The delivery role's ARN is not compared: CloudFormation names the role.
 */

export const INVOCATION_LOGGING_TYPE = 'Custom::BedrockModelInvocationLogging';

/** The data kinds whose delivery the configuration turns on or off (`<kind>DataDeliveryEnabled`). */
const DATA_KINDS = ['text', 'image', 'embedding', 'video', 'audio'] as const;

/** What the verifier compares of a `loggingConfig` (Bedrock's `GetModelInvocationLoggingConfiguration` answer). */
export interface InvocationLoggingShape {
  readonly s3?: { readonly bucketName?: string; readonly keyPrefix?: string };
  readonly cloudWatch?: { readonly logGroupName?: string; readonly largeDataBucketName?: string; readonly largeDataKeyPrefix?: string };
  readonly delivery: Readonly<Record<string, boolean>>;
}

/** A `loggingConfig` (as Bedrock answers it) in the compared shape: a kind Bedrock leaves out counts as off. */
export function invocationLoggingShape(config: {
  s3Config?: { bucketName?: string; keyPrefix?: string };
  cloudWatchConfig?: {
    logGroupName?: string;
    largeDataDeliveryS3Config?: { bucketName?: string; keyPrefix?: string };
  };
} & Record<string, unknown>): InvocationLoggingShape {
  const large = config.cloudWatchConfig?.largeDataDeliveryS3Config;
  return {
    ...(config.s3Config && { s3: { bucketName: config.s3Config.bucketName, keyPrefix: config.s3Config.keyPrefix } }),
    ...(config.cloudWatchConfig && {
      cloudWatch: {
        logGroupName: config.cloudWatchConfig.logGroupName, largeDataBucketName: large?.bucketName, largeDataKeyPrefix: large?.keyPrefix,
      },
    }),
    delivery: Object.fromEntries(DATA_KINDS.map((kind) => [kind, config[`${kind}DataDeliveryEnabled`] === true])),
  };
}

/**
 * The custom resource's `<Kind>DataDeliveryEnabled` properties as the stack instance resolves them, as the `loggingConfig`
 * flags they put (`<kind>DataDeliveryEnabled`); `undefined` when one is neither "true" nor "false" there.
 */
export function deliveryFlags(properties: Record<string, unknown>, template: Template, placement: Placement): Record<string, boolean> | undefined {
  const flags = DATA_KINDS.map((kind) => [kind, resolveString(properties[`${kind[0].toUpperCase()}${kind.slice(1)}DataDeliveryEnabled`], template, placement)]);
  if (flags.some(([, v]) => v !== 'true' && v !== 'false')) return undefined;
  return Object.fromEntries(flags.map(([kind, v]) => [`${kind}DataDeliveryEnabled`, v === 'true']));
}

export function invocationLoggingFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  return assembly.members.flatMap((member) => resourcesOf(member.template, INVOCATION_LOGGING_TYPE).flatMap(([, p]) =>
    memberTargets(member, config).flatMap((target): Fact[] => {
      // With the instance's parameters: a metadata-only OU's instances override the data-delivery parameter.
      const placement = { account: target.account, region: target.region, parameters: target.parameters };
      const bucketName = resolveString(p.BucketName, member.template, placement);
      const logGroupName = resolveString(p.LogGroupName, member.template, placement);
      const delivery = deliveryFlags(p, member.template, placement);
      if (!bucketName || !logGroupName || !delivery) return [];
      const expected = invocationLoggingShape({
        s3Config: { bucketName, keyPrefix: String(p.KeyPrefix) },
        cloudWatchConfig: { logGroupName, largeDataDeliveryS3Config: { bucketName, keyPrefix: String(p.LargeDataKeyPrefix) } },
        ...delivery,
      });
      return [{
        control: 'BL-LOG-1',
        account: target.account,
        region: target.region,
        clientRegion: target.region,
        kind: 'invocation-logging',
        subject: 'model-invocation-logging',
        call: 'bedrock:GetModelInvocationLoggingConfiguration',
        expected,
      }];
    })));
}
