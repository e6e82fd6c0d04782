import * as path from 'node:path';
import { Aws, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { InvocationLoggingProperties } from './handlers/invocation-logging';
import { customResourceFunction } from '../../building-blocks/custom-resources/custom-resource-function';
import { acknowledgeFinding, logicalIdOf } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../building-blocks/s3/event-bridge-notifications';
import type { GovernanceConfig } from '../../config/schema';
import {
  archiveKeyAliasArn, archiveLocation, ARCHIVE_KEY_ALIAS, invocationLogArchiveBucketName, LOG_REPLICATION_ROLE_PREFIX,
} from '../../contracts/archive-names';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { INVOCATION_LOG_GROUP_NAME, INVOCATION_LOG_KEY_PREFIX, INVOCATION_LOGGING_FUNCTION_NAME, LARGE_DATA_KEY_PREFIX } from '../../contracts/invocation-logging-names';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'invocation-logging.ts');

export interface InvocationLoggingProps {
  readonly config: GovernanceConfig;
}

/**
 * BL-LOG-1: model-invocation logging on in this account and Region, through a custom resource (no CloudFormation
 * resource exists) that runs after the bucket policy, the key policy, the log group and the delivery role exist.
 *
 * - Delivery: a same-Region SSE-KMS bucket (`genai-governance-invocation-logs-<account>-<region>`; Bedrock accepts
 *   only same-account, same-Region destinations) and the log group `INVOCATION_LOG_GROUP_NAME` with the configured
 *   retention, both under a customer-managed key that admits Bedrock and CloudWatch Logs only for this account.
 * - Evidence: every object is replicated to the log-archive account's Object Lock bucket, re-encrypted with the
 *   archive key, owned by the archive account; delete markers are not replicated. The member copy expires after
 *   `baseline.invocationLogging.localExpirationDays`.
 * - Deletion: with `onStackDelete: keep-logging` (default) logging stays on and its bucket, key, log group and roles are
 *   retained; with `stop-logging` the configuration is deleted and the roles go with the stack (data stores are
 *   always retained).
 */
