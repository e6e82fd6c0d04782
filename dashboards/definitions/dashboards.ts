import type { GovernanceConfig } from '../../config/schema';
import { AUDIT_WORKGROUP } from '../../contracts/audit-analytics-names';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { SPEND_ANOMALY_NAMES } from '../../contracts/spend-anomaly-names';
import { AUDIT_DATABASE } from '../athena/tables';
import { metricModelIds } from '../metrics/bedrock-metrics';
import { BEDROCK, BEDROCK_GUARDRAILS, GOVERNANCE_METRICS_NAMESPACE } from '../metrics/catalog';
import { type DashboardDefinition, insights, layOut, type MetricLine, search, type Widget } from '../widgets/layout';

/** Name prefix of the dashboards; the Region is appended (dashboard names are global in an account). */
export const DASHBOARD_PREFIX = 'genai-governance';

/** What a dashboard needs besides the config: where it is, and the alarms it shows. */
export interface DashboardContext {
  readonly config: GovernanceConfig;
  /** The governed Region the dashboard shows (its metrics, its alarms). */
  readonly region: string;
  /** ARNs of the alarms the governance-health dashboard lists (this Region's organization-level alarms). */
  readonly alarmArns: readonly string[];
  /** The management account (the trail's AccessDenied metric lives there, in the home Region). */
  readonly managementAccountId: string;
}

const HOUR = 3600;
const FIVE_MINUTES = 300;

function intro(title: string, howToRead: string, query: string, question: string): { widget: Widget; width: number; height: number } {
  return {
    widget: {
      type: 'text',
      properties: {
        markdown: `# ${title}\n${howToRead}\n\n**Drill down in Athena:** workgroup \`${AUDIT_WORKGROUP}\`, database \`${AUDIT_DATABASE}\`, saved query \`${query}\` (${question}).`,
      },
    },
    width: 24,
    height: 4,
  };
}

interface GraphOptions {
  readonly stat?: string;
  readonly period?: number;
  readonly width?: number;
  /** Left y-axis label; the axis then starts at 0. */
  readonly label?: string;
}

function graph(title: string, region: string, metrics: readonly MetricLine[], options: GraphOptions = {}) {
  return {
    widget: {
      type: 'metric' as const,
      properties: {
        title,
        region,
        view: 'timeSeries' as const,
        stacked: false,
        period: options.period ?? HOUR,
        ...(options.stat && { stat: options.stat }),
        metrics,
        ...(options.label && { yAxis: { left: { label: options.label, min: 0 } } }),
      },
    },
    width: options.width ?? 12,
    height: 6,
  };
}

const sumBy = (metric: string, groupBy: 'ModelId' | 'AWS.AccountId') =>
  `SELECT SUM(${metric}) FROM SCHEMA("${BEDROCK}", ModelId) GROUP BY ${groupBy} ORDER BY SUM() DESC LIMIT 20`;

/** Estimated cost per priced model: tokens of every linked account (SEARCH) times the configured price per million. */
function costLines(config: GovernanceConfig): MetricLine[] {
  return config.observability.modelPrices.map((price, i) => {
    const approved = config.bedrock.approvedModels.find((m) => m.modelId === price.modelId)!;
    const ids = metricModelIds(config, approved).map((id) => `ModelId="${id}"`).join(' OR ');
    const tokens = (metric: string) => `SUM(SEARCH('{${BEDROCK},ModelId} MetricName="${metric}" (${ids})', 'Sum', ${HOUR}))`;
    const expression = `(${tokens('InputTokenCount')} * ${price.inputPerMillionTokens} + ${tokens('OutputTokenCount')} * ${price.outputPerMillionTokens}) / 1000000`;
    return [{ id: `cost${i}`, expression, label: `${price.modelId} (USD)` }];
  });
}

/**
 * Which of DASH-1's three anomaly layers answers which question, how soon, and where it notifies
 * (docs/adr/0011-three-layers-of-usage-and-spend-anomalies.md).
 */
