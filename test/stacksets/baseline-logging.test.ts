import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { INLINE_CODE_BUDGET_BYTES, inlineHandlerCode } from '../../building-blocks/custom-resources/inline-handler';
import type { GovernanceConfig } from '../../config/schema';
import { archiveKeyAliasArn, invocationLogArchiveBucketName } from '../../contracts/archive-names';
import { GOVERNANCE_TAG_KEY } from '../../contracts/governance-names';
import { INVOCATION_LOG_GROUP_NAME, INVOCATION_LOG_KEY_PREFIX, INVOCATION_LOGGING_FUNCTION_NAME, LARGE_DATA_KEY_PREFIX } from '../../contracts/invocation-logging-names';
import { STACK_RECIPES } from '../../stacks/estate';
import { DATA_DELIVERY_PARAMETER, metadataOnlyParameterOverrides } from '../../stacksets/baseline/invocation-logging';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { flatten } from '../support/template-values';

type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string }>;

function regionalMember(template: Template) {
  const resources = template.toJSON().Resources as Resources;
  const idOf = (type: string, match: (p: any) => boolean = () => true) =>
    Object.entries(resources).find(([, r]) => r.Type === type && match(r.Properties ?? {}))![0];
  return { template, resources, idOf };
}

describe('BL-LOG-1: model-invocation logging in every member account × governed Region', () => {
  const estate = exampleEstate();
  const { config } = estate;
  const { template, resources, idOf } = regionalMember(estate.baseline.regional.template);
  const customResource = Object.values(resources).find((r) => r.Type === 'Custom::BedrockModelInvocationLogging')!;
  const bucketId = idOf('AWS::S3::Bucket', (p) => flatten(p.BucketName).startsWith('genai-governance-invocation-logs-'));
  const logGroupId = idOf('AWS::Logs::LogGroup', (p) => p.LogGroupName === INVOCATION_LOG_GROUP_NAME);
  const deliveryRoleId = idOf('AWS::IAM::Role', (p) => flatten(p.RoleName).startsWith('genai-governance-invocation-log-delivery-'));

  test('the custom resource puts S3 and CloudWatch Logs delivery with every data type unless the stack is metadata-only, and keeps logging on delete', () => {
    const body = { 'Fn::If': [`${DATA_DELIVERY_PARAMETER}MetadataOnly`, 'false', 'true'] };
    expect(customResource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [idOf('AWS::Lambda::Function'), 'Arn'] },
      BucketName: { Ref: bucketId },
      KeyPrefix: INVOCATION_LOG_KEY_PREFIX,
      LogGroupName: { Ref: logGroupId },
      RoleArn: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
      LargeDataKeyPrefix: LARGE_DATA_KEY_PREFIX,
      TextDataDeliveryEnabled: body,
      ImageDataDeliveryEnabled: body,
      EmbeddingDataDeliveryEnabled: body,
      VideoDataDeliveryEnabled: body,
      AudioDataDeliveryEnabled: body,
      OnDelete: 'keep-logging',
    });
    const member = template.toJSON();
    expect(member.Parameters[DATA_DELIVERY_PARAMETER]).toMatchObject({ Type: 'String', Default: 'configured', AllowedValues: ['configured', 'metadata-only'] });
    expect(member.Conditions[`${DATA_DELIVERY_PARAMETER}MetadataOnly`]).toEqual({ 'Fn::Equals': [{ Ref: DATA_DELIVERY_PARAMETER }, 'metadata-only'] });
  });

  test('runs after the bucket policy, the key and the delivery role\'s policy exist (bucket, log group and role are referenced)', () => {
    const needed = [
      idOf('AWS::S3::BucketPolicy', (p) => p.Bucket?.Ref === bucketId),
      idOf('AWS::IAM::ManagedPolicy', (p) => flatten(p.ManagedPolicyName).startsWith('genai-governance-invocation-log-delivery-')),
      idOf('AWS::KMS::Key', (p) => String(p.Description).includes('model-invocation logs')),
    ];
    expect([...customResource.DependsOn!].sort()).toEqual(needed.sort());
  });

  test('the handler is the tested bundle, inline, on the current Node.js runtime, named for tamper protection', () => {
    const fn = resources[idOf('AWS::Lambda::Function')].Properties;
    const code = inlineHandlerCode(path.join(__dirname, '..', '..', 'stacksets', 'baseline', 'handlers', 'invocation-logging.ts'));
    expect(fn).toMatchObject({ FunctionName: INVOCATION_LOGGING_FUNCTION_NAME, Runtime: 'nodejs24.x', Handler: 'index.handler', Code: { ZipFile: code } });
    // 80 % of the 4,096-byte ZipFile quota: inlineHandlerCode refuses more, this keeps the budget visible here.
    expect(Buffer.byteLength(fn.Code.ZipFile, 'utf8')).toBeLessThanOrEqual(INLINE_CODE_BUDGET_BYTES);
  });

  test('Bedrock may write only its documented log path, only for this account', () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId)!;
    const write = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'AmazonBedrockLogsWrite');
    expect(write.Principal).toEqual({ Service: 'bedrock.amazonaws.com' });
    expect(write.Action).toBe('s3:PutObject');
    expect(flatten(write.Resource)).toBe(`\${${bucketId}.Arn}/${INVOCATION_LOG_KEY_PREFIX}/AWSLogs/\${AWS::AccountId}/BedrockModelInvocationLogs/*`);
    expect(write.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(flatten(write.Condition.ArnLike['aws:SourceArn'])).toBe('arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:*');
  });

  test('the delivery bucket is KMS-encrypted, versioned, expires its copy, and replicates everything to the Object Lock archive', () => {
    const bucket = resources[bucketId].Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: config.baseline.invocationLogging.localExpirationDays });
    const [rule] = bucket.ReplicationConfiguration.Rules;
    expect(rule).toMatchObject({
      Status: 'Enabled',
      Filter: { Prefix: '' },
      DeleteMarkerReplication: { Status: 'Disabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
      Destination: {
        Account: '402761958314',
        AccessControlTranslation: { Owner: 'Destination' },
        EncryptionConfiguration: { ReplicaKmsKeyID: archiveKeyAliasArn(config) },
      },
    });
    expect(flatten(rule.Destination.Bucket)).toBe(`arn:\${AWS::Partition}:s3:::${invocationLogArchiveBucketName(config)}`);
    expect(estate.logArchive.template.toJSON().Resources[estate.logArchive.logicalIdAt('InvocationLogArchive/Bucket')].Properties)
      .toMatchObject({ BucketName: invocationLogArchiveBucketName(config) });
  });

  test('the log group has the configured retention and the customer-managed key', () => {
    expect(resources[logGroupId].Properties).toMatchObject({
      RetentionInDays: config.retention.logGroupRetentionDays,
      KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    });
  });

  test('Bedrock assumes the delivery role only for this account', () => {
    const trust = resources[deliveryRoleId].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'bedrock.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  test('every logging resource carries the tag the tamper-protection SCPs key on', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::IAM::Role', 'AWS::Lambda::Function']) {
      expect([type, Object.keys(template.findResources(type)).length > 0]).toEqual([type, true]);
      for (const r of Object.values(template.findResources(type))) {
        expect(r.Properties.Tags).toEqual(expect.arrayContaining([{ Key: GOVERNANCE_TAG_KEY, Value: 'true' }]));
      }
    }
  });

  test('keep-logging retains the roles so logging keeps working after the stack is gone', () => {
    for (const id of [deliveryRoleId, idOf('AWS::IAM::Role', (p) => flatten(p.RoleName).startsWith('genai-governance-log-replication-'))]) {
      expect(resources[id].DeletionPolicy).toBe('Retain');
    }
    expect(resources[bucketId].DeletionPolicy).toBe('Retain');
  });
});

