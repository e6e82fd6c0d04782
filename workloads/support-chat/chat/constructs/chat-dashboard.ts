import { Stack } from 'aws-cdk-lib';
import { CfnDashboard, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_PROFILE_DIMENSION, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES, type SupportChatMetricName,
  type SupportChatService,
} from '../../../../contracts/support-chat-metrics';
import { LAMBDA } from '../../../../dashboards/metrics/catalog';
import { type DashboardDefinition, layOut, type MetricLine, type MetricWidget, type Widget } from '../../../../dashboards/widgets/layout';
import { supportManagerSection } from '../../analytics/constructs/manager-dashboard-section';

/** What the tenant dashboard shows. */
export interface ChatDashboardContext {
  /** The dashboard's name (one per account: the Region belongs in it). */
  readonly name: string;
  readonly region: string;
  /** The functions' names, for their Lambda errors and throttles. */
  readonly functionNames: readonly string[];
  /** ARNs of the tenant's alarms. */
  readonly alarmArns: readonly string[];
  /**
   * USD per million tokens of each profile the turn may call whose model has a price in `observability.modelPrices`
   * (the organization's list prices; check your own agreement). @default none: no cost widget
   */
  readonly prices?: readonly ProfilePrice[];
}

/** The price of one inference profile's tokens. */
export interface ProfilePrice {
  readonly profileId: string;
  readonly inputPerMillionTokens: number;
  readonly outputPerMillionTokens: number;
}

const FIVE_MINUTES = 300;

/** A line of one of the tenant's metrics: `[SupportChat, name, service, <service>, {stat, label…}]`. */
function tenant(service: SupportChatService, metricName: SupportChatMetricName, options: Record<string, unknown>): MetricLine {
  return [SUPPORT_CHAT_METRICS_NAMESPACE, metricName, SUPPORT_CHAT_SERVICE_DIMENSION, service, options];
}

function graph(title: string, region: string, metrics: readonly MetricLine[], options: { label?: string; stacked?: boolean; width?: number } = {}) {
  const widget: MetricWidget = {
    type: 'metric',
    properties: {
      title,
      region,
      view: 'timeSeries',
      stacked: options.stacked ?? false,
      period: FIVE_MINUTES,
      metrics,
      ...(options.label && { yAxis: { left: { label: options.label, min: 0 } } }),
    },
  };
  return { widget, width: options.width ?? 8, height: 6 };
}

const percentiles = (service: SupportChatService, metricName: SupportChatMetricName, what: string) =>
  ['p50', 'p95', 'p99'].map((stat) => tenant(service, metricName, { stat, label: `${what} ${stat}` }));
const sums = (service: SupportChatService, names: readonly SupportChatMetricName[]) => names.map((name) => tenant(service, name, { stat: 'Sum', label: name }));

/**
 * The support-chat tenant's dashboard (docs/adr/0008-support-chat-telemetry.md), from the EMF metrics its handlers
 * publish (`contracts/support-chat-metrics.ts`) and the functions' Lambda metrics: time to first token, turn latency, our own
 * overhead, tokens (in total and by answering profile), resilience (throttles, retries, fallbacks, open breakers), turns
 * by result, errors and the error rate, connections and messages, and the tenant's alarms.
 */
