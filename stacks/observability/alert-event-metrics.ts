import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, ResourcePolicy, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { governanceMetricFilter } from './governance-metric-filter';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';

/** Log group of the audit alert bus's events. */
export const ALERT_EVENTS_LOG_GROUP = '/genai-governance/alerts/events';

/** Bucket-name prefix of the member invocation-log buckets and of the invocation-log archive. */
const INVOCATION_LOG_BUCKETS = `${GOVERNANCE_NAME_PREFIX}invocation-log`;

/** Properties of `AlertEventMetrics`. */
export interface AlertEventMetricsProps {
  /** The audit account's alert bus (member alarm state changes, Macie findings). */
  readonly bus: IEventBus;
  /** How long the alert events log group keeps its events. */
  readonly retention: RetentionDays;
}

/**
 * DASH-1's metrics from the alert bus: every event on it is written to the KMS-encrypted log group
 * `/genai-governance/alerts/events`, and two metric filters count, in namespace `GenAiGovernance`,
 * `MacieInvocationLogFindings` (Macie findings on a `genai-governance-invocation-log*` bucket, by severity) and
 * `MemberAlarmsInAlarm` (member baseline alarms that went into ALARM, by account).
 */
export class AlertEventMetrics extends Construct {
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AlertEventMetricsProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: 'Generative-AI governance: encrypts the audit alert events log group',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(key);
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: ALERT_EVENTS_LOG_GROUP,
      retention: props.retention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      ruleName: `${GOVERNANCE_NAME_PREFIX}alert-events-to-logs`,
      description: 'DASH-1: every alert event (member alarm state changes, Macie findings) to a log group for metric filters',
      eventPattern: { source: ['aws.cloudwatch', 'aws.macie'] },
    });
    // A plain target and a resource policy of our own: aws-events-targets' CloudWatchLogGroup would add a Lambda-backed
    // custom resource to write the policy, and LogGroup.addToResourcePolicy would give the policy a generated name.
    rule.addTarget({ bind: () => ({ arn: this.logGroup.logGroupArn }) });
    new ResourcePolicy(this, 'EventBridgeDelivery', {
      resourcePolicyName: `${GOVERNANCE_NAME_PREFIX}alert-events-delivery`,
      policyStatements: [new PolicyStatement({
        sid: 'EventBridgeWritesAlertEvents',
        principals: [new ServicePrincipal('events.amazonaws.com'), new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${ALERT_EVENTS_LOG_GROUP}:*`],
      })],
    });
    governanceMetricFilter(this, 'MacieInvocationLogFindings', {
      logGroup: this.logGroup,
      metricName: 'MacieInvocationLogFindings',
      filterName: 'macie-invocation-log-findings',
      matches: [['$.source', 'aws.macie'], ['$.detail.resourcesAffected.s3Bucket.name', `${INVOCATION_LOG_BUCKETS}*`]],
      dimensions: { Severity: '$.detail.severity.description' },
    });
    governanceMetricFilter(this, 'MemberAlarmsInAlarm', {
      logGroup: this.logGroup,
      metricName: 'MemberAlarmsInAlarm',
      filterName: 'member-alarms-in-alarm',
      matches: [['$.source', 'aws.cloudwatch'], ['$.detail.state.value', 'ALARM']],
      dimensions: { AccountId: '$.account' },
    });
  }
}
