import { Aws, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnTrail } from 'aws-cdk-lib/aws-cloudtrail';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { logStreamsArn, logStreamsFinding } from '../../building-blocks/cloudwatch-logs/log-streams';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { ObservabilityLink } from '../../building-blocks/observability/observability-link';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { archiveKeyAliasArn, organizationTrailArn, trailArchiveBucketName } from '../../contracts/archive-names';
import { TRAIL_LOG_GROUP_NAME } from '../../contracts/governance-log-groups';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import { MANAGEMENT_LINK_METRIC_FILTER, sinkArnParameterArn } from '../../contracts/oam-names';
import { governanceMetricFilter } from '../observability/governance-metric-filter';

export interface OrganizationTrailStackProps extends StackProps {
  /** The governance configuration. */
  readonly config: GovernanceConfig;
}

/**
 * CT-1, in the management account and home Region: the organization trail. Every account of the organization, every
 * Region, global service events, log-file validation, SSE-KMS with the archive key (named by its alias, the key lives in
 * the log-archive account), delivery to the log archive's Object Lock bucket, and to a KMS-encrypted log group with the
 * configured retention. Advanced event selectors record all management events (InvokeModel and Converse are
 * management events) and the Bedrock data events `trail.bedrockDataEvents` lists, one selector per resource type
 * (CloudTrail takes one value per `resources.type` selector).
 */
export class OrganizationTrailStack extends Stack {
  public readonly trail: CfnTrail;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OrganizationTrailStackProps) {
    super(scope, id, props);
    const { config } = props;
    const trailArn = organizationTrailArn(config);

    const key = new Key(this, 'LogGroupKey', {
      description: 'Generative-AI governance: encrypts the organization trail\'s log group',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(key);
    key.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchLogsEncryptsTheTrailLogGroup',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${TRAIL_LOG_GROUP_NAME}` } },
    }));
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: TRAIL_LOG_GROUP_NAME,
      retention: config.retention.logGroupRetentionDays,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new Role(this, 'LogsRole', {
      roleName: `${GOVERNANCE_NAME_PREFIX}cloudtrail-logs`,
      description: 'CT-1: CloudTrail writes the organization trail to its log group with this role',
      assumedBy: new ServicePrincipal('cloudtrail.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceArn': trailArn } } }),
    });
    const policy = new ManagedPolicy(this, 'LogsPolicy', {
      managedPolicyName: `${GOVERNANCE_NAME_PREFIX}cloudtrail-logs`,
      roles: [role],
      statements: [new PolicyStatement({
        sid: 'WriteTrailLogStreams',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreamsArn(TRAIL_LOG_GROUP_NAME)],
      })],
    });
    acknowledgeFinding(policy, {
      id: logStreamsFinding(TRAIL_LOG_GROUP_NAME),
      reason: 'CloudTrail names one log stream per account and Region itself; the wildcard is the streams of the one trail log group',
    });

    this.trail = new CfnTrail(this, 'Trail', {
      trailName: config.trail.name,
      isLogging: true,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      s3BucketName: trailArchiveBucketName(config),
      kmsKeyId: archiveKeyAliasArn(config),
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: role.roleArn,
      advancedEventSelectors: [
        { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        ...config.trail.bedrockDataEvents.map((type) => ({
          name: `Bedrock data events: ${type}`,
          fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: [type] }],
        })),
      ],
    });
    // CloudTrail checks that the role can write to the log group when the trail is created.
    this.trail.node.addDependency(policy);

    // DASH-1: Bedrock calls the organization denied (direct or unapproved invocations blocked by the SCPs, IAM or a
    // guardrail's resource policy), counted from the trail's log group and shared with the audit account's sink.
    governanceMetricFilter(this, 'BedrockAccessDenied', {
      logGroup: this.logGroup,
      metricName: 'BedrockAccessDenied',
      filterName: 'bedrock-access-denied',
      matches: [['$.eventSource', 'bedrock.amazonaws.com'], ['$.errorCode', 'AccessDenied*']],
    });
    new ObservabilityLink(this, 'ObservabilityLink', {
      sinkArnParameterArn: sinkArnParameterArn(accountIdOf(config, config.topology.audit), config.organization.homeRegion),
      metricFilter: MANAGEMENT_LINK_METRIC_FILTER,
    });
    Tags.of(this).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);
  }
}
