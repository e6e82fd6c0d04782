import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ArchiveBucket } from './archive-bucket';
import { enableEventBridgeNotifications } from './event-bridge-notifications';
import type { GovernanceConfig } from '../../config/schema';
import { acknowledgeFinding } from '../gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../kms/deny-grants-except-aws-resources';

export interface LogArchiveStackProps extends StackProps {
  /** The validated governance config (retention periods). */
  readonly config: GovernanceConfig;
}

/**
 * The log-archive account's stack: the Object Lock evidence archive, its customer-managed key, and the separate bucket
 * for server access logs.
 */
export class LogArchiveStack extends Stack {
  public readonly archiveKey: Key;
  public readonly accessLogsBucket: Bucket;
  public readonly invocationLogArchive: ArchiveBucket;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, props);
    const { retention } = props.config;

    this.archiveKey = new Key(this, 'ArchiveKey', {
      description: 'SSE-KMS key of the governance evidence archive',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(this.archiveKey);
    // Encrypted with the archive key: aws-cdk-lib grants logging.s3.amazonaws.com its use when a bucket logs here.
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.archiveKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{
        id: 'ExpireAccessLogs',
        expiration: Duration.days(retention.accessLogExpirationDays),
        noncurrentVersionExpiration: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.accessLogsBucket);
    const noSecondCopy = 'Access logs expire after retention.accessLogExpirationDays; they are operational records, not evidence to keep a second copy of';
    acknowledgeFinding(this.accessLogsBucket,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'S3 cannot deliver server access logs to a bucket with Object Lock (S3 user guide, object-lock-configure); the logs are about the archive, not evidence' },
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'This is the server access log destination; logging it into itself would log its own log deliveries in a loop' },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: noSecondCopy },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: noSecondCopy },
    );

    this.invocationLogArchive = new ArchiveBucket(this, 'InvocationLogArchive', {
      encryptionKey: this.archiveKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'invocation-log-archive/',
      objectLockDays: retention.objectLockDays,
      transitionToColdStorageAfterDays: retention.transitionToColdStorageAfterDays,
    });
  }
}