export function supportChatDashboard(ctx: ChatDashboardContext): DashboardDefinition {
  const { region } = ctx;
  const { turn, relay, authorizer } = SUPPORT_CHAT_SERVICES;
  const text: Widget = {
    type: 'text',
    properties: {
      markdown: [
        `# Support chat in ${region}`,
        'One data point per turn, from the turn function (`service` = `support-chat-turn`) and the relay (`support-chat-relay`), namespace `SupportChat`. '
        + 'Time to first token is from the turn\'s start to its first text; the relay\'s line adds the Lambda invocation. Turn latency, overhead and model time '
        + 'count turns that called a model; overhead is our own time (turn latency less model time and backoff). Tokens are the answers\' (the classifier\'s are '
        + 'in AWS/Bedrock). An error is a turn that failed (model unavailable, deadline) or threw; a guardrail intervention is not. '
        + (ctx.prices && ctx.prices.length > 0
          ? 'The cost is an estimate of the answers\' tokens at the organization\'s `observability.modelPrices` (list prices of the base models: '
            + 'a geographic profile may cost more, docs/adr/0008-support-chat-telemetry.md).'
          : 'No cost line: no profile the turn may call has a price in `observability.modelPrices`.'),
      ].join('\n'),
    },
  };
  const errorRate: MetricLine = [{ id: 'rate', expression: '100 * FILL(errors, 0) / turns', label: 'Error rate (%)' }];
  // Every profile that answered (AppConfig may change them), as a SEARCH over the per-profile metrics of the turn.
  const tokensByProfile = (id: string, metricName: string): MetricLine => [{
    id,
    expression: `SEARCH('{${SUPPORT_CHAT_METRICS_NAMESPACE},${SUPPORT_CHAT_SERVICE_DIMENSION},${SUPPORT_CHAT_PROFILE_DIMENSION}} MetricName="${metricName}" ${SUPPORT_CHAT_SERVICE_DIMENSION}="${turn}"', 'Sum', ${FIVE_MINUTES})`,
    label: metricName,
  }];
  return layOut(ctx.name, [
    { widget: text, width: 24, height: 3 },
    graph('Time to first token (ms)', region, [
      ...percentiles(turn, 'TimeToFirstToken', 'turn'),
      tenant(relay, 'TimeToFirstChunk', { stat: 'p95', label: 'relay p95' }),
    ], { label: 'ms' }),
    graph('Turn latency (ms)', region, percentiles(turn, 'TurnLatency', 'turn'), { label: 'ms' }),
    graph('Our overhead and the model\'s time per turn (ms)', region, [
      ...['p50', 'p95'].map((stat) => tenant(turn, 'Overhead', { stat, label: `overhead ${stat}` })),
      tenant(turn, 'ModelTime', { stat: 'p50', label: 'model time p50' }),
      tenant(turn, 'BackoffTime', { stat: 'Average', label: 'backoff average' }),
    ], { label: 'ms' }),
    graph('Turns by result', region, sums(turn, ['TurnsAnswered', 'TurnsReplayed', 'TurnsDegraded', 'TurnsRefused', 'TurnsFailed', 'TurnsGone', 'TurnsHandedOff']), { stacked: true }),
    graph('Errors and error rate', region, [
      tenant(turn, 'Errors', { stat: 'Sum', label: 'turn errors', id: 'errors' }),
      tenant(turn, 'Turns', { stat: 'Sum', label: 'turns', id: 'turns', visible: false }),
      errorRate,
      tenant(relay, 'Errors', { stat: 'Sum', label: 'relay errors' }),
      tenant(authorizer, 'Errors', { stat: 'Sum', label: 'authorizer errors' }),
    ]),
    graph('Throttles, retries, fallbacks, open breakers', region, sums(turn, ['Throttles', 'Retries', 'Fallbacks', 'BreakerOpen'])),
    graph('Answer tokens', region, sums(turn, ['InputTokens', 'OutputTokens'])),
    graph('Answer tokens by inference profile', region, [tokensByProfile('pin', 'InputTokens'), tokensByProfile('pout', 'OutputTokens')]),
    ...(ctx.prices && ctx.prices.length > 0 ? [graph('Estimated cost of the answers (USD per 5 minutes)', region, costLines(ctx.prices), { label: 'USD', stacked: true })] : []),
    graph('Connections and messages', region, [
      ...sums(authorizer, ['ConnectionsAuthorized', 'ConnectionsRefused']),
      ...sums(relay, ['Messages', 'ClientGone']),
    ]),
    graph('Lambda errors and throttles by function', region, ctx.functionNames.flatMap((name) => ['Errors', 'Throttles'].map((metric): MetricLine =>
      [LAMBDA, metric, 'FunctionName', name, { stat: 'Sum', label: `${name} ${metric}` }])), { width: 12 }),
    { widget: { type: 'alarm', properties: { title: 'Support-chat alarms', alarms: [...ctx.alarmArns], sortBy: 'stateUpdatedTimestamp' } }, width: 12, height: 6 },
    ...supportManagerSection(region),
  ]);
}

/** Per priced profile: its answers' tokens (hidden) and their cost at the configured price per million. */
function costLines(prices: readonly ProfilePrice[]): MetricLine[] {
  const { turn } = SUPPORT_CHAT_SERVICES;
  return prices.flatMap((price, i): MetricLine[] => [
    ...(['InputTokens', 'OutputTokens'] as const).map((metricName): MetricLine => [
      SUPPORT_CHAT_METRICS_NAMESPACE, metricName, SUPPORT_CHAT_SERVICE_DIMENSION, turn, SUPPORT_CHAT_PROFILE_DIMENSION, price.profileId,
      { stat: 'Sum', id: `${metricName === 'InputTokens' ? 'in' : 'out'}${i}`, visible: false },
    ]),
    [{
      id: `cost${i}`,
      expression: `(FILL(in${i}, 0) * ${price.inputPerMillionTokens} + FILL(out${i}, 0) * ${price.outputPerMillionTokens}) / 1000000`,
      label: `${price.profileId} (USD)`,
    }],
  ]);
}

/** Properties of `ChatDashboard`. */
export interface ChatDashboardProps {
  readonly dashboardName: string;
  readonly functionNames: readonly string[];
  readonly alarms: readonly IAlarm[];
  /** @default none: no cost widget */
  readonly prices?: readonly ProfilePrice[];
}

/** The tenant dashboard (`supportChatDashboard`) as an `AWS::CloudWatch::Dashboard` of the stack's Region. */
export class ChatDashboard extends Construct {
  public readonly dashboard: CfnDashboard;
  public readonly definition: DashboardDefinition;

  constructor(scope: Construct, id: string, props: ChatDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.definition = supportChatDashboard({
      name: props.dashboardName,
      region: stack.region,
      functionNames: props.functionNames,
      alarmArns: props.alarms.map((a) => a.alarmArn),
      prices: props.prices,
    });
    this.dashboard = new CfnDashboard(this, 'Resource', { dashboardName: props.dashboardName, dashboardBody: stack.toJsonString(this.definition.body) });
  }
}
