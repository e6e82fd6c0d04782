import * as path from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { ARCHIVE_KEY_ALIAS, archiveLocation, trailArchiveBucketName } from '../../contracts/archive-names';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { ACCOUNTS_UNREADABLE, CONTROLS_IN_DRIFT, VERIFICATION_NAMESPACE } from '../../operations/verify/daily-run';
import {
  EXPECTED_FACTS_KEY, VERIFICATION_REPORT_PREFIX, VERIFIER_ROLE_NAME, VERIFY_DAILY_NAME, VERIFY_OPERATOR_ROLE_NAME,
} from '../../policies/verifier-access';
import { VERIFY_STEP_ROLE_NAME } from '../pipeline/pipeline-role-names';

/** Properties of a `DailyVerification`. */
export interface DailyVerificationProps {
  readonly config: GovernanceConfig;
  /** The topic the alarms notify (the audit account's alert topic). */
  readonly alertTopic: ITopic;
  /** The topic's key: CloudWatch is let use it to publish the alarms. */
  readonly alertTopicKey: IKey;
  /**
   * When the run starts, as an EventBridge schedule.
   *
   * @default - every day at 05:00 UTC
   */
  readonly schedule?: Schedule;
  /**
   * Accounts × Regions read at once.
   *
   * @default 8
   */
  readonly concurrency?: number;
}

/** The function's timeout: Lambda's maximum. */
export const DAILY_VERIFICATION_TIMEOUT = Duration.minutes(15);

/**
 * VER-1's daily run in the audit account (home Region): the function `genai-governance-verify-daily` (handler
 * `stacks/audit/handlers/daily-verification.ts`, the verifier of `operations/verify` bundled) on an EventBridge
 * schedule, reading the expected facts from the trail archive and writing its reports there under Object Lock; three
 * alarms to the alert topic: controls in drift, accounts unreadable, and no run for two days. And the role
 * `genai-governance-verify-operator`, which people of this account assume to run `npx projen verify` and to publish
 * the expected facts. The log-archive stack's bucket and key policies admit both roles (stacks/log-archive/verification-evidence.ts).
 *
 * Children: `Function` (a `GovernanceHandler`), `Schedule`, `Operator`, `OperatorPolicy`, `ControlsInDriftAlarm`,
 * `AccountsUnreadableAlarm`, `NotRunAlarm`.
 */
