/**
 * CloudWatch Metrics Insights: the quotas an alarm on a query lives under, and the queries this app alarms on.
 *
 * Quotas, as AWS states them:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html: "A single
 *   query can process no more than 10,000 metrics" (more are not processed), "A single query can return no more than
 *   500 time series" (with ORDER BY the first 500 in its order), "You can have as many as 200 Metrics Insights alarms
 *   per Region", "You can query the most recent three hours of data for alarm condition evaluations", and "Each
 *   GetMetricData operation can have only one query";
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html: "A default of 200 alarms using the
 *   Metrics Insights query per account per Region", "Only the latest 3 hours of data can be used for evaluating the
 *   alarm's conditions", multiple-time-series alarms report at most 100 contributors in ALARM, and evaluation turns
 *   PARTIAL_DATA when a query returns more than 500 time series or matches more than 10,000 metrics;
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudwatch-alarm-metricdataquery.html:
 *   `Expression` is at most 2,048 characters.
 */
export const METRICS_INSIGHTS_QUOTAS = {
  /** Metrics one query processes (`SELECT`, `FROM` and `WHERE` match); more are left out. */
  metricsPerQuery: 10_000,
  /** Time series one query returns; also the largest `LIMIT`. */
  seriesPerQuery: 500,
  /** Alarms on Metrics Insights queries per account and Region (a default quota). */
  alarmsPerRegion: 200,
  /** The data an alarm evaluates: the latest 3 hours, in seconds. */
  alarmEvaluationSeconds: 3 * 60 * 60,
  /** Contributors in ALARM a multiple-time-series alarm reports. */
  contributorsInAlarm: 100,
  /** Characters of a `MetricDataQuery.Expression` in a CloudFormation alarm. */
  expressionCharacters: 2048,
} as const;

/**
 * What this app uses of each Metrics Insights quota: 80 %, so a quota is never met by the next change (ADR 0004).
 * Synth fails above these.
 */
export const METRICS_INSIGHTS_BUDGET = {
  metricsPerQuery: Math.floor(METRICS_INSIGHTS_QUOTAS.metricsPerQuery * 0.8),
  alarmsPerRegion: Math.floor(METRICS_INSIGHTS_QUOTAS.alarmsPerRegion * 0.8),
  expressionCharacters: Math.floor(METRICS_INSIGHTS_QUOTAS.expressionCharacters * 0.8),
} as const;

/** Parts of a Metrics Insights query (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html). */
export interface MetricsInsightsQuery {
  /** The aggregate function of `SELECT`. */
  readonly aggregate: 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'COUNT';
  readonly namespace: string;
  readonly metricName: string;
  /** The metric's complete dimension set (`SCHEMA`): a metric with any other set does not match. */
  readonly schema: readonly string[];
  /**
   * Label filters, `key = 'value'`, joined with `AND`: the operators the query language documents for `WHERE` are `=`,
   * `!=` and `AND` (no `OR`, no `IN`), so a query names one value per label.
   *
   * @default - no filter
   */
  readonly where?: Readonly<Record<string, string>>;
  /**
   * Labels to group by: each group is one time series (in an alarm, one contributor). `AWS.AccountId` groups by the
   * source account in a monitoring account.
   *
   * @default - one aggregated time series
   */
  readonly groupBy?: readonly string[];
  /**
   * The time series returned, largest aggregate first (`ORDER BY <aggregate>() DESC LIMIT n`), at most
   * `METRICS_INSIGHTS_QUOTAS.seriesPerQuery`. Only with `groupBy`.
   *
   * @default - no ORDER BY or LIMIT
   */
  readonly top?: number;
}

/** A label value in single quotes; values with quotes or backslashes (no model id has one) are refused, not escaped. */
function labelValue(value: string): string {
  if (/['"\\]/.test(value)) throw new Error(`a Metrics Insights label value without quotes or backslashes; got ${value}`);
  return `'${value}'`;
}

/** The text of a Metrics Insights query, e.g. `SELECT SUM(m) FROM SCHEMA("ns", D) WHERE D = 'v' GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 500`. */
export function metricsInsightsQuery(query: MetricsInsightsQuery): string {
  if (query.top !== undefined) {
    if (!query.groupBy?.length) throw new Error(`a Metrics Insights query with top ${query.top} needs groupBy (ORDER BY … LIMIT ranks groups)`);
    if (!Number.isInteger(query.top) || query.top < 1 || query.top > METRICS_INSIGHTS_QUOTAS.seriesPerQuery) {
      throw new Error(`a Metrics Insights query returns 1 to ${METRICS_INSIGHTS_QUOTAS.seriesPerQuery} time series; got top ${query.top}`);
    }
  }
  const where = Object.entries(query.where ?? {}).map(([key, value]) => `${key} = ${labelValue(value)}`);
  return [
    `SELECT ${query.aggregate}(${query.metricName})`,
    `FROM SCHEMA(${[`"${query.namespace}"`, ...query.schema].join(', ')})`,
    ...where.length ? [`WHERE ${where.join(' AND ')}`] : [],
    ...query.groupBy?.length ? [`GROUP BY ${query.groupBy.join(', ')}`] : [],
    ...query.top !== undefined ? [`ORDER BY ${query.aggregate}() DESC LIMIT ${query.top}`] : [],
  ].join(' ');
}
