/**
 * Amazon Bedrock CloudWatch metrics the baseline alarms on (from
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html).
 */
import { Duration } from 'aws-cdk-lib';
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { GovernanceConfig } from '../../config/schema';

export const BEDROCK_NAMESPACE = 'AWS/Bedrock';

/**
 * The `ModelId` values a model's metrics may carry: `ModelId` is "the ID or profile as invoked", and whether a CRI call
 * is reported under the profile id or the base model id is not stated on that page, so alarms and widgets read the
 * base id and, for inference-profile access, each approved geography's profile id.
 */
export function metricModelIds(config: GovernanceConfig, model: { readonly modelId: string; readonly access: string }): string[] {
  return model.access === 'in-region' ? [model.modelId] : [model.modelId, ...config.bedrock.geographies.map((g) => `${g}.${model.modelId}`)];
}

/** Per-model usage metrics, dimension `ModelId` (the model or profile id as invoked), statistic Sum. */
export const USAGE_METRICS = ['Invocations', 'InputTokenCount', 'OutputTokenCount'] as const;

/** Invocation-log delivery health, no dimension ("across all model IDs"), statistic Sum. */
export const LOG_DELIVERY_FAILURE_METRICS = [
  'ModelInvocationLogsCloudWatchDeliveryFailure',
  'ModelInvocationLogsS3DeliveryFailure',
  'ModelInvocationLargeDataS3DeliveryFailure',
] as const;

/**
 * The metric math of an anomaly alarm on one model's usage: the hourly Sum of `metricName` for each source (a model id,
 * and for the audit account's organization alarms the account it is read from), their total with gaps as 0 (`total`),
 * and its anomaly band of `band` standard deviations (`band`, the alarm's `ThresholdMetricId`).
 */
export function modelUsageAnomalyMetrics(
  metricName: string, sources: readonly { readonly modelId: string; readonly accountId?: string }[], label: string, band: number,
): CfnAlarm.MetricDataQueryProperty[] {
  return [
    ...sources.map(({ modelId, accountId }, i) => ({
      id: `m${i}`,
      accountId,
      returnData: false,
      metricStat: {
        metric: { namespace: BEDROCK_NAMESPACE, metricName, dimensions: [{ name: 'ModelId', value: modelId }] },
        period: Duration.hours(1).toSeconds(),
        stat: 'Sum',
      },
    })),
    { id: 'total', expression: sources.map((_, i) => `FILL(m${i}, 0)`).join(' + '), label, returnData: true },
    { id: 'band', expression: `ANOMALY_DETECTION_BAND(total, ${band})`, returnData: true },
  ];
}
