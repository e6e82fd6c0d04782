import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Match } from 'aws-cdk-lib/assertions';
import { ANALYTICS_QUERIES } from '../../../../workloads/support-chat/analytics/athena/analytics-queries';
import { exampleEstate } from '../../../support/example-estate';
import { resolveIntrinsics } from '../../../support/resolve-intrinsics';

/**
 * The analytics resources as the example estate synthesizes the tenant stack (every gate passed to get here: cdk-nag,
 * cfn-guard, strict validation): the table's stream, the export function and its mapping, the bucket, the Glue tables,
 * the workgroup and its queries.
 */
const chat = exampleEstate().supportChat[0];
const template = chat.template;
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, { Properties: Record<string, any> }][];
const tableId = resources('AWS::DynamoDB::Table')[0][0];

test('the conversation table streams keys only', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'KEYS_ONLY' } });
});

test('the mapping: new and changed conversation items of customers only, partial batch failures, bisect, a dead-letter queue', () => {
  const [[, mapping]] = resources('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn).includes('StreamArn'));
  const properties = mapping.Properties;
  expect(JSON.parse(properties.FilterCriteria.Filters[0].Pattern)).toEqual({
    eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'USER#' }] }, sk: { S: [{ prefix: 'CONV#' }] } } },
  });
  expect(properties).toMatchObject({
    EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
    StartingPosition: 'TRIM_HORIZON',
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 10,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/ExportDeadLetters/), 'Arn'] } } },
  });
});

test('the export role: Query on customers\' partitions only, the stream, writes under conversations/ and turns/ only, the secret, the queue', () => {
  const [[, policy]] = resources('AWS::IAM::ManagedPolicy').filter(([, p]) => p.Properties.ManagedPolicyName === `support-chat-conversation-export-${chat.region}`);
  const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
  expect(Object.keys(bySid).sort()).toEqual(['ConversationsOfCustomersOnly', 'DeadLetters', 'KeyThroughItsServices', 'PseudonymKey', 'TableStream', 'WriteExports', 'WriteOwnLogs']);
  expect(bySid.ConversationsOfCustomersOnly).toMatchObject({ Action: 'dynamodb:Query', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } } });
  expect(JSON.stringify(bySid.WriteExports.Resource)).toMatch(/conversations\/\*.*turns\/\*/);
  expect(JSON.stringify(statements)).not.toMatch(/"s3:(GetObject|DeleteObject|\*)"|"dynamodb:(Scan|PutItem|UpdateItem|DeleteItem|\*)"|bedrock/);
  expect(resources('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('ExportRole'))).toEqual([]);
});

test('the bucket: access logs, exports and query results expire', () => {
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
  expect(resources('AWS::Glue::Table').map(([, t]) => t.Properties.TableInput.Name).sort()).toEqual(['conversation_turns', 'conversations']);
  template.hasResourceProperties('AWS::Glue::Table', {
    TableInput: Match.objectLike({
      Name: 'conversations',
      Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.date.type': 'date', 'projection.date.format': 'yyyy-MM-dd' }),
    }),
  });
  template.hasResourceProperties('AWS::Athena::WorkGroup', {
    Name: 'support-chat-analytics',
    WorkGroupConfiguration: Match.objectLike({
      EnforceWorkGroupConfiguration: true,
      ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() } }),
    }),
  });
  expect(resources('AWS::Athena::NamedQuery').map(([, q]) => q.Properties.Name).sort()).toEqual(ANALYTICS_QUERIES.map((q) => q.name).sort());
});

describe('the export role, evaluated with iam-simulate on the synthesized policy', () => {
  const json = chat.artifact.template as Parameters<typeof resolveIntrinsics>[1];
  const place = { account: chat.account, region: chat.region };
  const tableArn = resolveIntrinsics({ 'Fn::GetAtt': [tableId, 'Arn'] }, json, place) as string;
  // The stream's ARN (the table's, with the label DynamoDB gives the stream when it is created) in place of its GetAtt.
  const document = JSON.stringify(Object.values(json.Resources)
    .find((r) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties?.ManagedPolicyName === `support-chat-conversation-export-${chat.region}`)!.Properties!.PolicyDocument)
    .split(JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] })).join(JSON.stringify(`${tableArn}/stream/2026-12-01T09:00:00.000`))
    .split(JSON.stringify({ Ref: resources('AWS::SecretsManager::Secret').find(([, r]) => r.Properties.Name === 'support-chat/analytics-pseudonym-key')![0] }))
    .join(JSON.stringify(`arn:aws:secretsmanager:${chat.region}:${chat.account}:secret:support-chat/analytics-pseudonym-key-AbCdEf`));
  const policy = resolveIntrinsics(JSON.parse(document), json, place);
  const [bucketId] = resources('AWS::S3::Bucket').find(([, b]) => b.Properties.LoggingConfiguration?.LogFilePrefix === 'support-chat-analytics/')!;
  const bucketArn = resolveIntrinsics({ 'Fn::GetAtt': [bucketId, 'Arn'] }, json, place) as string;
  const SUB = '0b7c6e1e-6a0c-4d6a-9a2e-5f1f2b3c4d5e';

  const evaluate = async (action: string, resource: string, context: Record<string, string | string[]> = {}) => {
    const result = await runSimulation({
      request: {
        principal: `arn:aws:sts::${chat.account}:assumed-role/support-chat-conversation-export-${chat.region}/export`,
        action,
        resource: { resource, accountId: chat.account },
        contextVariables: { 'aws:RequestedRegion': chat.region, ...context },
      },
      identityPolicies: [{ name: 'export', policy: policy as Record<string, unknown> }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  test('it queries a customer\'s partition, never the tenant\'s counters or the relay\'s and tickets\' partitions, and never scans or writes the table', async () => {
    expect(await evaluate('dynamodb:Query', tableArn, { 'dynamodb:LeadingKeys': [`USER#${SUB}`] })).toBe('Allowed');
    for (const key of ['TENANT', `RATE#${SUB}`, `TICKET#${SUB}`]) expect(await evaluate('dynamodb:Query', tableArn, { 'dynamodb:LeadingKeys': [key] })).not.toBe('Allowed');
    for (const action of ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) expect(await evaluate(action, tableArn, { 'dynamodb:LeadingKeys': [`USER#${SUB}`] })).not.toBe('Allowed');
  });

  test('it writes exports and turns only: not query results, and it reads or deletes nothing in the bucket', async () => {
    expect(await evaluate('s3:PutObject', `${bucketArn}/conversations/date=2026-12-01/c1.0123456789abcdef.json`)).toBe('Allowed');
    expect(await evaluate('s3:PutObject', `${bucketArn}/turns/date=2026-12-01/c1.0123456789abcdef.json`)).toBe('Allowed');
    expect(await evaluate('s3:PutObject', `${bucketArn}/athena-results/x.csv`)).not.toBe('Allowed');
    for (const action of ['s3:GetObject', 's3:DeleteObject']) expect(await evaluate(action, `${bucketArn}/conversations/date=2026-12-01/c1.json`)).not.toBe('Allowed');
  });
});
