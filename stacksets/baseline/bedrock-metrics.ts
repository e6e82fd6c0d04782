/**
 * Amazon Bedrock CloudWatch metrics the baseline alarms on (aws-facts §2 and §4.1, from
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html).
 */
export const BEDROCK_NAMESPACE = 'AWS/Bedrock';

/** Per-model usage metrics, dimension `ModelId` (the model or profile id as invoked), statistic Sum. */
export const USAGE_METRICS = ['Invocations', 'InputTokenCount', 'OutputTokenCount'] as const;

/** Invocation-log delivery health, no dimension ("across all model IDs"), statistic Sum. */
export const LOG_DELIVERY_FAILURE_METRICS = [
  'ModelInvocationLogsCloudWatchDeliveryFailure',
  'ModelInvocationLogsS3DeliveryFailure',
  'ModelInvocationLargeDataS3DeliveryFailure',
] as const;
