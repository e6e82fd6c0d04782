import { Duration } from 'aws-cdk-lib';
import { AlarmRule, AlarmState, CfnAlarm, CompositeAlarm, type IAlarmRule } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { accountUsageQuery, USAGE_METRICS } from '../../dashboards/metrics/bedrock-metrics';
import { GOVERNANCE_METRICS_NAMESPACE } from '../../dashboards/metrics/catalog';
import { METRICS_INSIGHTS_BUDGET, METRICS_INSIGHTS_QUOTAS } from '../../dashboards/metrics/metrics-insights';

/** CloudFormation quota: a composite alarm's rule holds at most 10,240 characters. */
const MAX_COMPOSITE_RULE_CHARACTERS = 10240;

/** A usage metric the organization alarms watch per approved model: `Invocations`, `InputTokenCount`, `OutputTokenCount`. */
export type UsageMetric = typeof USAGE_METRICS[number];
/** The token metrics behind the composite token-usage alarm (critical): the usage Bedrock's on-demand prices follow. */
const TOKEN_METRICS = new Set<UsageMetric>(['InputTokenCount', 'OutputTokenCount']);

/** The alert topics by severity: where each alarm's actions go. */
export interface SeverityTopics {
  /** Token usage: an account's input or output tokens of an approved model are above their hourly limit (what the bill follows). */
  readonly critical: ITopic;
  /** A control reports a problem: AccessDenied surge, personal data in invocation logs, a member alarm fired. */
  readonly high: ITopic;
  /** An account's usage of one approved model is above its hourly limit: one message per model as its first alarm goes into ALARM. */
  readonly medium: ITopic;
}

/** An approved model the organization alarms watch. */
export interface OrganizationAlarmModel {
  /** The model id (`bedrock.approvedModels[].modelId`): groups the model's alarms in its composite alarms. */
  readonly modelId: string;
  /**
   * The `ModelId` dimension values its usage is reported under: the model's own id and its inference-profile ids. Each
   * gets one alarm per usage metric, named and keyed by it.
   */
  readonly metricModelIds: readonly string[];
  /** Per usage metric, the most one account may use of one of `metricModelIds` in one `period` before its alarm fires. */
  readonly accountLimits: Readonly<Record<UsageMetric, number>>;
}

/** Properties of `OrganizationAlarms`. */
export interface OrganizationAlarmsProps {
  /** The approved models: one alarm per metric model id and usage metric each. */
  readonly models: readonly OrganizationAlarmModel[];
  /**
   * How many accounts link their `AWS/Bedrock` metrics to the sink (the baseline's accounts). It sets no alarm: every
   * query reads all of them. It is checked against the metrics one query processes: one metric per account.
   */
  readonly sourceAccountCount: number;
  /**
   * The period the usage alarms sum over; with `evaluationPeriods` it must stay within the 3 hours a Metrics Insights
   * alarm evaluates.
   *
   * @default Duration.hours(1) (the limits are hourly: `observability.accountHourlyLimits`)
   */
  readonly period?: Duration;
  /**
   * Periods a usage alarm evaluates; one above its limit is enough.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /** Width of the Bedrock AccessDenied anomaly band (home Region), in standard deviations. */
  readonly anomalyBandStandardDeviations: number;
  /** The alert topics the alarms notify, by severity. */
  readonly topics: SeverityTopics;
  /** Whether this is the home Region, which also alarms on the metrics published there (trail AccessDenied, alert events). */
  readonly isHomeRegion: boolean;
  /** The management account, which publishes the organization trail's `BedrockAccessDenied`. */
  readonly managementAccountId: string;
}