function anomalyLayers(ctx: DashboardContext): { widget: Widget; width: number; height: number } {
  const spend = ctx.config.observability.spendAnomalies;
  const costLayer = spend.enabled
    ? `**Is the bill running away?** Cost Anomaly Detection in the management account (${ctx.managementAccountId}), monitor \`${SPEND_ANOMALY_NAMES.monitor}\` `
      + `(cost category \`${SPEND_ANOMALY_NAMES.costCategory}\`, every linked account): an anomaly of at least ${spend.minimumImpactUsd} USD → topic `
      + `\`${SPEND_ANOMALY_NAMES.topic}\` there. Billing data, up to 24 h late; third-party models billed through AWS Marketplace only if their service codes are configured.`
    : '**Is the bill running away?** Cost Anomaly Detection is off (`observability.spendAnomalies.enabled: false`).';
  return {
    widget: {
      type: 'text',
      properties: {
        markdown: '## Three layers of anomalies: which one answers what\n'
          + '- **Is one account unusual for itself?** BL-MON-1 anomaly bands in each member account and Region (hourly, per model); '
          + 'counted on the governance-health dashboard as member alarms into ALARM.\n'
          + `- **Is one account above its limit, anywhere in the organization?** DASH-1 Metrics Insights thresholds in this Region (hourly, every linked account): \`${GOVERNANCE_NAME_PREFIX}usage-above-limit-<model>\` → medium, `
          + `\`${GOVERNANCE_NAME_PREFIX}token-usage-above-limit\` → critical; \`describe-alarm-contributors\` names the accounts.\n`
          + `- ${costLayer}`,
      },
    },
    width: 24,
    height: 4,
  };
}

/** GenAI usage: invocations, tokens, latency, time to first token, throttles and errors, estimated cost. */
export function usageDashboard(ctx: DashboardContext): DashboardDefinition {
  const { region, config } = ctx;
  const priced = config.observability.modelPrices.map((p) => p.modelId);
  const unpriced = config.bedrock.approvedModels.map((m) => m.modelId).filter((m) => !priced.includes(m));
  return layOut(`${DASHBOARD_PREFIX}-usage-${region}`, [
    intro(`GenAI usage in ${region}, every governed account`,
      'Sums over every account linked to the audit account (CloudWatch cross-account observability). `ModelId` is the model or inference profile as invoked. '
      + 'Latency and time to first token are percentiles per model; throttles are not counted in invocations or errors. The cost is an estimate from '
      + `\`observability.modelPrices\` (on-demand list prices)${unpriced.length > 0 ? `; not priced: ${unpriced.join(', ')}` : ''}.`,
      'invocations-by-account-model-day', 'invocations and tokens by account, model and day'),
    anomalyLayers(ctx),
    graph('Invocations by model', region, [insights('q1', sumBy('Invocations', 'ModelId'), 'Invocations')]),
    graph('Invocations by account', region, [insights('q1', sumBy('Invocations', 'AWS.AccountId'), 'Invocations')]),
    graph('Input tokens by model', region, [insights('q1', sumBy('InputTokenCount', 'ModelId'), 'Input tokens')]),
    graph('Output tokens by model', region, [insights('q1', sumBy('OutputTokenCount', 'ModelId'), 'Output tokens')]),
    graph('Input tokens by account', region, [insights('q1', sumBy('InputTokenCount', 'AWS.AccountId'), 'Input tokens')]),
    graph('Output tokens by account', region, [insights('q1', sumBy('OutputTokenCount', 'AWS.AccountId'), 'Output tokens')]),
    graph('Invocation latency p50 / p90 / p99 (ms)', region, ['p50', 'p90', 'p99'].map((p, i) =>
      search(`l${i}`, [BEDROCK, 'ModelId'], 'InvocationLatency', p, FIVE_MINUTES)), { period: FIVE_MINUTES, label: 'ms' }),
    graph('Time to first token p50 / p90 (ms, streaming)', region, ['p50', 'p90'].map((p, i) =>
      search(`t${i}`, [BEDROCK, 'ModelId'], 'TimeToFirstToken', p, FIVE_MINUTES)), { period: FIVE_MINUTES, label: 'ms' }),
    graph('Throttles, client and server errors', region, [
      insights('th', `SELECT SUM(InvocationThrottles) FROM SCHEMA("${BEDROCK}", ModelId)`, 'Throttles'),
      insights('ce', `SELECT SUM(InvocationClientErrors) FROM SCHEMA("${BEDROCK}", ModelId)`, 'Client errors'),
      insights('se', `SELECT SUM(InvocationServerErrors) FROM SCHEMA("${BEDROCK}", ModelId)`, 'Server errors'),
    ], { period: FIVE_MINUTES }),
    graph('Estimated on-demand cost per hour (USD)', region, costLines(config), { label: 'USD' }),
  ]);
}

