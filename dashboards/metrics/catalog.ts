import { SUPPORT_CHAT_METRICS_NAMESPACE, supportChatMetrics } from '../../contracts/support-chat-metrics';

/**
 * The CloudWatch metrics the dashboards and alarms may use, as AWS defines them (each with the AWS documentation page
 * it comes from), plus the metrics this app publishes itself from log metric filters. `test/dashboards/metric-catalog.test.ts`
 * checks every widget and alarm of the synthesized templates against it, so a misspelt namespace, metric, dimension or
 * a statistic that means nothing for the metric (the Sum of a latency) fails a test instead of drawing an empty graph.
 */

/** Counts add up (Sum); durations are read as averages and percentiles, never summed. */
export type MetricKind = 'count' | 'duration';

export interface MetricDefinition {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension names the metric is published with; a widget may use any subset AWS publishes (see `dimensionSets`). */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly kind: MetricKind;
  /** Where the definition comes from: an AWS page, or the metric filter of this app that publishes it. */
  readonly source: string;
}

const RUNTIME = 'https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html';
const GUARDRAILS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-guardrails-cw-metrics.html';

export const BEDROCK = 'AWS/Bedrock';
export const BEDROCK_GUARDRAILS = 'AWS/Bedrock/Guardrails';
/** Namespace of the metrics this app publishes from metric filters. */
export const GOVERNANCE_METRICS_NAMESPACE = 'GenAiGovernance';

const runtime = (metricName: string, kind: MetricKind = 'count'): MetricDefinition =>
  ({ namespace: BEDROCK, metricName, dimensionSets: [['ModelId']], kind, source: RUNTIME });
const delivery = (metricName: string): MetricDefinition =>
  ({ namespace: BEDROCK, metricName, dimensionSets: [[]], kind: 'count', source: `${RUNTIME} (invocation-log delivery, across all model IDs)` });
/** Guardrail metrics: `Operation`, `GuardrailContentSource`, `GuardrailPolicyType`, or a guardrail by ARN and version. */
const guardrail = (metricName: string, kind: MetricKind = 'count'): MetricDefinition => ({
  namespace: BEDROCK_GUARDRAILS,
  metricName,
  dimensionSets: [['Operation'], ['GuardrailContentSource'], ['GuardrailPolicyType'], ['GuardrailArn', 'GuardrailVersion']],
  kind,
  source: GUARDRAILS,
});
const governance = (metricName: string, dimensions: readonly string[], source: string): MetricDefinition =>
  ({ namespace: GOVERNANCE_METRICS_NAMESPACE, metricName, dimensionSets: [dimensions], kind: 'count', source });

/**
 * Namespace of the daily verification's metrics (VER-1): `operations/verify/daily-run.ts` puts `ControlsInDrift` and
 * `AccountsUnreadable` with PutMetricData, without dimensions; `stacks/audit/daily-verification.ts` alarms on them.
 */
export const VERIFICATION_METRICS_NAMESPACE = 'GenAIGovernance/Verification';
const verification = (metricName: string): MetricDefinition => ({
  namespace: VERIFICATION_METRICS_NAMESPACE,
  metricName,
  dimensionSets: [[]],
  kind: 'count',
  source: 'operations/verify/daily-run.ts: PutMetricData after each daily verification\'s reports are written',
});

const SQS_METRICS = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html';
export const SQS = 'AWS/SQS';
/** An SQS queue metric (dimension `QueueName`); the age of the oldest message is in seconds, the others count messages. */
const sqs = (metricName: string, kind: MetricKind = 'count'): MetricDefinition => ({ namespace: SQS, metricName, dimensionSets: [['QueueName']], kind, source: SQS_METRICS });

const STATES_METRICS = 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html';
export const STATES = 'AWS/States';
/** A Step Functions execution metric of a state machine (dimension `StateMachineArn`): executions counted. */
const states = (metricName: string): MetricDefinition => ({ namespace: STATES, metricName, dimensionSets: [['StateMachineArn']], kind: 'count', source: STATES_METRICS });

const LAMBDA_METRICS = 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html';
export const LAMBDA = 'AWS/Lambda';
/**
 * A Lambda function metric: by function, by function and version or alias (`Resource`, `<function>:<alias>`), and for
 * invocations through an alias, by the version that ran (`ExecutedVersion`), which a release's rollback alarms read.
 */
const lambda = (metricName: string, kind: MetricKind = 'count'): MetricDefinition => ({
  namespace: LAMBDA,
  metricName,
  dimensionSets: [['FunctionName'], ['FunctionName', 'Resource'], ['FunctionName', 'Resource', 'ExecutedVersion']],
  kind,
  source: LAMBDA_METRICS,
});

/**
 * The support-chat tenant's own metrics: EMF lines its functions write with Powertools Metrics, dimension `service` (and
 * `Profile` for the per-profile ones), as the tenant's metric contract names them.
 */