/**
 * DASH-1's alarms in the audit account, one set per governed Region. Its size depends on the approved models and the
 * Region, never on the number of accounts:
 *
 * - per approved model × metric model id (base and profile ids) × `Invocations`, `InputTokenCount`, `OutputTokenCount`:
 *   a multiple-time-series alarm on a Metrics Insights query (`accountUsageQuery`: `SUM` of the metric `WHERE ModelId
 *   = '<id>' GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 500`) over every account linked to the OAM sink. Each
 *   account is a contributor; one above its hourly limit (`observability.accountHourlyLimits`) puts the alarm into
 *   ALARM. These alarms have no actions of their own: CloudWatch sends an SNS message for every contributor of a
 *   multi-time-series alarm as well as for the alarm
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Acting_Alarm_Changes.html), so one runaway client
 *   shared by 200 accounts would page 200 times per metric and id. An anomaly band is not used: AWS documents anomaly
 *   detection on single metrics and metric math (at most 10 metrics), not on Metrics Insights queries
 *   (docs/adr/0005-organization-alarms-metrics-insights.md); per-account anomaly bands stay with the members' BL-MON-1
 *   alarms, counted by `MemberAlarmsInAlarm`;
 * - per approved model, `genai-governance-usage-above-limit-<model>`: a composite alarm, in ALARM when any of the
 *   model's usage alarms is → medium. One message when the model's first alarm goes into ALARM, naming that alarm in
 *   its state reason; `describe-alarm-contributors` on it lists the accounts (docs/adr/0011-three-layers-of-usage-and-spend-anomalies.md);
 * - `genai-governance-token-usage-above-limit`: a composite alarm, in ALARM when any token alarm is → critical;
 * - in the home Region: an anomaly alarm on the organization trail's `BedrockAccessDenied` (management account), and
 *   Metrics Insights threshold alarms on Macie findings in invocation logs and member alarms going into ALARM → high.
 *
 * Synth fails when the Metrics Insights quotas lose their 20 % headroom: more than 160 Metrics Insights alarms in the
 * Region (200 by default), more than 8,000 source accounts (a query processes 10,000 metrics), a query longer than
 * 1,638 characters (2,048), or a period and evaluation beyond the 3 hours an alarm evaluates.
 */
export class OrganizationAlarms extends Construct {
  /** Every alarm, composite ones included. */
  public readonly alarms: (CfnAlarm | CompositeAlarm)[] = [];

  constructor(scope: Construct, id: string, props: OrganizationAlarmsProps) {
    super(scope, id);
    const { topics } = props;
    const period = props.period ?? Duration.hours(1);
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    const evaluated = period.toSeconds() * evaluationPeriods;
    if (evaluated > METRICS_INSIGHTS_QUOTAS.alarmEvaluationSeconds) {
      throw new Error(`DASH-1: the organization usage alarms evaluate ${evaluationPeriods} × ${period.toSeconds()} s = ${evaluated} s; a Metrics Insights `
        + `alarm evaluates at most the latest ${METRICS_INSIGHTS_QUOTAS.alarmEvaluationSeconds} s (3 hours)`);
    }
    if (props.sourceAccountCount > METRICS_INSIGHTS_BUDGET.metricsPerQuery) {
      throw new Error(`DASH-1: ${props.sourceAccountCount} source accounts; each organization usage query reads one metric per account, a Metrics Insights `
        + `query processes at most ${METRICS_INSIGHTS_QUOTAS.metricsPerQuery} and this app keeps 20 % headroom (at most ${METRICS_INSIGHTS_BUDGET.metricsPerQuery} accounts)`);
    }
    const tokens = new Map<string, CfnAlarm[]>();
    for (const model of props.models) {
      const modelAlarms: CfnAlarm[] = [];
      for (const metricModelId of model.metricModelIds) {
        for (const metricName of USAGE_METRICS) {
          const limit = model.accountLimits[metricName];
          const expression = accountUsageQuery(metricName, metricModelId);
          // Keyed by the metric model id, never by a position: reordering the approved models moves no alarm (ADR 0003).
          const alarm = new CfnAlarm(this, `${metricName}${metricModelId}`.replace(/[^A-Za-z0-9]/g, ''), {
            alarmName: `${GOVERNANCE_NAME_PREFIX}org-${metricName}-${metricModelId}`.slice(0, 255),
            alarmDescription: `DASH-1: an account used more than ${limit} ${metricName} of ${metricModelId} (approved model ${model.modelId}) `
              + `in ${period.toHumanString()}; each account linked to the observability sink is a contributor (describe-alarm-contributors names them)`,
            comparisonOperator: 'GreaterThanThreshold',
            threshold: limit,
            evaluationPeriods,
            treatMissingData: 'notBreaching',
            metrics: [{ id: 'accounts', expression, period: period.toSeconds(), returnData: true }],
          });
          this.alarms.push(alarm);
          modelAlarms.push(alarm);
          if (TOKEN_METRICS.has(metricName)) tokens.set(model.modelId, [...tokens.get(model.modelId) ?? [], alarm]);
        }
      }
      if (modelAlarms.length > 0) this.usageAboveLimit(model.modelId, modelAlarms, topics.medium);
    }
    if (tokens.size > 0) this.tokenUsageAboveLimit(tokens, topics);
    if (props.isHomeRegion) this.homeRegionAlarms(props);
    this.checkMetricsInsightsBudget();
  }

