import { RemovalPolicy } from 'aws-cdk-lib';
import type { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources } from './deny-grants-except-aws-resources';

/**
 * The customer-managed key of KMS-encrypted SNS topics, created in `scope` as `TopicKey`: rotated, kept on delete,
 * grants only for AWS resources, and usable by the one service that publishes to the topics (EventBridge, CloudWatch
 * alarms), which needs `kms:Decrypt` and `kms:GenerateDataKey*` to publish to an encrypted topic.
 */
export function topicKey(scope: Construct, description: string, publisher: ServicePrincipal): Key {
  const key = new Key(scope, 'TopicKey', { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  denyGrantsExceptForAwsResources(key);
  key.grant(publisher, 'kms:Decrypt', 'kms:GenerateDataKey*');
  return key;
}