describe('BL-LOG-1 follows the config', () => {
  const config = exampleConfig();
  const changed: GovernanceConfig = {
    ...config,
    baseline: {
      ...config.baseline,
      invocationLogging: {
        onStackDelete: 'stop-logging',
        dataDelivery: { text: true, image: false, embedding: false, video: false, audio: false },
        localExpirationDays: 7,
        metadataOnlyOrganizationalUnits: [],
      },
    },
  };
  const { built, synthesized } = synthVariant((app) => STACK_RECIPES.baseline(app, changed));
  const { resources, idOf } = regionalMember(synthesized(built.regional).template);

  test('stop-logging, data types and expiry reach the template; roles go with the stack, data stores stay', () => {
    const props = Object.values(resources).find((r) => r.Type === 'Custom::BedrockModelInvocationLogging')!.Properties;
    expect(props).toMatchObject({
      OnDelete: 'stop-logging',
      TextDataDeliveryEnabled: { 'Fn::If': [`${DATA_DELIVERY_PARAMETER}MetadataOnly`, 'false', 'true'] },
      ImageDataDeliveryEnabled: 'false',
      AudioDataDeliveryEnabled: 'false',
    });
    const deliveryRole = idOf('AWS::IAM::Role', (p) => flatten(p.RoleName).startsWith('genai-governance-invocation-log-delivery-'));
    expect(resources[deliveryRole].DeletionPolicy).toBe('Delete');
    const bucket = idOf('AWS::S3::Bucket', (p) => flatten(p.BucketName).startsWith('genai-governance-invocation-logs-'));
    expect(resources[bucket]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7 }] } } });
  });
});

describe('metadata-only OUs override the data-delivery parameter only where the template has it', () => {
  const logging = exampleConfig().baseline.invocationLogging;
  const withOus = { ...logging, metadataOnlyOrganizationalUnits: ['Workloads/Prod'] };

  test('with a body kind on, each metadata-only OU gets metadata-only', () => {
    expect(metadataOnlyParameterOverrides({ ...withOus, dataDelivery: { ...logging.dataDelivery, text: true } }))
      .toEqual({ 'Workloads/Prod': { [DATA_DELIVERY_PARAMETER]: 'metadata-only' } });
  });

  test('with every body kind off, no override: the template declares no parameter, and every account logs metadata only', () => {
    const none = { text: false, image: false, embedding: false, video: false, audio: false };
    expect(metadataOnlyParameterOverrides({ ...withOus, dataDelivery: none })).toEqual({});
  });
});
