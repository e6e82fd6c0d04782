import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { encryptedBucketProps } from './encrypted-bucket-props';
import { enableEventBridgeNotifications } from './event-bridge-notifications';
import { acknowledgeFinding } from '../gates/acknowledge';

export interface AccessLogsBucketProps {
  /** Customer-managed key: aws-cdk-lib grants `logging.s3.amazonaws.com` its use when a bucket logs here. */
  readonly encryptionKey: IKey;
  /** How long the access logs are kept (current versions, whole days); noncurrent versions go a day after they are replaced. */
  readonly expiration: Duration;
  /**
   * Fixed name, so tamper protection can name it.
   * @default - CloudFormation generates a name
   */
  readonly bucketName?: string;
}

/**
 * The destination of other buckets' S3 server access logs, in the same account and Region: SSE-KMS, versioned, TLS
 * only, public access blocked, ACLs disabled, events to EventBridge, logs expire. It cannot have Object Lock (S3 does
 * not deliver access logs to Object Lock buckets) and does not log itself; both findings are acknowledged here.
 */
export class AccessLogsBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      ...encryptedBucketProps(props.encryptionKey),
      lifecycleRules: [{
        id: 'ExpireAccessLogs',
        expiration: props.expiration,
        noncurrentVersionExpiration: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    const noSecondCopy = 'Access logs expire after retention.accessLogExpirationDays; they are operational records, not evidence to keep a second copy of';
    acknowledgeFinding(this.bucket,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'S3 cannot deliver server access logs to a bucket with Object Lock (S3 user guide, object-lock-configure); the logs are about other buckets, not evidence' },
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'This is the server access log destination; logging it into itself would log its own log deliveries in a loop' },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: noSecondCopy },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: noSecondCopy },
    );
  }
}