const tenantMetrics = (): MetricDefinition[] => supportChatMetrics().map((m) => ({
  namespace: SUPPORT_CHAT_METRICS_NAMESPACE,
  ...m,
  source: 'contracts/support-chat-metrics.ts: EMF (Powertools Metrics) from the tenant\'s turn, relay, authorizer and knowledge sync',
}));

export const METRIC_CATALOG: readonly MetricDefinition[] = [
  runtime('Invocations'),
  runtime('InvocationLatency', 'duration'),
  runtime('InvocationClientErrors'),
  runtime('InvocationServerErrors'),
  runtime('InvocationThrottles'),
  runtime('InputTokenCount'),
  runtime('OutputTokenCount'),
  runtime('LegacyModelInvocations'),
  runtime('TimeToFirstToken', 'duration'),
  runtime('CacheReadInputTokens'),
  runtime('CacheWriteInputTokens'),
  { namespace: BEDROCK, metricName: 'OutputImageCount', dimensionSets: [['ModelId'], ['ModelId', 'ImageSize', 'BucketedStepSize']], kind: 'count', source: RUNTIME },
  delivery('ModelInvocationLogsCloudWatchDeliverySuccess'),
  delivery('ModelInvocationLogsCloudWatchDeliveryFailure'),
  delivery('ModelInvocationLogsS3DeliverySuccess'),
  delivery('ModelInvocationLogsS3DeliveryFailure'),
  delivery('ModelInvocationLargeDataS3DeliverySuccess'),
  delivery('ModelInvocationLargeDataS3DeliveryFailure'),
  guardrail('Invocations'),
  guardrail('InvocationLatency', 'duration'),
  guardrail('InvocationClientErrors'),
  guardrail('InvocationServerErrors'),
  guardrail('InvocationThrottles'),
  guardrail('TextUnitCount'),
  guardrail('InvocationsIntervened'),
  governance('BedrockAccessDenied', [], 'stacks/management/organization-trail-stack.ts: metric filter on the organization trail\'s log group'),
  governance('MacieInvocationLogFindings', ['Severity'], 'stacks/observability/alert-event-metrics.ts: metric filter on the alert events'),
  governance('MemberAlarmsInAlarm', ['AccountId'], 'stacks/observability/alert-event-metrics.ts: metric filter on the alert events'),
  verification('ControlsInDrift'),
  verification('AccountsUnreadable'),
  lambda('Errors'),
  lambda('Throttles'),
  lambda('Invocations'),
  lambda('Duration', 'duration'),
  states('ExecutionsFailed'),
  states('ExecutionsTimedOut'),
  states('ExecutionsAborted'),
  sqs('ApproximateNumberOfMessagesVisible'),
  sqs('ApproximateAgeOfOldestMessage', 'duration'),
  ...tenantMetrics(),
];

const COUNT_STATISTICS = ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'];
const DURATION_STATISTICS = ['SampleCount', 'Average', 'Minimum', 'Maximum'];

/** One use of a metric by a widget or an alarm. */
export interface MetricUse {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly string[];
  /** CloudWatch statistic (`Sum`, `p90`…); Metrics Insights functions are mapped (`SUM` → `Sum`, `AVG` → `Average`). */
  readonly statistic: string;
}

/** Why `use` is not a metric AWS (or this app) publishes with that statistic, or undefined when it is. */
export function metricUseProblem(use: MetricUse): string | undefined {
  const sameName = METRIC_CATALOG.filter((m) => m.metricName === use.metricName);
  const definition = sameName.find((m) => m.namespace === use.namespace);
  if (!definition) {
    return sameName.length > 0
      ? `${use.metricName} is not in namespace ${use.namespace} (it is in ${sameName.map((m) => m.namespace).join(', ')})`
      : `${use.namespace} ${use.metricName} is not a metric of the catalog`;
  }
  const dims = [...use.dimensions].sort();
  if (!definition.dimensionSets.some((set) => set.length === dims.length && [...set].sort().every((d, i) => d === dims[i]))) {
    return `${use.namespace} ${use.metricName} is published with dimensions ${definition.dimensionSets.map((s) => `[${s.join(', ')}]`).join(' or ')}, not [${dims.join(', ')}]`;
  }
  const percentile = /^p(\d{1,2}(\.\d+)?|100)$/.test(use.statistic);
  const allowed = definition.kind === 'count' ? COUNT_STATISTICS.includes(use.statistic) : DURATION_STATISTICS.includes(use.statistic) || percentile;
  return allowed ? undefined : `${use.statistic} of ${use.metricName} (a ${definition.kind}) means nothing: use ${definition.kind === 'count' ? COUNT_STATISTICS.join(', ') : 'Average or a percentile'}`;
}
