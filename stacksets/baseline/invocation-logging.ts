import * as path from 'node:path';
import { Aws, CfnCondition, CfnParameter, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { InvocationLoggingProperties } from './handlers/invocation-logging';
import { logStreamsArn, logStreamsFinding } from '../../building-blocks/cloudwatch-logs/log-streams';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { acknowledgeFinding, logicalIdOf } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../building-blocks/s3/event-bridge-notifications';
import type { GovernanceConfig } from '../../config/schema';
import { ARCHIVE_KEY_ALIAS, LOG_REPLICATION_ROLE_PREFIX } from '../../contracts/archive-names';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { INVOCATION_LOG_GROUP_NAME, INVOCATION_LOG_KEY_PREFIX, INVOCATION_LOGGING_FUNCTION_NAME, LARGE_DATA_KEY_PREFIX } from '../../contracts/invocation-logging-names';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'invocation-logging.ts');

/**
 * The member template's parameter that turns body delivery off in the stack instances that override it: `configured`
 * (default) delivers the bodies `dataDelivery` turns on; `metadata-only` delivers none (docs/adr/0030).
 */
export const DATA_DELIVERY_PARAMETER = 'InvocationLogDataDelivery';
/** The values of `DATA_DELIVERY_PARAMETER`. */
export const DATA_DELIVERY_VALUES = { configured: 'configured', metadataOnly: 'metadata-only' } as const;

/** Whether the logging delivers any body kind: only then does the member template have `DATA_DELIVERY_PARAMETER`. */
export function deliversBodies(settings: GovernanceConfig['baseline']['invocationLogging']): boolean {
  return Object.values(settings.dataDelivery).some(Boolean);
}

/**
 * The parameter overrides of the stack instances in each metadata-only OU (by OU path). None when no body kind is on:
 * every account then logs metadata only, and the template has no parameter to override.
 */
export function metadataOnlyParameterOverrides(
  settings: GovernanceConfig['baseline']['invocationLogging'],
): Record<string, Record<string, string>> {
  if (!deliversBodies(settings)) return {};
  const overrides = { [DATA_DELIVERY_PARAMETER]: DATA_DELIVERY_VALUES.metadataOnly };
  return Object.fromEntries(settings.metadataOnlyOrganizationalUnits.map((ou) => [ou, overrides]));
}

/** The log-archive account's Object Lock bucket that every member copy is replicated to (ARC-1). */
export interface InvocationLogArchive {
  /** The log-archive account, which owns the replicas. */
  readonly account: string;
  /** The Region of the archive bucket and its key. */
  readonly region: string;
  /** The archive bucket's name. */
  readonly bucketName: string;
  /** ARN of the archive key's alias: replication names the replica key by it (its id is not known to member templates). */
  readonly keyAliasArn: string;
}