export class InvocationLogging extends Construct {
  public readonly key: Key;
  public readonly bucket: Bucket;
  public readonly logGroup: LogGroup;
  public readonly deliveryRole: Role;
  public readonly replicationRole: Role;
  public readonly handler: LambdaFunction;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: InvocationLoggingProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.baseline.invocationLogging;
    const keepLogging = settings.onStackDelete === 'keep-logging';
    const roleRemoval = keepLogging ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const bedrockForThisAccount = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
    };

    this.key = new Key(this, 'Key', {
      description: 'Generative-AI governance: encrypts model-invocation logs (prompts and responses) in this account and Region',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(this.key);
    this.key.addToResourcePolicy(new PolicyStatement({
      sid: 'BedrockDeliversInvocationLogs',
      principals: [new ServicePrincipal('bedrock.amazonaws.com')],
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      conditions: bedrockForThisAccount,
    }));
    this.key.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }));

    const accessLogs = new AccessLogsBucket(this, 'AccessLogs', {
      bucketName: `${GOVERNANCE_NAME_PREFIX}access-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      encryptionKey: this.key,
      expirationDays: config.retention.accessLogExpirationDays,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: `${GOVERNANCE_NAME_PREFIX}invocation-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      ...encryptedBucketProps(this.key),
      serverAccessLogsBucket: accessLogs.bucket,
      serverAccessLogsPrefix: 'invocation-logs/',
      lifecycleRules: [{
        id: 'ExpireMemberCopy',
        expiration: Duration.days(settings.localExpirationDays),
        noncurrentVersionExpiration: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    this.bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'AmazonBedrockLogsWrite',
      principals: [new ServicePrincipal('bedrock.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`${INVOCATION_LOG_KEY_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/BedrockModelInvocationLogs/*`)],
      conditions: bedrockForThisAccount,
    }));
    acknowledgeFinding(this.bucket, {
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason: 'Delivery bucket only: every object is replicated to the log-archive Object Lock bucket; Bedrock delivery into Object Lock buckets is unverified (aws-facts 5.2)',
    });

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: INVOCATION_LOG_GROUP_NAME,
      retention: config.retention.logGroupRetentionDays as RetentionDays,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deliveryRole = new Role(this, 'DeliveryRole', {
      roleName: `${GOVERNANCE_NAME_PREFIX}invocation-log-delivery-${Aws.REGION}`,
      description: 'BL-LOG-1: Amazon Bedrock writes model-invocation logs to CloudWatch Logs (and large bodies to S3) with this role',
      assumedBy: new ServicePrincipal('bedrock.amazonaws.com', { conditions: bedrockForThisAccount }),
    });
    const deliveryPolicy = new ManagedPolicy(this, 'DeliveryPolicy', {
      managedPolicyName: `${GOVERNANCE_NAME_PREFIX}invocation-log-delivery-${Aws.REGION}`,
      roles: [this.deliveryRole],
      document: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'WriteInvocationLogStreams',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [`${this.logGroup.logGroupArn.replace(/:\*$/, '')}:log-stream:*`],
          }),
          new PolicyStatement({
            sid: 'WriteLargeBodies',
            actions: ['s3:PutObject'],
            resources: [this.bucket.arnForObjects(`${LARGE_DATA_KEY_PREFIX}/*`)],
          }),
          new PolicyStatement({ sid: 'EncryptLargeBodies', actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }),
        ],
      }),
    });
    acknowledgeFinding(deliveryPolicy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(this.logGroup)}.Arn>:log-stream:*]`,
      reason: 'Bedrock names its log streams itself; the wildcard is the streams of the one invocation log group',
    }, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/${LARGE_DATA_KEY_PREFIX}/*]`,
      reason: 'Bedrock names the large-body objects itself; the wildcard is the large-data prefix of the one delivery bucket',
    });

    this.replicationRole = this.createReplicationRole(config);
    this.configureReplication(config);

    this.handler = this.createHandler(roleRemoval);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::BedrockModelInvocationLogging',
      properties: {
        BucketName: this.bucket.bucketName,
        KeyPrefix: INVOCATION_LOG_KEY_PREFIX,
        LogGroupName: this.logGroup.logGroupName,
        RoleArn: this.deliveryRole.roleArn,
        LargeDataKeyPrefix: LARGE_DATA_KEY_PREFIX,
        TextDataDeliveryEnabled: String(settings.dataDelivery.text),
        ImageDataDeliveryEnabled: String(settings.dataDelivery.image),
        EmbeddingDataDeliveryEnabled: String(settings.dataDelivery.embedding),
        VideoDataDeliveryEnabled: String(settings.dataDelivery.video),
        AudioDataDeliveryEnabled: String(settings.dataDelivery.audio),
        OnDelete: settings.onStackDelete,
      } satisfies InvocationLoggingProperties,
    });
    // Bedrock checks delivery permissions when the configuration is put: the bucket policy, the key (policy) and the
    // delivery role's policy must exist first (the bucket, log group and role are referenced, so come first anyway).
    this.resource.node.addDependency(this.bucket.policy!, this.key, deliveryPolicy);
    for (const role of [this.deliveryRole, this.replicationRole, this.handler.role!]) {
      (role as Role).applyRemovalPolicy(roleRemoval);
    }
    deliveryPolicy.applyRemovalPolicy(roleRemoval);
  }


  /** The role S3 replicates with: read this bucket's versions, decrypt them, write and encrypt replicas in the archive. */
  private createReplicationRole(config: GovernanceConfig): Role {
    const archive = archiveLocation(config);
    const archiveBucketArn = `arn:${Aws.PARTITION}:s3:::${invocationLogArchiveBucketName(config)}`;
    const role = new Role(this, 'ReplicationRole', {
      roleName: `${LOG_REPLICATION_ROLE_PREFIX}${Aws.REGION}`,
      description: 'BL-LOG-1: S3 replicates model-invocation logs to the log-archive account\'s Object Lock bucket with this role',
      assumedBy: new ServicePrincipal('s3.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const policy = new ManagedPolicy(this, 'ReplicationPolicy', {
      managedPolicyName: `${LOG_REPLICATION_ROLE_PREFIX}${Aws.REGION}`,
      roles: [role],
      document: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'ReadReplicationConfiguration',
            actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
            resources: [this.bucket.bucketArn],
          }),
          new PolicyStatement({
            sid: 'ReadSourceVersions',
            actions: [
              's3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging',
              's3:GetObjectRetention', 's3:GetObjectLegalHold',
            ],
            resources: [this.bucket.arnForObjects('*')],
          }),
          new PolicyStatement({
            sid: 'WriteReplicasToArchive',
            actions: ['s3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
            resources: [`${archiveBucketArn}/*`],
          }),
          new PolicyStatement({
            sid: 'DecryptSourceThroughS3',
            actions: ['kms:Decrypt'],
            resources: [this.key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
          }),
          new PolicyStatement({
            sid: 'EncryptReplicasWithArchiveKey',
            actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
            resources: [`arn:${Aws.PARTITION}:kms:${archive.region}:${archive.account}:key/*`],
            conditions: {
              'StringEquals': { 'kms:ViaService': `s3.${archive.region}.amazonaws.com` },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [ARCHIVE_KEY_ALIAS] },
            },
          }),
        ],
      }),
    });
    const bucketLogicalId = logicalIdOf(this.bucket);
    acknowledgeFinding(policy,
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`, reason: 'Replication reads every version of every object in the one delivery bucket' },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${invocationLogArchiveBucketName(config)}/*]`, reason: 'Replicas of every log object go into the one archive bucket' },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${archive.region}:${archive.account}:key/*]`,
        reason: 'The archive key\'s id is not known to member templates: the statement is held to the key with alias/genai-governance-archive (kms:ResourceAliases) and to S3 (kms:ViaService)',
      },
    );
    return role;
  }

  /** Replication of every object to the archive, re-encrypted with the archive key, owned by the archive account. */
  private configureReplication(config: GovernanceConfig): void {
    const archive = archiveLocation(config);
    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    cfnBucket.replicationConfiguration = {
      role: this.replicationRole.roleArn,
      rules: [{
        id: 'ToLogArchive',
        status: 'Enabled',
        priority: 1,
        filter: { prefix: '' },
        deleteMarkerReplication: { status: 'Disabled' },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
        destination: {
          bucket: `arn:${Aws.PARTITION}:s3:::${invocationLogArchiveBucketName(config)}`,
          account: archive.account,
          accessControlTranslation: { owner: 'Destination' },
          encryptionConfiguration: { replicaKmsKeyId: archiveKeyAliasArn(config) },
          metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
        },
      }],
    };
  }

  /** The inline-code Lambda that puts the configuration, with its own role and log group. */
  private createHandler(roleRemoval: RemovalPolicy): LambdaFunction {
    const functionLogs = new LogGroup(this, 'HandlerLogs', {
      logGroupName: `/aws/lambda/${INVOCATION_LOGGING_FUNCTION_NAME}`,
      retention: 365 as RetentionDays,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(this, 'HandlerRole', {
      roleName: `${INVOCATION_LOGGING_FUNCTION_NAME}-${Aws.REGION}`,
      description: 'BL-LOG-1: the custom resource that puts the Bedrock model-invocation logging configuration',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const policy = new ManagedPolicy(this, 'HandlerPolicy', {
      managedPolicyName: `${INVOCATION_LOGGING_FUNCTION_NAME}-${Aws.REGION}`,
      roles: [role],
      document: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'PutInvocationLogging',
            actions: ['bedrock:PutModelInvocationLoggingConfiguration', 'bedrock:DeleteModelInvocationLoggingConfiguration'],
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'PassDeliveryRoleToBedrock',
            actions: ['iam:PassRole'],
            resources: [this.deliveryRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
          }),
          new PolicyStatement({
            sid: 'WriteOwnLogs',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [`${functionLogs.logGroupArn.replace(/:\*$/, '')}:log-stream:*`],
          }),
        ],
      }),
    });
    policy.applyRemovalPolicy(roleRemoval);
    const handlerLogsId = logicalIdOf(functionLogs);
    acknowledgeFinding(policy,
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'Put/DeleteModelInvocationLoggingConfiguration are account-level actions with no resource type (aws-facts 2)' },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${handlerLogsId}.Arn>:log-stream:*]`, reason: 'Lambda names its log streams itself; the wildcard is the streams of the function\'s own log group' },
    );
    const fn = customResourceFunction(this, 'Handler', {
      functionName: INVOCATION_LOGGING_FUNCTION_NAME,
      description: 'BL-LOG-1: puts the Bedrock model-invocation logging configuration (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      role,
      rolePolicy: policy,
      logGroup: functionLogs,
      outsideVpcReason: 'Calls only the Bedrock control plane and the CloudFormation response URL (S3); the egress-free baseline VPC has no route to the response URL',
      concurrencyReason: 'Reserved concurrency fails in new accounts whose concurrency quota is 10 (unreserved may not drop below 10); the function runs once per stack operation',
    });
    return fn;
  }
}
