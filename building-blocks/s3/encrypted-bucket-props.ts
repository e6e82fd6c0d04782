import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, BucketEncryption, ObjectOwnership, type BucketProps } from 'aws-cdk-lib/aws-s3';

/**
 * The settings every bucket of this app shares: SSE-KMS with the given customer-managed key and S3 bucket keys,
 * versioning, TLS 1.2 only, public access blocked, ACLs disabled.
 */
export function encryptedBucketProps(encryptionKey: IKey): BucketProps {
  return {
    encryption: BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    versioned: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  };
}
