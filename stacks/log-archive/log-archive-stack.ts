import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ArchiveBucket } from './archive-bucket';
import { admitVerificationEvidence } from './verification-evidence';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../../building-blocks/s3/access-logs-bucket';
import { accountIdOf, baselineAccounts } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import {
  ARCHIVE_KEY_ALIAS, invocationLogArchiveBucketName, LOG_REPLICATION_ROLE_PREFIX, organizationTrailArn, trailArchiveBucketName,
} from '../../contracts/archive-names';
import { ARCHIVE_READER_ROLE_NAME } from '../../contracts/audit-analytics-names';
import { VerifierRole } from '../../stacksets/baseline/verifier-role';

export interface LogArchiveStackProps extends StackProps {
  /** The validated governance config (retention periods, organization id). */
  readonly config: GovernanceConfig;
}

/**
 * The log-archive account's stack: the Object Lock evidence archive, its customer-managed key (alias
 * `alias/genai-governance-archive`), and the separate bucket for server access logs. The invocation-log archive admits
 * S3 replication from the member accounts' BL-LOG-1 buckets: only roles named `genai-governance-log-replication-*` of
 * the organization (`aws:PrincipalOrgID`), only the replication actions, and the key only through S3 in this Region.
 * The trail archive also keeps the verification evidence (VER-1, `verification/`), and the account has the verifier role.
 */
export class LogArchiveStack extends Stack {
  public readonly archiveKey: Key;
  public readonly accessLogsBucket: AccessLogsBucket;
  public readonly invocationLogArchive: ArchiveBucket;
  public readonly trailArchive: ArchiveBucket;

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
      expiration: Duration.days(retention.accessLogExpirationDays),
    });

    this.invocationLogArchive = new ArchiveBucket(this, 'InvocationLogArchive', {
      bucketName: invocationLogArchiveBucketName(config),
      encryptionKey: this.archiveKey,
      accessLogsBucket: this.accessLogsBucket.bucket,
      accessLogsPrefix: 'invocation-log-archive/',
      objectLockRetention: Duration.days(retention.objectLockDays),
      transitionToColdStorageAfter: Duration.days(retention.transitionToColdStorageAfterDays),
    });
    this.admitMemberReplication(config);

    this.trailArchive = new ArchiveBucket(this, 'TrailArchive', {
      bucketName: trailArchiveBucketName(config),
      encryptionKey: this.archiveKey,
      accessLogsBucket: this.accessLogsBucket.bucket,
      accessLogsPrefix: 'trail-archive/',
      objectLockRetention: Duration.days(retention.objectLockDays),
      transitionToColdStorageAfter: Duration.days(retention.transitionToColdStorageAfterDays),
      receivesMemberReplication: false,
    });
    this.admitOrganizationTrail(config);
    this.admitArchiveReader(config);
    this.admitMacie();
    // VER-1: the daily verification's reports and the expected facts it reads, in the trail archive.
    admitVerificationEvidence({ config, archive: this.trailArchive.bucket, archiveKey: this.archiveKey, region: this.region });
    // VER-1: the verifier reads this account through its role; the baseline creates it where the account is a target.
    if (!baselineAccounts(config).some((a) => a.name === config.topology.logArchive)) new VerifierRole(this, 'Verifier', { config });
  }

  /**
   * MAC-1: Macie reads the archives (the classification job, automated discovery) with this account's Macie
   * service-linked role, which may decrypt with the archive key only through S3 in this Region. Named by
   * `aws:PrincipalArn`, not as the principal: the role exists only once the audit account has made this account a
   * Macie member, and KMS rejects a key policy naming a role that does not exist yet.
   */
  private admitMacie(): void {
    this.archiveKey.addToResourcePolicy(new PolicyStatement({
      sid: 'MacieDecryptThroughS3',
      principals: [new AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'aws:PrincipalArn': `arn:${this.partition}:iam::${this.account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
          'kms:ViaService': `s3.${this.region}.amazonaws.com`,
        },
      },
    }));
  }

  /**
   * LF-1's reads: the audit account's Lake Formation reader role (the only role registered for the archives) may list
   * and read both archives and decrypt through S3; queries reach the archives only through it.
   */
  private admitArchiveReader(config: GovernanceConfig): void {
    const reader = {
      StringEquals: {
        'aws:PrincipalOrgID': config.organization.id,
        'aws:PrincipalArn': `arn:${this.partition}:iam::${accountIdOf(config, config.topology.audit)}:role/${ARCHIVE_READER_ROLE_NAME}`,
      },
    };
    for (const archive of [this.trailArchive, this.invocationLogArchive]) {
      archive.bucket.addToResourcePolicy(new PolicyStatement({
        sid: 'LakeFormationArchiveReaderList',
        principals: [new AnyPrincipal()],
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [archive.bucket.bucketArn],
        conditions: reader,
      }));
      archive.bucket.addToResourcePolicy(new PolicyStatement({
        sid: 'LakeFormationArchiveReaderRead',
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [archive.bucket.arnForObjects('*')],
        conditions: reader,
      }));
    }
    this.archiveKey.addToResourcePolicy(new PolicyStatement({
      sid: 'LakeFormationArchiveReaderDecrypt',
      principals: [new AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { ...reader.StringEquals, 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
    }));
  }

  /**
   * CT-1's delivery: the bucket policy AWS documents for an organization trail (ACL check, the management account's
   * prefix, the organization's prefix; each only for the management account's trail by `aws:SourceArn`), and the key
   * for that trail only (`aws:SourceArn` and the CloudTrail encryption context).
   */
  private admitOrganizationTrail(config: GovernanceConfig): void {
    const bucket = this.trailArchive.bucket;
    const trailArn = organizationTrailArn(config);
    const management = accountIdOf(config, config.topology.management);
    const cloudTrail = new ServicePrincipal('cloudtrail.amazonaws.com');
    const fromTrail = { 'aws:SourceArn': trailArn };
    bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'AWSCloudTrailAclCheck20150319',
      principals: [cloudTrail],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: fromTrail },
    }));
    bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'AWSCloudTrailWrite20150319',
      principals: [cloudTrail],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`AWSLogs/${management}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...fromTrail } },
    }));
    bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'AWSCloudTrailOrganizationWrite20150319',
      principals: [cloudTrail],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`AWSLogs/${config.organization.id}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...fromTrail } },
    }));
    this.archiveKey.addToResourcePolicy(new PolicyStatement({
      sid: 'OrganizationTrailEncrypt',
      principals: [cloudTrail],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: fromTrail, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${management}:trail/*` } },
    }));
    this.archiveKey.addToResourcePolicy(new PolicyStatement({
      sid: 'OrganizationTrailDescribeKey',
      principals: [cloudTrail],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: fromTrail },
    }));
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
