import { Annotations } from 'aws-cdk-lib';
import { AlarmRule, AlarmState, CfnAlarm, CompositeAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { modelUsageAnomalyMetrics } from '../../dashboards/metrics/bedrock-metrics';
import { GOVERNANCE_METRICS_NAMESPACE } from '../../dashboards/metrics/catalog';

/** CloudWatch quota: an alarm's metric math may read at most 10 metrics (`MetricStat`). */
export const MAX_METRICS_PER_ALARM = 10;
/**
 * Most per-model organization alarms one Regional stack holds: each reads up to 10 metrics (about 3.5 KB of template),
 * so 90 keep the template near 300 KB and synth quick. Past it they are left out with a synth warning (class comment).
 */
export const MAX_MODEL_ALARMS_PER_STACK = 90;
/** CloudFormation quota: a composite alarm's rule holds at most 10,240 characters. */
const MAX_COMPOSITE_RULE_CHARACTERS = 10240;

/** The usage metrics the organization-level anomaly alarms watch per approved model. */
export const ORGANIZATION_USAGE_METRICS = ['Invocations', 'InputTokenCount', 'OutputTokenCount'] as const;
/** The token metrics behind the composite spend anomaly. */
const SPEND_METRICS = new Set<string>(['InputTokenCount', 'OutputTokenCount']);

/** The alert topics by severity: where each alarm's actions go. */
export interface SeverityTopics {
  /** Spend anomaly: the bill is running away. */
  readonly critical: ITopic;
  /** A control reports a problem: AccessDenied surge, personal data in invocation logs, a member alarm fired. */
  readonly high: ITopic;
  /** Unusual usage of one model. */
  readonly medium: ITopic;
}

/** An approved model the organization alarms watch. */
export interface OrganizationAlarmModel {
  /** The model id (`bedrock.approvedModels[].modelId`): names the model's alarms. */
  readonly modelId: string;
  /** The `ModelId` dimension values its usage is reported under: the model's own id and its inference-profile ids. */
  readonly metricModelIds: readonly string[];
}

/** Properties of `OrganizationAlarms`. */
export interface OrganizationAlarmsProps {
  /** The approved models, one anomaly alarm per usage metric (and account group) each. */
  readonly models: readonly OrganizationAlarmModel[];
  /** The baseline's accounts, whose metrics the per-model alarms sum. */
  readonly accountIds: readonly string[];
  /** Width of every anomaly band, in standard deviations. */
  readonly anomalyBandStandardDeviations: number;
  /** The alert topics the alarms notify, by severity. */
  readonly topics: SeverityTopics;
  /** Whether this is the home Region, which also alarms on the metrics published there (trail AccessDenied, alert events). */
  readonly isHomeRegion: boolean;
  /** The management account, which publishes the organization trail's `BedrockAccessDenied`. */
  readonly managementAccountId: string;
}

/** Groups `items` so that each group's `weight` adds up to at most `limit`. */
function chunk<T>(items: readonly T[], weight: number, limit: number): T[][] {
  const size = Math.max(1, Math.floor(limit / weight));
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * DASH-1's alarms in the audit account, one set per governed Region:
 *
 * - per approved model × `Invocations`, `InputTokenCount`, `OutputTokenCount`: an anomaly-detection alarm on the sum
 *   over the baseline's accounts (cross-account `MetricStat`s with `AccountId`, read through the OAM sink; the model's
 *   base and profile ids, as the baseline's alarms do). An alarm reads at most 10 metrics, so larger organizations get
 *   one alarm per group of accounts (`-1`, `-2`…) → medium. When that would take more than
 *   `MAX_MODEL_ALARMS_PER_STACK` alarms (about 30 baseline accounts with the example's five models), they are left
 *   out and synth warns: an anomaly band needs the metrics listed one by one, and the organization is then watched by
 *   the members' own BL-MON-1 anomaly alarms (counted by `MemberAlarmsInAlarm`) and the dashboards;
 * - `genai-governance-spend-anomaly`: a composite alarm, in ALARM when any token anomaly alarm is → critical;
 * - in the home Region: an anomaly alarm on the organization trail's `BedrockAccessDenied` (management account), and
 *   threshold alarms on Macie findings in invocation logs and member alarms going into ALARM → high.
 */
export class OrganizationAlarms extends Construct {
  /** Every alarm, composite ones included. */
  public readonly alarms: (CfnAlarm | CompositeAlarm)[] = [];

  constructor(scope: Construct, id: string, props: OrganizationAlarmsProps) {
    super(scope, id);
    const { topics } = props;
    const accounts = props.accountIds;
    const band = props.anomalyBandStandardDeviations;
    const spend = new Map<string, CfnAlarm[]>();
    const needed = props.models
      .reduce((n, m) => n + ORGANIZATION_USAGE_METRICS.length * chunk(accounts, m.metricModelIds.length, MAX_METRICS_PER_ALARM).length, 0);
    if (needed > MAX_MODEL_ALARMS_PER_STACK) {
      Annotations.of(this).addWarningV2('genai-governance:organization-alarms', `DASH-1: ${accounts.length} baseline accounts need ${needed} `
        + `per-model organization anomaly alarms (at most ${MAX_METRICS_PER_ALARM} metrics each), more than the ${MAX_MODEL_ALARMS_PER_STACK} a stack `
        + 'holds: they are left out; the members\' BL-MON-1 anomaly alarms and the dashboards watch usage instead');
    }
    for (const approved of needed > MAX_MODEL_ALARMS_PER_STACK ? [] : props.models) {
      const ids = approved.metricModelIds;
      const groups = chunk(accounts, ids.length, MAX_METRICS_PER_ALARM);
      for (const metricName of ORGANIZATION_USAGE_METRICS) {
        groups.forEach((group, g) => {
          const stats = group.flatMap((accountId) => ids.map((modelId) => ({ accountId, modelId })));
          const suffix = groups.length > 1 ? `-${g + 1}` : '';
          const alarm = new CfnAlarm(this, `${metricName}${approved.modelId}${suffix}`.replace(/[^A-Za-z0-9]/g, ''), {
            alarmName: `${GOVERNANCE_NAME_PREFIX}org-${metricName}-anomaly-${approved.modelId}${suffix}`.slice(0, 255),
            alarmDescription: `DASH-1: ${metricName} of ${approved.modelId} summed over ${groups.length > 1 ? `account group ${g + 1} of ${groups.length}` : 'the baseline\'s accounts'} outside its anomaly band (${band} standard deviations, hourly)`,
            comparisonOperator: 'GreaterThanUpperThreshold',
            evaluationPeriods: 1,
            thresholdMetricId: 'band',
            treatMissingData: 'notBreaching',
            alarmActions: [topics.medium.topicArn],
            metrics: modelUsageAnomalyMetrics(metricName, stats, `${metricName} ${approved.modelId}`, band),
          });
          this.alarms.push(alarm);
          if (SPEND_METRICS.has(metricName)) spend.set(approved.modelId, [...spend.get(approved.modelId) ?? [], alarm]);
        });
      }
    }
    if (spend.size > 0) this.spendAnomaly(spend, topics);
    if (props.isHomeRegion) this.homeRegionAlarms(props, band);
  }

  /**
   * The composite spend alarm over the token alarms. A composite rule holds at most 10,240 characters, so past that the
   * rule names one composite per model (`genai-governance-spend-anomaly-<model>`, each over that model's token alarms).
   * Rules name their alarms (CloudWatch takes a name or an ARN), so each composite depends on its alarms explicitly.
   */
  private spendAnomaly(spend: Map<string, CfnAlarm[]>, topics: SeverityTopics): void {
    const anyInAlarm = (alarmNames: readonly string[]) => AlarmRule.anyOf(...alarmNames.map((name) => AlarmRule.fromString(`${AlarmState.ALARM}("${name}")`)));
    const all = [...spend.values()].flat();
    let members: { readonly alarm: CfnAlarm | CompositeAlarm; readonly name: string }[] = all.map((alarm) => ({ alarm, name: alarm.alarmName! }));
    if (anyInAlarm(members.map((m) => m.name)).renderAlarmRule().length > MAX_COMPOSITE_RULE_CHARACTERS) {
      members = [...spend.entries()].map(([modelId, alarms]) => {
        const name = `${GOVERNANCE_NAME_PREFIX}spend-anomaly-${modelId}`.slice(0, 255);
        const perModel = new CompositeAlarm(this, `SpendAnomaly${modelId.replace(/[^A-Za-z0-9]/g, '')}`, {
          compositeAlarmName: name,
          alarmDescription: `DASH-1: token usage of ${modelId} is above its anomaly band in at least one account group`,
          alarmRule: anyInAlarm(alarms.map((a) => a.alarmName!)),
        });
        perModel.node.addDependency(...alarms);
        this.alarms.push(perModel);
        return { alarm: perModel, name };
      });
    }
    const composite = new CompositeAlarm(this, 'SpendAnomaly', {
      compositeAlarmName: `${GOVERNANCE_NAME_PREFIX}spend-anomaly`,
      alarmDescription: 'DASH-1: token usage of at least one approved model is above its anomaly band: spend is running away',
      alarmRule: anyInAlarm(members.map((m) => m.name)),
    });
    composite.addAlarmAction(new SnsAction(topics.critical));
    composite.node.addDependency(...members.map((m) => m.alarm));
    this.alarms.push(composite);
  }

  private homeRegionAlarms(props: OrganizationAlarmsProps, band: number): void {
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