  /** The alarms whose only query is a Metrics Insights query (`SELECT …`): the ones the Metrics Insights quotas count. */
  public get metricsInsightsAlarms(): CfnAlarm[] {
    return this.alarms.filter((a): a is CfnAlarm => a instanceof CfnAlarm && metricsOf(a).some((q) => /^\s*SELECT\b/i.test(q.expression ?? '')));
  }

  private checkMetricsInsightsBudget(): void {
    const insights = this.metricsInsightsAlarms;
    if (insights.length > METRICS_INSIGHTS_BUDGET.alarmsPerRegion) {
      throw new Error(`DASH-1: ${insights.length} Metrics Insights alarms in this Region; the quota is ${METRICS_INSIGHTS_QUOTAS.alarmsPerRegion} per account and `
        + `Region by default and this app keeps 20 % headroom (at most ${METRICS_INSIGHTS_BUDGET.alarmsPerRegion}): approve fewer models or geographies`);
    }
    for (const alarm of insights) {
      for (const { expression = '' } of metricsOf(alarm)) {
        if (expression.length > METRICS_INSIGHTS_BUDGET.expressionCharacters) {
          throw new Error(`DASH-1: the query of ${alarm.alarmName} has ${expression.length} characters; CloudFormation takes at most `
            + `${METRICS_INSIGHTS_QUOTAS.expressionCharacters} and this app keeps 20 % headroom (at most ${METRICS_INSIGHTS_BUDGET.expressionCharacters})`);
        }
      }
    }
  }

  /**
   * One composite per approved model over all its usage alarms, the only one of them that notifies medium: a composite
   * alarm acts on its own state changes, never per contributor. Its rule names its alarms (CloudWatch takes a name or an
   * ARN), so it depends on each explicitly.
   */
  private usageAboveLimit(modelId: string, alarms: readonly CfnAlarm[], medium: ITopic): void {
    const name = `${GOVERNANCE_NAME_PREFIX}usage-above-limit-${modelId}`.slice(0, 255);
    const rule = anyInAlarm(alarms.map((a) => a.alarmName!));
    if (rule.renderAlarmRule().length > MAX_COMPOSITE_RULE_CHARACTERS) {
      throw new Error(`DASH-1: the rule of ${name} names ${alarms.length} alarms in ${rule.renderAlarmRule().length} characters; a composite alarm rule holds at most ${MAX_COMPOSITE_RULE_CHARACTERS}`);
    }
    const composite = new CompositeAlarm(this, `UsageAboveLimit${modelId.replace(/[^A-Za-z0-9]/g, '')}`, {
      compositeAlarmName: name,
      alarmDescription: `DASH-1: an account's usage of ${modelId} is above its hourly limit. The state reason names the alarm that fired; `
        + '`aws cloudwatch describe-alarm-contributors --alarm-name <that alarm>` lists every account above the limit',
      alarmRule: rule,
    });
    composite.addAlarmAction(new SnsAction(medium));
    composite.node.addDependency(...alarms);
    this.alarms.push(composite);
    const reason = `Notifies through the composite alarm ${name} that names it (action: the medium topic); an action of its own would send one SNS `
      + 'message per contributor account as well (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Acting_Alarm_Changes.html)';
    for (const alarm of alarms) {
      acknowledgeFinding(alarm,
        { id: 'cdk-validator-cfnguard::cloudwatch_alarm_action_check', reason },
        { id: 'NIST.800.53.R5::NIST.800.53.R5-CloudWatchAlarmAction', reason },
        { id: 'HIPAA.Security::HIPAA.Security-CloudWatchAlarmAction', reason });
    }
  }

