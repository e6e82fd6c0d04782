import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, ObjectLockRetention, StorageClass, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { encryptedBucketProps } from '../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../building-blocks/s3/event-bridge-notifications';

export interface ArchiveBucketProps {
  /**
   * Fixed name, for buckets other accounts' templates must name (replication destinations).
   * @default - CloudFormation generates a name
   */
  readonly bucketName?: string;
  /** Customer-managed key for SSE-KMS; its policy decides who may write and read. */
  readonly encryptionKey: IKey;
  /** Bucket that receives this bucket's server access logs (an Object Lock bucket cannot be a log target). */
  readonly accessLogsBucket: IBucket;
  /** Prefix of this bucket's access logs in `accessLogsBucket`. */
  readonly accessLogsPrefix: string;
  /** Default Object Lock retention in compliance mode (whole days): nobody, root included, can delete a version sooner. */
  readonly objectLockRetention: Duration;
  /** Age at which current and noncurrent versions move to S3 Glacier Flexible Retrieval (whole days). */
  readonly transitionToColdStorageAfter: Duration;
  /**
   * Whether member accounts replicate into it (BL-LOG-1); it says why the bucket replicates nowhere itself.
   * @default true
   */
  readonly receivesMemberReplication?: boolean;
}

/**
 * An evidence archive (ARC-1): S3 with Object Lock in compliance mode and a default retention, versioning, SSE-KMS with
 * a customer-managed key and bucket keys, TLS only, public access blocked, ACLs disabled, server access logs to a
 * separate bucket, S3 events to EventBridge, and a lifecycle to colder storage. The bucket is retained when its stack is deleted.
 */
export class ArchiveBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const toColdStorage = [{ storageClass: StorageClass.GLACIER, transitionAfter: props.transitionToColdStorageAfter }];
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(props.objectLockRetention),
      ...encryptedBucketProps(props.encryptionKey),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsPrefix,
      lifecycleRules: [{
        id: 'ToColdStorage',
        transitions: toColdStorage,
        noncurrentVersionTransitions: toColdStorage,
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    const replicationReason = props.receivesMemberReplication === false
      ? 'The archive is the organization trail\'s destination and the evidence copy itself; Object Lock compliance mode keeps every version immutable'
      : 'The archive is the replication destination for member accounts\' log buckets (BL-LOG-1), not a source; Object Lock compliance mode keeps every version immutable';
    acknowledgeFinding(this.bucket,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: replicationReason },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: replicationReason },
    );
  }
}
