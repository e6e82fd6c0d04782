/**
 * Amazon Bedrock CloudWatch metrics the baseline alarms on (from
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html).
 */
import { Duration } from 'aws-cdk-lib';
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_INSIGHTS_QUOTAS, metricsInsightsQuery } from './metrics-insights';
import { GEOGRAPHIES, GLOBAL_PROFILE_PREFIX } from '../../catalog/geographies';
import { findCatalogModel } from '../../catalog/models';
import type { GovernanceConfig } from '../../config/schema';

export const BEDROCK_NAMESPACE = 'AWS/Bedrock';

/**
 * The `ModelId` values a model's metrics may carry: `ModelId` is "the ID or profile as invoked", and whether a CRI call
 * is reported under the profile id or the base model id is not stated on that page, so alarms and widgets read the
 * base id and, for inference-profile access, each approved geography's profile id. Given a `region`, only the
 * geographies that Region belongs to: a geography's Regions are its profiles' source and destination Regions
 * (`catalog/geographies.ts`), so no other geography's profile can report there. With `bedrock.globalInference: allow`,
 * a model with a `global.` profile (`catalog/models.ts`) also reports under `global.<model>` in every Region: a global
 * profile is called from any commercial source Region, so leaving its id out would leave that usage unwatched.
 */
export function metricModelIds(config: GovernanceConfig, model: { readonly modelId: string; readonly access: string }, region?: string): string[] {
  if (model.access === 'in-region') return [model.modelId];
  const geographies = config.bedrock.geographies.filter((g) => region === undefined || GEOGRAPHIES[g].regions.includes(region));
  const global = config.bedrock.globalInference === 'allow' && findCatalogModel(model.modelId)?.globalProfile === true;
  return [model.modelId, ...geographies.map((g) => `${g}.${model.modelId}`), ...(global ? [`${GLOBAL_PROFILE_PREFIX}.${model.modelId}`] : [])];
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
 * The metric math of an anomaly alarm on one model's usage in one account (BL-MON-1): the hourly Sum of `metricName`
 * for each of the model's `ModelId` values, their total with gaps as 0 (`total`), and its anomaly band of `band` standard
 * deviations (`band`, the alarm's `ThresholdMetricId`). Metric math reads at most 10 metrics, so this is for one
 * account; the organization's alarms read every account with a Metrics Insights query (`accountUsageQuery`).
 */
export function modelUsageAnomalyMetrics(
  metricName: string, modelIds: readonly string[], label: string, band: number,
): CfnAlarm.MetricDataQueryProperty[] {
  return [
    ...modelIds.map((modelId, i) => ({
      id: `m${i}`,
      returnData: false,
      metricStat: {
        metric: { namespace: BEDROCK_NAMESPACE, metricName, dimensions: [{ name: 'ModelId', value: modelId }] },
        period: Duration.hours(1).toSeconds(),
        stat: 'Sum',
      },
    })),
    { id: 'total', expression: modelIds.map((_, i) => `FILL(m${i}, 0)`).join(' + '), label, returnData: true },
    { id: 'band', expression: `ANOMALY_DETECTION_BAND(total, ${band})`, returnData: true },
  ];
}

/**
 * A Metrics Insights query for the organization's alarms (DASH-1): the Sum of one usage metric of one `ModelId` value,
 * one time series per source account (`GROUP BY AWS.AccountId`), the accounts with the most first (`ORDER BY SUM()
 * DESC`), at most 500 (the most a query returns). In the audit account, which is the OAM monitoring account, it reads
 * every linked account: one query however many there are. `WHERE` takes one value per label (`=`, `!=`, `AND` are the
 * documented operators), so a model's base id and each of its profile ids get a query each.
 */
export function accountUsageQuery(metricName: string, modelId: string): string {
  return metricsInsightsQuery({
    aggregate: 'SUM',
    namespace: BEDROCK_NAMESPACE,
    metricName,
    schema: ['ModelId'],
    where: { ModelId: modelId },
    groupBy: ['AWS.AccountId'],
    top: METRICS_INSIGHTS_QUOTAS.seriesPerQuery,
  });
}
