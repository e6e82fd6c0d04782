import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TopicKey } from '../../../../building-blocks/kms/topic-key';
import {
  type RelayMetricName, SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES, type TurnMetricName,
} from '../../../../contracts/support-chat-metrics';

/** Properties of `ChatAlarms`. */
export interface ChatAlarmsProps {
  /** Prefix of the alarm and topic names (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  /**
   * The relay function's name: its EMF `Errors` (a failed turn, which it logs and counts without throwing) and its Lambda
   * `Errors` (a handler that threw, timed out or crashed before its metrics were flushed) are alarmed on. A name, not a
   * reference: the release's deployment groups roll back on these alarms and the relay's invoke grant names the turn's
   * alias they deploy, so a reference to the relay would close a dependency cycle (relay → its policy → turn alias →
   * deployment group → alarm → relay) that CloudFormation refuses.
   */
  readonly relayFunctionName: string;
  /**
   * The p95 turn latency above which the latency alarm fires.
   *
   * @default 5 seconds
   */
  readonly turnLatencyThreshold?: Duration;
  /**
   * The share of turns that end in an error (per minute, `Errors / Turns`) above which the error-rate alarm fires, in %.
   *
   * @default 1
   */
  readonly errorRatePercent?: number;
  /**
   * The share of the turns meant for a model (every turn but the refused ones) that got a model's answer, per minute, below
   * which the success-rate alarm fires, in %.
   *
   * @default 95
   */
  readonly successRatePercent?: number;
}

/** A metric the turn publishes (namespace `SupportChat`, dimension `service` = `support-chat-turn`; `contracts/support-chat-metrics.ts`). */
export function turnMetric(metricName: TurnMetricName, statistic: string, period: Duration): Metric {
  const dimensionsMap = { [SUPPORT_CHAT_SERVICE_DIMENSION]: SUPPORT_CHAT_SERVICES.turn };
  return new Metric({ namespace: SUPPORT_CHAT_METRICS_NAMESPACE, metricName, dimensionsMap, statistic, period });
}

/** A metric the relay publishes (namespace `SupportChat`, dimension `service` = `support-chat-relay`). */
export function relayMetric(metricName: RelayMetricName, statistic: string, period: Duration): Metric {
  const dimensionsMap = { [SUPPORT_CHAT_SERVICE_DIMENSION]: SUPPORT_CHAT_SERVICES.relay };
  return new Metric({ namespace: SUPPORT_CHAT_METRICS_NAMESPACE, metricName, dimensionsMap, statistic, period });
}

/**
 * The tenant's alarms on what its handlers publish (docs/adr/0008-support-chat-telemetry.md), each notifying the
 * tenant's topic when it goes into ALARM and back to OK:
 *
 * - `<prefix>-turn-latency-p95`: p95 of `TurnLatency` (turns that called a model, start to last frame) above 5 s in
 *   three consecutive 5-minute periods;
 * - `<prefix>-error-rate`: `100 * (Errors + TurnsDegraded) / Turns` above 1 % in 3 of 5 one-minute periods (metric
 *   math): the degraded answer is the turn's own, but a model outage behind it is an error of the tenant. A minute
 *   without turns has no data point and counts as not breaching;
 * - `<prefix>-success-rate`: `100 * (TurnsAnswered + TurnsReplayed + TurnsGone) / (Turns - TurnsRefused - TurnsHandedOff)` (the turns
 *   meant for a model that got a model's answer: not degraded, not failed, not thrown; a guardrail intervention that
 *   ends in an error frame counts against it too) below 95 % in 3 of 5 one-minute periods; 100 % in a minute whose
 *   turns were all refused;
 * - `<prefix>-settings-rejected`: any turn that rejected the deployed settings version (`SettingsRejected` above 0 in a
 *   minute): a version AppConfig's validator let through and the handler refused;
 * - `<prefix>-relay-errors`: the relay's EMF `Errors` (a failed turn: the relay logs it and sends `internal` without
 *   throwing) plus its function's Lambda `Errors` (a throw, a timeout or a crash, which may flush no EMF) above 0 in 2 of
 *   3 five-minute periods (metric math; a throw counts in both, which only matters above the threshold of 0).
 *
 * `rollbackAlarms` (error rate, latency, success rate, rejected settings) are what AppConfig watches while a settings
 * version rolls out and bakes: a version that sends turns to the degraded answer, slows them or is rejected rolls back.
 *
 * The topic `<prefix>-alarms` is encrypted with a key of its own that CloudWatch may use (not the conversations' key),
 * refuses requests without TLS, and lets CloudWatch of this account publish; subscribe the team's endpoints to it.
 */
