import { Aws } from 'aws-cdk-lib';

/**
 * The ARN of every log stream of the log group `logGroupName` in this stack's account and Region, in the format of the
 * Service Authorization Reference (`arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:<stream>`), for
 * `logs:CreateLogStream` and `logs:PutLogEvents`, whose resource type is the log stream
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
 * Not `${logGroup.logGroupArn}:log-stream:*`: a log group's `Arn` attribute already ends in `:*`, and that ARN matches
 * no log stream.
 */
export function logStreamsArn(logGroupName: string): string {
  return `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupName}:log-stream:*`;
}

/** The cdk-nag finding a statement on {@link logStreamsArn} raises (a wildcard, for the streams the service names). */
export function logStreamsFinding(logGroupName: string): string {
  return `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${logGroupName}:log-stream:*]`;
}
