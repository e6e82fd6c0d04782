import { Duration } from 'aws-cdk-lib';
import { Alarm, AlarmRule, ComparisonOperator, CompositeAlarm, MathExpression, Metric, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup, TimeBasedLinearTrafficRouting,
} from 'aws-cdk-lib/aws-codedeploy';
import type { Alias } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import type { TenantRelease } from '../../../../config/schema';

/** The share of an alias's traffic each step of a release moves to the new version (CodeDeploy `TimeBasedLinear`). */
export const RELEASE_STEP_PERCENT = 10;

/** One function released through its alias. */
export interface ReleasedFunction {
  /** What the function is called in alarm and deployment-group names: `turn`, `relay`. */
  readonly role: string;
  /** The function's name (a plain string). */
  readonly functionName: string;
  /** The alias clients invoke; its version is the function's current version. */
  readonly alias: Alias;
  /** The function's usual p99 duration, in ms. */
  readonly durationP99BaselineMs: number;
}

/** Properties of `ChatRelease`. */
export interface ChatReleaseProps {
  /** Prefix of the names (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  /** The stack's Region: the deployment configuration's name carries it (names are per account and Region). */
  readonly region: string;
  /** The functions released by traffic shifting: each gets a deployment group. */
  readonly functions: readonly ReleasedFunction[];
  /** The traffic steps, the error and duration limits (`pipeline.tenantRelease.canary`). */
  readonly canary: TenantRelease['canary'];
  /** The tenant's alarms a release also rolls back on (the settings' rollback alarms, the relay's errors): at most 7. */
  readonly tenantAlarms: readonly IAlarm[];
  /** The tenant's alarm topic: the release alarms notify it. */
  readonly topic: ITopic;
}

/**
 * How the support chat's turn and relay are released (docs/adr/0034-tenant-release-by-golden-set-and-canary.md): each
 * function's alias `live` on its current version, updated by CodeDeploy (`AWS::Lambda::Alias` UpdatePolicy
 * `CodeDeployLambdaAliasUpdate`) with the custom configuration `<prefix>-<region>-linear-10-every-<n>-min`: 10 % of the
 * alias's invocations go to the new version, 10 % more every `stepMinutes`, 100 % after nine steps. The deployment
 * stops and rolls back (the alias back on the old version) when, during it, any of these alarms is in ALARM:
 *
 * - `<prefix>-<role>-release-errors`: the new version's `Errors / Invocations` (AWS/Lambda, dimensions FunctionName,
 *   Resource `<function>:live`, ExecutedVersion) above `errorRatePercent` in a minute;
 * - `<prefix>-<role>-release-p99`: the new version's p99 `Duration` above `durationP99Factor` × the function's
 *   baseline in two consecutive minutes;
 * - `<prefix>-release-health`, a composite alarm: any of the tenant's own alarms (error rate, latency, success rate,
 *   rejected settings, relay errors), which are also listed one by one, so the rollback does not depend on how
 *   CodeDeploy reads a composite alarm.
 *
 * A minute without invocations of the new version has no data point and does not breach. The alarms of the new version
 * are updated with the alias's version in the same stack update, before the alias (they depend on its version).
 */
export class ChatRelease extends Construct {
  public readonly application: LambdaApplication;
  public readonly deploymentConfig: LambdaDeploymentConfig;
  public readonly deploymentGroups: readonly LambdaDeploymentGroup[];
  /** The composite alarm of the tenant's health during a release. */
  public readonly health: CompositeAlarm;
  /** The new version's error and p99 alarms of every function. */
  public readonly versionAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ChatReleaseProps) {
    super(scope, id);
    const { canary } = props;
    if (props.tenantAlarms.length > 7) throw new Error(`${this.node.path}: CodeDeploy takes at most 10 alarms per deployment group; ${props.tenantAlarms.length} tenant alarms leave no room`);
    const notify = new SnsAction(props.topic);
    this.health = new CompositeAlarm(this, 'Health', {
      compositeAlarmName: `${props.namePrefix}-release-health`,
      alarmDescription: 'Support chat: any of the tenant\'s alarms (error rate, latency, success rate, rejected settings, relay errors); a release in progress rolls back on it',
      alarmRule: AlarmRule.anyOf(...props.tenantAlarms),
    });
    this.health.addAlarmAction(notify);
    this.health.addOkAction(notify);
    this.application = new LambdaApplication(this, 'Application', { applicationName: `${props.namePrefix}-${props.region}` });
    this.deploymentConfig = new LambdaDeploymentConfig(this, 'Config', {
      deploymentConfigName: `${props.namePrefix}-${props.region}-linear-${RELEASE_STEP_PERCENT}-every-${canary.stepMinutes}-min`,
      trafficRouting: new TimeBasedLinearTrafficRouting({ percentage: RELEASE_STEP_PERCENT, interval: Duration.minutes(canary.stepMinutes) }),
    });
    const versionAlarms: Alarm[] = [];
    this.deploymentGroups = props.functions.map((fn) => {
      const dimensionsMap = { FunctionName: fn.functionName, Resource: `${fn.functionName}:${fn.alias.aliasName}`, ExecutedVersion: fn.alias.version.version };
      const lambdaMetric = (metricName: string, statistic: string) =>
        new Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap, statistic, period: Duration.minutes(1) });
      const errors = new Alarm(this, `${capitalized(fn.role)}Errors`, {
        alarmName: `${props.namePrefix}-${fn.role}-release-errors`,
        alarmDescription: `Support chat: the ${fn.role} version being released failed more than ${canary.errorRatePercent} % of its invocations in a minute (Errors / Invocations, ExecutedVersion)`,
        metric: new MathExpression({
          expression: 'IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)',
          usingMetrics: { errors: lambdaMetric('Errors', 'Sum'), invocations: lambdaMetric('Invocations', 'Sum') },
          label: `${fn.role} new version errors (%)`,
          period: Duration.minutes(1),
        }),
        threshold: canary.errorRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const durationLimit = Math.round(fn.durationP99BaselineMs * canary.durationP99Factor);
      const p99 = new Alarm(this, `${capitalized(fn.role)}P99`, {
        alarmName: `${props.namePrefix}-${fn.role}-release-p99`,
        alarmDescription: `Support chat: the ${fn.role} version being released ran above ${durationLimit} ms at p99 (${canary.durationP99Factor} × the ${fn.durationP99BaselineMs} ms baseline) in 2 consecutive minutes`,
        metric: lambdaMetric('Duration', 'p99'),
        threshold: durationLimit,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      for (const alarm of [errors, p99]) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
        versionAlarms.push(alarm);
      }
      // The alarms watch the version the alias is being moved to: updated before CodeDeploy starts on the alias.
      fn.alias.node.addDependency(errors, p99);
      const group = new LambdaDeploymentGroup(this, `${capitalized(fn.role)}Deployment`, {
        application: this.application,
        deploymentGroupName: `${props.namePrefix}-${fn.role}`,
        alias: fn.alias,
        deploymentConfig: this.deploymentConfig,
        alarms: [errors, p99, this.health, ...props.tenantAlarms],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
      acknowledgeFinding(group.role, {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        reason: 'AWS\'s managed policy for CodeDeploy\'s Lambda deployments: reads and updates aliases, reads the alarms and invokes only CodeDeployHook_* functions',
      });
      return group;
    });
    this.versionAlarms = versionAlarms;
  }
}

function capitalized(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