  /**
   * The composite token-usage alarm over the token alarms (critical). A composite rule holds at most 10,240 characters,
   * so past that the rule names one composite per model (`genai-governance-token-usage-above-limit-<model>`, each over
   * that model's token alarms).
   */
  private tokenUsageAboveLimit(tokens: Map<string, CfnAlarm[]>, topics: SeverityTopics): void {
    const all = [...tokens.values()].flat();
    let members: { readonly alarm: CfnAlarm | CompositeAlarm; readonly name: string }[] = all.map((alarm) => ({ alarm, name: alarm.alarmName! }));
    if (anyInAlarm(members.map((m) => m.name)).renderAlarmRule().length > MAX_COMPOSITE_RULE_CHARACTERS) {
      members = [...tokens.entries()].map(([modelId, alarms]) => {
        const name = `${GOVERNANCE_NAME_PREFIX}token-usage-above-limit-${modelId}`.slice(0, 255);
        const perModel = new CompositeAlarm(this, `TokenUsageAboveLimit${modelId.replace(/[^A-Za-z0-9]/g, '')}`, {
          compositeAlarmName: name,
          alarmDescription: `DASH-1: an account's input or output tokens of ${modelId} are above their hourly limit`,
          alarmRule: anyInAlarm(alarms.map((a) => a.alarmName!)),
        });
        perModel.node.addDependency(...alarms);
        this.alarms.push(perModel);
        return { alarm: perModel, name };
      });
    }
    const composite = new CompositeAlarm(this, 'TokenUsageAboveLimit', {
      compositeAlarmName: `${GOVERNANCE_NAME_PREFIX}token-usage-above-limit`,
      alarmDescription: 'DASH-1: an account\'s input or output tokens of at least one approved model are above their hourly limit (usage, not billed '
        + 'spend: Cost Anomaly Detection watches the bill, docs/adr/0011-three-layers-of-usage-and-spend-anomalies.md)',
      alarmRule: anyInAlarm(members.map((m) => m.name)),
    });
    composite.addAlarmAction(new SnsAction(topics.critical));
    composite.node.addDependency(...members.map((m) => m.alarm));
    this.alarms.push(composite);
  }

  private homeRegionAlarms(props: OrganizationAlarmsProps): void {
    const band = props.anomalyBandStandardDeviations;
    const high = [props.topics.high.topicArn];
    this.alarms.push(new CfnAlarm(this, 'BedrockAccessDenied', {
      alarmName: `${GOVERNANCE_NAME_PREFIX}bedrock-access-denied-anomaly`,
      alarmDescription: `DASH-1: Bedrock calls denied across the organization (organization trail) above their anomaly band (${band} standard deviations, 5 minutes)`,
      comparisonOperator: 'GreaterThanUpperThreshold',
      evaluationPeriods: 1,
      thresholdMetricId: 'band',
      treatMissingData: 'notBreaching',
      alarmActions: high,
      metrics: [
        {
          id: 'denied',
          accountId: props.managementAccountId,
          returnData: true,
          metricStat: { metric: { namespace: GOVERNANCE_METRICS_NAMESPACE, metricName: 'BedrockAccessDenied' }, period: 300, stat: 'Sum' },
        },
        { id: 'band', expression: `ANOMALY_DETECTION_BAND(denied, ${band})`, returnData: true },
      ],
    }));
    const anyOf = (id: string, name: string, description: string, query: string) => this.alarms.push(new CfnAlarm(this, id, {
      alarmName: `${GOVERNANCE_NAME_PREFIX}${name}`,
      alarmDescription: description,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
      alarmActions: high,
      metrics: [{ id: 'q', expression: query, period: 300, returnData: true }],
    }));
    anyOf('MacieInvocationLogFindings', 'macie-invocation-log-findings', 'DASH-1: Macie found sensitive data in Bedrock invocation logs (any severity)',
      `SELECT SUM(MacieInvocationLogFindings) FROM SCHEMA("${GOVERNANCE_METRICS_NAMESPACE}", Severity)`);
    anyOf('MemberAlarmsInAlarm', 'member-alarms-in-alarm', 'DASH-1: a member account\'s baseline alarm went into ALARM (BL-MON-1)',
      `SELECT SUM(MemberAlarmsInAlarm) FROM SCHEMA("${GOVERNANCE_METRICS_NAMESPACE}", AccountId)`);
  }
}

/** A composite rule in ALARM when any of the named alarms is. */
function anyInAlarm(alarmNames: readonly string[]): IAlarmRule {
  return AlarmRule.anyOf(...alarmNames.map((name) => AlarmRule.fromString(`${AlarmState.ALARM}("${name}")`)));
}

/** An alarm's metric data queries, as given to its constructor. */
function metricsOf(alarm: CfnAlarm): CfnAlarm.MetricDataQueryProperty[] {
  return (alarm.metrics ?? []) as CfnAlarm.MetricDataQueryProperty[];
}
