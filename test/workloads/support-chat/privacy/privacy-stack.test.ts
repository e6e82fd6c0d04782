import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import { ArnPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import { ConversationTable } from '../../../../workloads/support-chat/chat/constructs/conversation-table';
import { SupportPrivacy } from '../../../../workloads/support-chat/privacy/constructs/support-privacy';
import { PRIVACY_FUNCTION_NAME } from '../../../../workloads/support-chat/privacy/privacy-wiring';
import { synthOne } from '../../../support/estate';
import { resolveIntrinsics } from '../../../support/resolve-intrinsics';

/*
 * The privacy capability's resources in a stack of their own, synthesized with every gate on, and its IAM evaluated with
 * iam-simulate on the synthesized, resolved policies: only the privacy officer's role invokes the function; the
 * function reaches the customer's partitions and the exports, and may not delete an audit record.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-central-1';
const OFFICERS = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_PrivacyOfficer_0123456789abcdef`;
const ANALYTICS_ARN = 'arn:aws:s3:::support-chat-analytics-111122223333-eu-central-1';
const SUB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PSEUDONYM_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:support-chat/analytics-pseudonym-key-AbCdEf`;

const template = synthOne((app) => {
  const stack = new Stack(app, 'PrivacyTest', { env: { account: ACCOUNT, region: REGION } });
  const key = new Key(stack, 'Key', { description: 'Test: support chat', enableKeyRotation: true });
  denyGrantsExceptForAwsResources(key);
  const conversations = new ConversationTable(stack, 'Conversations', { key });
  new SupportPrivacy(stack, 'Privacy', {
    namePrefix: 'support-chat',
    key,
    logRetention: RetentionDays.ONE_YEAR,
    conversationsTableName: conversations.table.tableName,
    conversationsTableArn: conversations.table.tableArn,
    dataKeys: [key],
    analyticsBucket: Bucket.fromBucketArn(stack, 'Analytics', ANALYTICS_ARN),
    analyticsPseudonymSecretArn: PSEUDONYM_SECRET_ARN,
    officers: new ArnPrincipal(OFFICERS),
  });
  return stack;
});

type Json = Record<string, any>;
const json = template.toJSON() as Parameters<typeof resolveIntrinsics>[1];
const place = { account: ACCOUNT, region: REGION };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Json][];
const resolved = (value: unknown) => resolveIntrinsics(value, json, place) as Json;
const managed = (name: string) => resolved(resources('AWS::IAM::ManagedPolicy').find(([, r]) => r.Properties.ManagedPolicyName === `${name}-${REGION}`)![1].Properties.PolicyDocument);
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PRIVACY_FUNCTION_NAME}`;
const conversationsName = resources('AWS::DynamoDB::Table').find(([id]) => id.startsWith('Conversations'))![0];

async function evaluate(args: {
  role: string; policy: Json; action: string; resource: string; context?: Record<string, string | string[]>; resourcePolicy?: Json;
}): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${args.role}/session`,
      action: args.action,
      resource: { resource: args.resource, accountId: ACCOUNT },
      contextVariables: { 'aws:RequestedRegion': REGION, 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/${args.role}`, ...args.context },
    },
    identityPolicies: [{ name: 'policy', policy: args.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(args.resourcePolicy ? { resourcePolicy: args.resourcePolicy } : {}),
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('SupportPrivacy: the privacy function, its officer and its audit table (one stack, every gate on)', () => {
  test('the function runs the privacy handler with the tables, the key secret and the analytics bucket it is given', () => {
    const [, fn] = resources('AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === PRIVACY_FUNCTION_NAME)!;
    expect(resolved(fn.Properties.Environment.Variables)).toMatchObject({
      CONVERSATIONS_TABLE_NAME: conversationsName,
      PRIVACY_TABLE_NAME: 'support-chat-privacy',
      SUBJECT_KEY_SECRET_ID: 'support-chat-privacy-subject-key',
      ANALYTICS_BUCKET_NAME: 'support-chat-analytics-111122223333-eu-central-1',
      ANALYTICS_PSEUDONYM_SECRET_ID: PSEUDONYM_SECRET_ARN,
    });
    expect(fn.Properties.VpcConfig).toBeUndefined();
  });

  test('the audit table is retained, with point-in-time recovery, deletion protection and the stack\'s key, and no time to live', () => {
    const [, table] = resources('AWS::DynamoDB::Table').find(([, r]) => r.Properties.TableName === 'support-chat-privacy')!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  test('only the privacy officer\'s role invokes the function: a role allowed every function is denied by its resource policy', async () => {
    const resourcePolicy = resolved(resources('AWS::Lambda::ResourcePolicy')[0][1].Properties.PolicyDocument);
    const officer = managed('support-chat-privacy-officer');
    const anyFunction = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }] };
    expect(await evaluate({ role: `support-chat-privacy-officer-${REGION}`, policy: officer, action: 'lambda:InvokeFunction', resource: functionArn, resourcePolicy })).toBe('Allowed');
    expect(await evaluate({ role: 'support-chat-turn-eu-central-1', policy: anyFunction, action: 'lambda:InvokeFunction', resource: functionArn, resourcePolicy })).not.toBe('Allowed');
    // Without the resource policy, that role would be allowed: the Deny is what stops it.
    expect(await evaluate({ role: 'support-chat-turn-eu-central-1', policy: anyFunction, action: 'lambda:InvokeFunction', resource: functionArn })).toBe('Allowed');
    const trust = resources('AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === `support-chat-privacy-officer-${REGION}`)![1];
    expect(trust.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { AWS: OFFICERS }, Action: 'sts:AssumeRole' })]);
  });

  test('the function queries and deletes the customer\'s partitions, never the tenant\'s counter; writes audit records, deletes only holds', async () => {
    const policy = managed('support-chat-privacy');
    const fn = (action: string, resource: string, keys: string[]) =>
      evaluate({ role: `support-chat-privacy-${REGION}`, policy, action, resource, context: { 'dynamodb:LeadingKeys': keys } });
    for (const action of ['dynamodb:Query', 'dynamodb:DeleteItem']) {
      for (const partition of [`USER#${SUB}`, `TICKET#${SUB}`, `RATE#${SUB}`]) expect(await fn(action, tableArn(conversationsName), [partition])).toBe('Allowed');
      expect(await fn(action, tableArn(conversationsName), ['TENANT'])).not.toBe('Allowed');
    }
    expect(await fn('dynamodb:PutItem', tableArn(conversationsName), [`USER#${SUB}`])).not.toBe('Allowed');
    expect(await fn('dynamodb:Scan', tableArn(conversationsName), [])).not.toBe('Allowed');
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(await fn(action, tableArn('support-chat-privacy'), ['REQUEST#erase-1'])).toBe('Allowed');
    }
    expect(await fn('dynamodb:DeleteItem', tableArn('support-chat-privacy'), ['HOLD#ab12'])).toBe('Allowed');
    expect(await fn('dynamodb:DeleteItem', tableArn('support-chat-privacy'), ['REQUEST#erase-1'])).not.toBe('Allowed');
  });

  test('the function lists, reads and deletes versions of the exports under conversations/ and turns/ only', async () => {
    const policy = managed('support-chat-privacy');
    const fn = (action: string, resource: string, context: Record<string, string> = {}) =>
      evaluate({ role: `support-chat-privacy-${REGION}`, policy, action, resource, context });
    expect(await fn('s3:ListBucketVersions', ANALYTICS_ARN, { 's3:prefix': 'conversations/' })).toBe('Allowed');
    expect(await fn('s3:ListBucketVersions', ANALYTICS_ARN, { 's3:prefix': 'turns/' })).toBe('Allowed');
    expect(await fn('s3:GetObjectVersion', `${ANALYTICS_ARN}/turns/date=2026-12-07/c-42.0123456789abcdef.json`)).toBe('Allowed');
    expect(await fn('s3:ListBucketVersions', ANALYTICS_ARN, { 's3:prefix': 'athena-results/' })).not.toBe('Allowed');
    for (const action of ['s3:GetObjectVersion', 's3:DeleteObjectVersion']) {
      expect(await fn(action, `${ANALYTICS_ARN}/conversations/date=2026-12-07/c-42.json`)).toBe('Allowed');
      expect(await fn(action, `${ANALYTICS_ARN}/athena-results/q.csv`)).not.toBe('Allowed');
    }
    expect(await fn('s3:PutObject', `${ANALYTICS_ARN}/conversations/date=2026-12-07/c-42.json`)).not.toBe('Allowed');
  });

  test('the function reads the subject key and the analytics pseudonym key secrets and no other', async () => {
    const policy = managed('support-chat-privacy');
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    const read = (name: string) => evaluate({ role: `support-chat-privacy-${REGION}`, policy, action: 'secretsmanager:GetSecretValue', resource: secret(name) });
    expect(await read('support-chat-privacy-subject-key')).toBe('Allowed');
    expect(await evaluate({ role: `support-chat-privacy-${REGION}`, policy, action: 'secretsmanager:GetSecretValue', resource: PSEUDONYM_SECRET_ARN })).toBe('Allowed');
    expect(await read('support-chat/order-api')).not.toBe('Allowed');
  });
});