export class ChatAlarms extends Construct {
  public readonly topic: Topic;
  public readonly turnLatency: Alarm;
  /** The error rate of the turns (the degraded answer included): a rollback monitor for configuration deployments. */
  public readonly errorRate: IAlarm;
  /** The share of the turns meant for a model that got a model's answer: a rollback monitor. */
  public readonly successRate: IAlarm;
  /** A turn rejected the deployed settings version: a rollback monitor. */
  public readonly settingsRejected: IAlarm;
  /** The alarms AppConfig's deployments of the tenant's settings roll back on. */
  public readonly rollbackAlarms: readonly IAlarm[];
  public readonly relayErrors: Alarm;
  /** Every alarm of the tenant, for the dashboard. */
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ChatAlarmsProps) {
    super(scope, id);
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new TopicKey(this, 'TopicKey', { description: 'Support chat: encrypts the alarm topic', publisher: cloudWatch });
    this.topic = new Topic(this, 'Topic', { topicName: `${props.namePrefix}-alarms`, masterKey: key, enforceSSL: true });
    this.topic.grantPublish(new ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.topic.env.account } } }));

    const latencyMs = (props.turnLatencyThreshold ?? Duration.seconds(5)).toMilliseconds();
    const percent = props.errorRatePercent ?? 1;
    const turnLatency = new Alarm(this, 'TurnLatencyP95', {
      alarmName: `${props.namePrefix}-turn-latency-p95`,
      alarmDescription: `Support chat: p95 turn latency (TurnLatency, turns that called a model) above ${latencyMs} ms in 3 consecutive 5-minute periods`,
      metric: turnMetric('TurnLatency', 'p95', Duration.minutes(5)),
      threshold: latencyMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const errorRate = new Alarm(this, 'ErrorRate', {
      alarmName: `${props.namePrefix}-error-rate`,
      alarmDescription: `Support chat: more than ${percent} % of turns ended in an error or the degraded answer ((Errors + TurnsDegraded) / Turns, per minute) in 3 of 5 minutes`,
      metric: new MathExpression({
        expression: '100 * (FILL(errors, 0) + FILL(degraded, 0)) / turns',
        usingMetrics: {
          errors: turnMetric('Errors', 'Sum', Duration.minutes(1)),
          degraded: turnMetric('TurnsDegraded', 'Sum', Duration.minutes(1)),
          turns: turnMetric('Turns', 'Sum', Duration.minutes(1)),
        },
        label: 'Turns ending in an error or the degraded answer (%)',
        period: Duration.minutes(1),
      }),
      threshold: percent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const minimumSuccess = props.successRatePercent ?? 95;
    if (!(minimumSuccess > 0 && minimumSuccess <= 100)) throw new Error(`${this.node.path}: successRatePercent must be in (0, 100], not ${minimumSuccess}`);
    const perMinute = (name: TurnMetricName) => turnMetric(name, 'Sum', Duration.minutes(1));
    const successRate = new Alarm(this, 'SuccessRate', {
      alarmName: `${props.namePrefix}-success-rate`,
      alarmDescription: `Support chat: fewer than ${minimumSuccess} % of the turns meant for a model got its answer `
        + '((TurnsAnswered + TurnsReplayed + TurnsGone) / (Turns - TurnsRefused - TurnsHandedOff), per minute) in 3 of 5 minutes',
      metric: new MathExpression({
        expression: 'IF(turns - FILL(refused, 0) - FILL(handedoff, 0) > 0, '
          + '100 * (FILL(answered, 0) + FILL(replayed, 0) + FILL(gone, 0)) / (turns - FILL(refused, 0) - FILL(handedoff, 0)), 100)',
        usingMetrics: {
          turns: perMinute('Turns'),
          refused: perMinute('TurnsRefused'),
          handedoff: perMinute('TurnsHandedOff'),
          answered: perMinute('TurnsAnswered'),
          replayed: perMinute('TurnsReplayed'),
          gone: perMinute('TurnsGone'),
        },
        label: 'Turns meant for a model that got its answer (%)',
        period: Duration.minutes(1),
      }),
      threshold: minimumSuccess,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const settingsRejected = new Alarm(this, 'SettingsRejected', {
      alarmName: `${props.namePrefix}-settings-rejected`,
      alarmDescription: 'Support chat: a turn rejected the deployed settings version (SettingsRejected above 0 in a minute) and ran on the last good one',
      metric: perMinute('SettingsRejected'),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.relayErrors = new Alarm(this, 'RelayErrors', {
      alarmName: `${props.namePrefix}-relay-errors`,
      alarmDescription: 'Support chat: the relay failed (a failed turn, posting a frame, a throw or a timeout: EMF Errors + Lambda Errors) in 2 of 3 five-minute periods',
      metric: new MathExpression({
        expression: 'FILL(emf, 0) + FILL(lambda, 0)',
        usingMetrics: {
          emf: relayMetric('Errors', 'Sum', Duration.minutes(5)),
          lambda: new Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: props.relayFunctionName }, statistic: 'Sum', period: Duration.minutes(5) }),
        },
        label: 'Relay failures (EMF Errors + Lambda Errors)',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.turnLatency = turnLatency;
    this.errorRate = errorRate;
    this.successRate = successRate;
    this.settingsRejected = settingsRejected;
    this.rollbackAlarms = [errorRate, turnLatency, successRate, settingsRejected];
    this.alarms = [turnLatency, errorRate, successRate, settingsRejected, this.relayErrors];
    const notify = new SnsAction(this.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