/** Guardrails: interventions by policy type and by input/output, and the guardrail's own load. */
export function guardrailsDashboard(ctx: DashboardContext): DashboardDefinition {
  const { region } = ctx;
  return layOut(`${DASHBOARD_PREFIX}-guardrails-${region}`, [
    intro(`Guardrails in ${region}, every governed account`,
      'What the enforced guardrail did. `InvocationsIntervened` counts blocks and anonymizations; prompt attacks are counted under `ContentPolicy`. '
      + 'Input is the prompt, Output the model\'s response.',
      'guardrail-interventions', 'which invocations the guardrail intervened in, and why (investigator role: reads bodies)'),
    graph('Interventions by policy type', region, [search('p', [BEDROCK_GUARDRAILS, 'GuardrailPolicyType'], 'InvocationsIntervened', 'Sum', FIVE_MINUTES)],
      { period: FIVE_MINUTES }),
    graph('Interventions by input / output', region, [search('s', [BEDROCK_GUARDRAILS, 'GuardrailContentSource'], 'InvocationsIntervened', 'Sum', FIVE_MINUTES)],
      { period: FIVE_MINUTES }),
    graph('Guardrail evaluations and text units', region, [
      search('i', [BEDROCK_GUARDRAILS, 'Operation'], 'Invocations', 'Sum', FIVE_MINUTES, 'Evaluations'),
      search('u', [BEDROCK_GUARDRAILS, 'Operation'], 'TextUnitCount', 'Sum', FIVE_MINUTES, 'Text units'),
    ], { period: FIVE_MINUTES }),
    graph('Guardrail latency p90 (ms)', region, [search('l', [BEDROCK_GUARDRAILS, 'Operation'], 'InvocationLatency', 'p90', FIVE_MINUTES)],
      { period: FIVE_MINUTES, label: 'ms' }),
  ]);
}

/** Governance health: invocation-log delivery, AccessDenied on Bedrock, Macie findings on invocation logs, alarm states. */
export function governanceHealthDashboard(ctx: DashboardContext): DashboardDefinition {
  const { region, config } = ctx;
  const home = config.organization.homeRegion;
  const delivery = ['ModelInvocationLogsS3DeliveryFailure', 'ModelInvocationLogsCloudWatchDeliveryFailure', 'ModelInvocationLargeDataS3DeliveryFailure'];
  return layOut(`${DASHBOARD_PREFIX}-governance-health-${region}`, [
    intro(`Governance health in ${region}`,
      'Every line should stay at zero. Delivery failures mean evidence is missing for that account; AccessDenied on Bedrock (from the organization trail, '
      + `all Regions, published in ${home}) means direct or unapproved invocations were blocked; Macie findings on invocation logs mean personal data `
      + 'in prompts or responses; member alarms count baseline alarms that went into ALARM.',
      'denied-bedrock-invocations', 'which principals were denied Bedrock calls, where and why'),
    graph('Invocation-log delivery failures by account', region, delivery.map((metric, i) =>
      insights(`d${i}`, `SELECT SUM(${metric}) FROM SCHEMA("${BEDROCK}") GROUP BY AWS.AccountId`, metric)), { period: FIVE_MINUTES }),
    graph('Bedrock AccessDenied (organization trail, all Regions)', home, [
      [GOVERNANCE_METRICS_NAMESPACE, 'BedrockAccessDenied', { accountId: ctx.managementAccountId, stat: 'Sum', label: 'AccessDenied' }],
    ], { period: FIVE_MINUTES }),
    graph('Macie findings on invocation logs by severity', home, [
      search('m', [GOVERNANCE_METRICS_NAMESPACE, 'Severity'], 'MacieInvocationLogFindings', 'Sum', HOUR),
    ]),
    graph('Member baseline alarms into ALARM by account', home, [
      search('a', [GOVERNANCE_METRICS_NAMESPACE, 'AccountId'], 'MemberAlarmsInAlarm', 'Sum', HOUR),
    ]),
    { widget: { type: 'alarm', properties: { title: `Organization-level alarms in ${region}`, alarms: [...ctx.alarmArns], sortBy: 'stateUpdatedTimestamp' } }, width: 24, height: 6 },
  ]);
}

/** The three dashboards of one governed Region. */
export function dashboardsFor(ctx: DashboardContext): DashboardDefinition[] {
  return [usageDashboard(ctx), guardrailsDashboard(ctx), governanceHealthDashboard(ctx)];
}
