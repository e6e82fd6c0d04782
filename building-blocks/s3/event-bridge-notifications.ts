import { CfnBucket, type Bucket } from 'aws-cdk-lib/aws-s3';

/**
 * Sends the bucket's S3 events to Amazon EventBridge (Control Tower CT.S3.PR.4), set directly on the CloudFormation
 * resource: the L2 `eventBridgeEnabled` prop deploys a custom-resource Lambda function to do the same.
 */
export function enableEventBridgeNotifications(bucket: Bucket): void {
  const resource = bucket.node.defaultChild as CfnBucket;
  resource.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
