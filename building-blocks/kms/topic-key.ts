import { RemovalPolicy } from 'aws-cdk-lib';
import type { IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources } from './deny-grants-except-aws-resources';

/** Properties of a `TopicKey`. */
export interface TopicKeyProps {
  /** What the key encrypts (the KMS key description). */
  readonly description: string;
  /**
   * The service that publishes to the topics the key encrypts (EventBridge, CloudWatch alarms): it is granted
   * `kms:Decrypt` and `kms:GenerateDataKey*`, which publishing to an encrypted topic needs.
   */
  readonly publisher: IPrincipal;
}

/**
 * The customer-managed key of KMS-encrypted SNS topics: rotated, kept on delete, grants only for AWS resources, and
 * usable by the one service that publishes to the topics.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export class TopicKey extends Key {
  constructor(scope: Construct, id: string, props: TopicKeyProps) {
    super(scope, id, { description: props.description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    denyGrantsExceptForAwsResources(this);
    this.grant(props.publisher, 'kms:Decrypt', 'kms:GenerateDataKey*');
  }
}
