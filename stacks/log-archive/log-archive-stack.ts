import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ArchiveBucket } from './archive-bucket';
import { ARCHIVE_KEY_ALIAS, invocationLogArchiveBucketName, LOG_REPLICATION_ROLE_PREFIX } from './archive-names';
import type { GovernanceConfig } from '../../config/schema';
import { denyGrantsExceptForAwsResources } from '../kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../s3/access-logs-bucket';

export interface LogArchiveStackProps extends StackProps {
  /** The validated governance config (retention periods, organization id). */
  readonly config: GovernanceConfig;
}

/**
 * The log-archive account's stack: the Object Lock evidence archive, its customer-managed key (alias
 * `alias/genai-governance-archive`), and the separate bucket for server access logs. The invocation-log archive admits
 * S3 replication from the member accounts' BL-LOG-1 buckets: only roles named `genai-governance-log-replication-*` of
 * the organization (`aws:PrincipalOrgID`), only the replication actions, and the key only through S3 in this Region.
 */
export class LogArchiveStack extends Stack {
  public readonly archiveKey: Key;
  public readonly accessLogsBucket: AccessLogsBucket;
  public readonly invocationLogArchive: ArchiveBucket;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { retention } = config;

    this.archiveKey = new Key(this, 'ArchiveKey', {
      description: 'SSE-KMS key of the governance evidence archive',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new Alias(this, 'ArchiveKeyAlias', { aliasName: ARCHIVE_KEY_ALIAS, targetKey: this.archiveKey });
    denyGrantsExceptForAwsResources(this.archiveKey);
    this.accessLogsBucket = new AccessLogsBucket(this, 'AccessLogs', {
      encryptionKey: this.archiveKey,
      expirationDays: retention.accessLogExpirationDays,
    });

    this.invocationLogArchive = new ArchiveBucket(this, 'InvocationLogArchive', {
      bucketName: invocationLogArchiveBucketName(config),
      encryptionKey: this.archiveKey,
      accessLogsBucket: this.accessLogsBucket.bucket,
      accessLogsPrefix: 'invocation-log-archive/',
      objectLockDays: retention.objectLockDays,
      transitionToColdStorageAfterDays: retention.transitionToColdStorageAfterDays,
    });
    this.admitMemberReplication(config);
  }

  /** Bucket- and key-policy statements for the member accounts' replication roles (BL-LOG-1 → ARC-1). */
  private admitMemberReplication(config: GovernanceConfig): void {
    const bucket = this.invocationLogArchive.bucket;
    const replicationRoles = {
      StringEquals: { 'aws:PrincipalOrgID': config.organization.id },
      ArnLike: { 'aws:PrincipalArn': `arn:${this.partition}:iam::*:role/${LOG_REPLICATION_ROLE_PREFIX}*` },
    };
    bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'MemberLogReplicationObjects',
      principals: [new AnyPrincipal()],
      actions: ['s3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
      resources: [bucket.arnForObjects('*')],
      conditions: replicationRoles,
    }));
    bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'MemberLogReplicationBucket',
      principals: [new AnyPrincipal()],
      actions: ['s3:GetBucketVersioning', 's3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: replicationRoles,
    }));
    this.archiveKey.addToResourcePolicy(new PolicyStatement({
      sid: 'MemberLogReplicationEncrypt',
      principals: [new AnyPrincipal()],
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { ...replicationRoles, StringEquals: { ...replicationRoles.StringEquals, 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
    }));
  }
}
