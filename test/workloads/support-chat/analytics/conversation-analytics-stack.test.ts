import { Duration, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import { ANALYTICS_QUERIES } from '../../../../workloads/support-chat/analytics/athena/analytics-queries';
import { ConversationAnalytics } from '../../../../workloads/support-chat/analytics/constructs/conversation-analytics';
import { ConversationTable } from '../../../../workloads/support-chat/chat/constructs/conversation-table';
import { synthVariant } from '../../../support/estate';

/**
 * The analytics constructs in one small stack with every gate on (cdk-nag, cfn-guard, strict validation: a finding fails
 * the synth): the table's stream, the export function and its mapping, the bucket, the Glue tables, the workgroup.
 */
const { built, synthesized } = synthVariant((app) => {
  const stack = new Stack(app, 'AnalyticsTest', { env: { account: '123456789012', region: 'eu-central-1' } });
  const key = new Key(stack, 'Key', { enableKeyRotation: true });
  denyGrantsExceptForAwsResources(key);
  const table = new ConversationTable(stack, 'Conversations', { key });
  const analytics = new ConversationAnalytics(stack, 'Analytics', {
    namePrefix: 'support-chat', table: table.table, key, logRetention: RetentionDays.ONE_YEAR, accessLogExpiration: Duration.days(90),
  });
  return { stack, analytics, table };
});
const template: Template = synthesized(built.stack).template;
const id = (c: { node: { defaultChild?: unknown } }) => built.stack.getLogicalId(c.node.defaultChild as any);

test('the conversation table streams keys only', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'KEYS_ONLY' } });
});

test('the mapping: new and changed conversation items of customers only, partial batch failures, bisect, a dead-letter queue', () => {
  const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
  expect(Object.keys(mappings)).toHaveLength(1);
  const properties = Object.values(mappings)[0].Properties;
  expect(JSON.parse(properties.FilterCriteria.Filters[0].Pattern)).toEqual({
    eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'USER#' }] }, sk: { S: [{ prefix: 'CONV#' }] } } },
  });
  expect(properties).toMatchObject({
    EventSourceArn: { 'Fn::GetAtt': [id(built.table.table), 'StreamArn'] },
    StartingPosition: 'TRIM_HORIZON',
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 10,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(built.analytics.deadLetterQueue), 'Arn'] } } },
  });
});

test('the export role: Query on customers\' partitions only, the stream, writes under conversations/ and turns/ only, the secret, the queue', () => {
  const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: Match.stringLikeRegexp('conversation-export') } }));
  const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
  expect(bySid.ConversationsOfCustomersOnly).toMatchObject({ Action: 'dynamodb:Query', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } } });
  expect(JSON.stringify(bySid.WriteExports.Resource)).toMatch(/conversations\/\*.*turns\/\*/);
  expect(JSON.stringify(statements)).not.toMatch(/"s3:(GetObject|DeleteObject|\*)"|"dynamodb:(Scan|PutItem|UpdateItem|DeleteItem|\*)"|bedrock/);
});

test('the bucket: the stack\'s key, access logs, TLS only, exports and query results expire', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'support-chat-analytics/' }),
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ Prefix: 'conversations/', ExpirationInDays: 400 }), Match.objectLike({ Prefix: 'turns/', ExpirationInDays: 400 }),
        Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 7 }),
      ]),
    },
  });
});

test('the Glue tables project the day partition over the bucket; the workgroup enforces encrypted results; the seven queries are in it', () => {
  template.resourceCountIs('AWS::Glue::Table', 2);
  template.hasResourceProperties('AWS::Glue::Table', {
    TableInput: Match.objectLike({
      Name: 'conversations',
      Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.date.type': 'date', 'projection.date.format': 'yyyy-MM-dd' }),
    }),
  });
  template.hasResourceProperties('AWS::Athena::WorkGroup', {
    WorkGroupConfiguration: Match.objectLike({
      EnforceWorkGroupConfiguration: true,
      ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() } }),
    }),
  });
  expect(Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties.Name).sort()).toEqual(ANALYTICS_QUERIES.map((q) => q.name).sort());
});