export class DailyVerification extends Construct {
  public readonly handler: GovernanceHandler;
  public readonly operator: Role;
  public readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: DailyVerificationProps) {
    super(scope, id);
    const { config } = props;
    const archive = archiveLocation(config);
    const bucket = trailArchiveBucketName(config);
    const verifierRoles = `arn:${Aws.PARTITION}:iam::*:role/${VERIFIER_ROLE_NAME}`;
    const inOrganization = { StringEquals: { 'aws:ResourceOrgID': config.organization.id } };
    const archiveKey = new PolicyStatement({
      sid: 'ArchiveKeyThroughS3',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [`arn:${Aws.PARTITION}:kms:${archive.region}:${archive.account}:key/*`],
      conditions: {
        'StringEquals': { 'kms:ViaService': `s3.${archive.region}.amazonaws.com` },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ARCHIVE_KEY_ALIAS },
      },
    });
    const keyAck = { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${archive.region}:${archive.account}:key/*]`, reason: 'The archive key of the log-archive account, whose id this account cannot know: named by its alias (kms:ResourceAliases) and usable only through S3' };
    const rolesAck = { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${VERIFIER_ROLE_NAME}]`, reason: 'The verifier role of every account of the organization (aws:ResourceOrgID); accounts that join later are read too' };

    this.handler = new GovernanceHandler(this, 'Function', {
      functionName: VERIFY_DAILY_NAME,
      description: 'VER-1: daily live verification of the estate; reports into the Object Lock archive',
      roleDescription: 'VER-1: assumes the verifier role in every account, reads the expected facts and writes the reports into the archive',
      entry: path.join(__dirname, 'handlers', 'daily-verification.ts'),
      codeDelivery: 'asset',
      logRetention: config.retention.logGroupRetentionDays,
      environment: {
        ARCHIVE_BUCKET: bucket,
        FACTS_KEY: EXPECTED_FACTS_KEY,
        REPORT_PREFIX: VERIFICATION_REPORT_PREFIX,
        RETENTION_DAYS: String(config.retention.objectLockDays),
        CONCURRENCY: String(props.concurrency ?? 8),
      },
      statements: [
        new PolicyStatement({ sid: 'AssumeVerifierRoles', actions: ['sts:AssumeRole'], resources: [verifierRoles], conditions: inOrganization }),
        new PolicyStatement({ sid: 'ReadExpectedFacts', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/${EXPECTED_FACTS_KEY}`] }),
        new PolicyStatement({
          sid: 'WriteReports',
          actions: ['s3:PutObject', 's3:PutObjectRetention'],
          resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/${VERIFICATION_REPORT_PREFIX}*`],
        }),
        archiveKey,
        new PolicyStatement({
          sid: 'PutVerificationMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': VERIFICATION_NAMESPACE } },
        }),
      ],
      policyAcknowledgements: [
        rolesAck,
        keyAck,
        { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${VERIFICATION_REPORT_PREFIX}*]`, reason: 'One new report key per run, under the reports prefix only' },
        { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'cloudwatch:PutMetricData has no resource type; limited to the verification namespace (cloudwatch:namespace)' },
      ],
      outsideVpcReason: 'Calls only AWS APIs (STS, the read APIs of every account, S3, CloudWatch); the audit account runs no VPC for it',
      concurrencyReason: 'Runs once a day; reserved concurrency would take capacity from the audit account for nothing',
      deadLetterQueueReason: 'Runs on a daily schedule and verifies the whole estate each time: a failed run needs no replay, and a day without a run raises the not-run alarm',
    });
    const fn = this.handler.function.node.defaultChild as CfnFunction;
    fn.timeout = DAILY_VERIFICATION_TIMEOUT.toSeconds();
    fn.memorySize = 1024;

    new Rule(this, 'Schedule', {
      ruleName: VERIFY_DAILY_NAME,
      description: 'VER-1: runs the live verification once a day',
      schedule: props.schedule ?? Schedule.cron({ minute: '0', hour: '5' }),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 1, maxEventAge: Duration.hours(1) })],
    });

    this.operator = new Role(this, 'Operator', {
      roleName: VERIFY_OPERATOR_ROLE_NAME,
      description: 'VER-1: people of the audit account run npx projen verify and publish the expected facts with this role',
      assumedBy: new AccountPrincipal(Aws.ACCOUNT_ID),
      maxSessionDuration: Duration.hours(1),
    });
    if (config.pipeline) {
      // The pipeline's post-deploy verification step publishes the facts and verifies as the operator (ADR 34), by ARN.
      const pipelineAccount = accountIdOf(config, config.pipeline.account ?? config.topology.management);
      this.operator.assumeRolePolicy!.addStatements(new PolicyStatement({
        sid: 'PipelineVerification',
        principals: [new AccountPrincipal(pipelineAccount)],
        actions: ['sts:AssumeRole'],
        conditions: { ArnEquals: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${pipelineAccount}:role/${VERIFY_STEP_ROLE_NAME}` } },
      }));
    }
    const operatorPolicy = new ManagedPolicy(this, 'OperatorPolicy', {
      managedPolicyName: VERIFY_OPERATOR_ROLE_NAME,
      roles: [this.operator],
      statements: [
        new PolicyStatement({ sid: 'AssumeVerifierRoles', actions: ['sts:AssumeRole'], resources: [verifierRoles], conditions: inOrganization }),
        new PolicyStatement({ sid: 'PublishExpectedFacts', actions: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'], resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/${EXPECTED_FACTS_KEY}`] }),
        archiveKey,
      ],
    });
    acknowledgeFinding(operatorPolicy, rolesAck, keyAck);

    props.alertTopicKey.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    const metric = (metricName: string, statistic: string) =>
      new Metric({ namespace: VERIFICATION_NAMESPACE, metricName, statistic, period: Duration.days(1) });
    const action = new SnsAction(props.alertTopic);
    this.alarms = [
      new Alarm(this, 'ControlsInDriftAlarm', {
        alarmName: `${GOVERNANCE_NAME_PREFIX}verify-controls-in-drift`,
        alarmDescription: 'VER-1: the last daily verification found controls in drift; read its report under verification/reports/ in the trail archive',
        metric: metric(CONTROLS_IN_DRIFT, 'Maximum'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.IGNORE,
      }),
      new Alarm(this, 'AccountsUnreadableAlarm', {
        alarmName: `${GOVERNANCE_NAME_PREFIX}verify-accounts-unreadable`,
        alarmDescription: 'VER-1: the last daily verification could not read some accounts (role missing, access denied, throttled, timed out); read its report',
        metric: metric(ACCOUNTS_UNREADABLE, 'Maximum'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.IGNORE,
      }),
      new Alarm(this, 'NotRunAlarm', {
        alarmName: `${GOVERNANCE_NAME_PREFIX}verify-not-run`,
        alarmDescription: 'VER-1: no daily verification completed for two days (no facts, the archive refused the report, the function failed or '
          + 'timed out); read the function\'s log group',
        metric: metric(CONTROLS_IN_DRIFT, 'SampleCount'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