/** Properties of an `InvocationLogging`. */
export interface InvocationLoggingProps {
  /** What Bedrock delivers, how long the member copy stays, and what deleting the stack does to logging. */
  readonly settings: GovernanceConfig['baseline']['invocationLogging'];
  /** Where every object is replicated. */
  readonly archive: InvocationLogArchive;
  /** How long the invocation log group keeps its events. */
  readonly logRetention: RetentionDays;
  /** How long the delivery bucket's server access logs are kept (whole days). */
  readonly accessLogExpiration: Duration;
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
 * - Bodies: those `dataDelivery` turns on, unless the stack's `InvocationLogDataDelivery` parameter is `metadata-only`
 *   (the StackSet overrides it for `metadataOnlyOrganizationalUnits`): then none, metadata only.
 */
export class InvocationLogging extends Construct {
  public readonly key: Key;
  public readonly bucket: Bucket;
  public readonly logGroup: LogGroup;
  public readonly deliveryRole: Role;
  public readonly replicationRole: Role;
  /** The custom resource's handler: function, role and log group. */
  public readonly handler: GovernanceHandler;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: InvocationLoggingProps) {
    super(scope, id);
    const { settings } = props;
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
      expiration: props.accessLogExpiration,
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
      reason: 'Delivery bucket only: every object is replicated to the log-archive Object Lock bucket; Bedrock\'s invocation-logging documentation does not say it can deliver into Object Lock buckets',
    });

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: INVOCATION_LOG_GROUP_NAME,
      retention: props.logRetention,
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
            resources: [logStreamsArn(INVOCATION_LOG_GROUP_NAME)],
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
      id: logStreamsFinding(INVOCATION_LOG_GROUP_NAME),
      reason: 'Bedrock names its log streams itself; the wildcard is the streams of the one invocation log group',
    }, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/${LARGE_DATA_KEY_PREFIX}/*]`,
      reason: 'Bedrock names the large-body objects itself; the wildcard is the large-data prefix of the one delivery bucket',
    });

    this.replicationRole = this.createReplicationRole(props.archive);
    this.configureReplication(props.archive);

    this.handler = this.createHandler(roleRemoval);
    // The parameter only where a body kind is on (with none on it would be an unused parameter).
    const metadataOnly = deliversBodies(settings) ? this.metadataOnlyCondition() : undefined;
    const delivered = (on: boolean) => (on && metadataOnly ? Fn.conditionIf(metadataOnly.logicalId, 'false', 'true').toString() : 'false');
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.serviceToken,
      resourceType: 'Custom::BedrockModelInvocationLogging',
      properties: {
        BucketName: this.bucket.bucketName,
        KeyPrefix: INVOCATION_LOG_KEY_PREFIX,
        LogGroupName: this.logGroup.logGroupName,
        RoleArn: this.deliveryRole.roleArn,
        LargeDataKeyPrefix: LARGE_DATA_KEY_PREFIX,
        TextDataDeliveryEnabled: delivered(settings.dataDelivery.text),
        ImageDataDeliveryEnabled: delivered(settings.dataDelivery.image),
        EmbeddingDataDeliveryEnabled: delivered(settings.dataDelivery.embedding),
        VideoDataDeliveryEnabled: delivered(settings.dataDelivery.video),
        AudioDataDeliveryEnabled: delivered(settings.dataDelivery.audio),
        OnDelete: settings.onStackDelete,
      } satisfies InvocationLoggingProperties,
    });
    // Bedrock checks delivery permissions when the configuration is put: the bucket policy, the key (policy) and the
    // delivery role's policy must exist first (the bucket, log group and role are referenced, so come first anyway).
    this.resource.node.addDependency(this.bucket.policy!, this.key, deliveryPolicy);
    for (const role of [this.deliveryRole, this.replicationRole]) role.applyRemovalPolicy(roleRemoval);
    deliveryPolicy.applyRemovalPolicy(roleRemoval);
    // Both `Default` (the handler) and `Resource` are children: name the default child rather than leave it ambiguous.
    this.node.defaultChild = this.resource;
  }


  /** `InvocationLogDataDelivery` and the condition that it is `metadata-only`, once per stack. */
  private metadataOnlyCondition(): CfnCondition {
    const stack = Stack.of(this);
    const existing = stack.node.tryFindChild(`${DATA_DELIVERY_PARAMETER}MetadataOnly`);
    if (existing) return existing as CfnCondition;
    const parameter = new CfnParameter(stack, DATA_DELIVERY_PARAMETER, {
      type: 'String',
      default: DATA_DELIVERY_VALUES.configured,
      allowedValues: Object.values(DATA_DELIVERY_VALUES),
      description: 'BL-LOG-1: configured delivers the request and response bodies the governance config turns on; metadata-only delivers none',
    });
    return new CfnCondition(stack, `${DATA_DELIVERY_PARAMETER}MetadataOnly`, {
      expression: Fn.conditionEquals(parameter.valueAsString, DATA_DELIVERY_VALUES.metadataOnly),
    });
  }

  /** The role S3 replicates with: read this bucket's versions, decrypt them, write and encrypt replicas in the archive. */
  private createReplicationRole(archive: InvocationLogArchive): Role {
    const archiveBucketArn = `arn:${Aws.PARTITION}:s3:::${archive.bucketName}`;
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
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${archive.bucketName}/*]`, reason: 'Replicas of every log object go into the one archive bucket' },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${archive.region}:${archive.account}:key/*]`,
        reason: 'The archive key\'s id is not known to member templates: the statement is held to the key with alias/genai-governance-archive (kms:ResourceAliases) and to S3 (kms:ViaService)',
      },
    );
    return role;
  }

  /** Replication of every object to the archive, re-encrypted with the archive key, owned by the archive account. */
  private configureReplication(archive: InvocationLogArchive): void {
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
          bucket: `arn:${Aws.PARTITION}:s3:::${archive.bucketName}`,
          account: archive.account,
          accessControlTranslation: { owner: 'Destination' },
          encryptionConfiguration: { replicaKmsKeyId: archive.keyAliasArn },
          metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
        },
      }],
    };
  }

  /**
   * The inline-code Lambda that puts the configuration, with its own role and log group under the invocation-log key.
   * Added as `Default` with the prefix `Handler`: its resources keep the logical ids they had as children of this
   * construct (`HandlerLogs`, `HandlerRole`, `HandlerPolicy`, `Handler`).
   */
  private createHandler(roleRemoval: RemovalPolicy): GovernanceHandler {
    return new GovernanceHandler(this, 'Default', {
      childIdPrefix: 'Handler',
      functionName: INVOCATION_LOGGING_FUNCTION_NAME,
      description: 'BL-LOG-1: puts the Bedrock model-invocation logging configuration (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      roleName: `${INVOCATION_LOGGING_FUNCTION_NAME}-${Aws.REGION}`,
      roleDescription: 'BL-LOG-1: the custom resource that puts the Bedrock model-invocation logging configuration',
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
      ],
      policyAcknowledgements: [
        { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'Put/DeleteModelInvocationLoggingConfiguration are account-level actions with no resource type (Service Authorization Reference, Amazon Bedrock)' },
      ],
      logRetention: RetentionDays.ONE_YEAR,
      logEncryptionKey: this.key,
      roleRemovalPolicy: roleRemoval,
      outsideVpcReason: 'Calls only the Bedrock control plane and the CloudFormation response URL (S3); the egress-free baseline VPC has no route to the response URL',
      concurrencyReason: 'Reserved concurrency fails in new accounts whose concurrency quota is 10 (unreserved may not drop below 10); the function runs once per stack operation',
    });
  }
}
