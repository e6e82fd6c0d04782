import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { APP_CONTEXT } from '../../../../stacks/app-context';
import { STACK_RECIPES } from '../../../../stacks/estate';
import type { SupportChatStack } from '../../../../workloads/support-chat/support-chat-stack';
import { synthVariant } from '../../../support/estate';
import { exampleConfig } from '../../../support/example-config';

/**
 * The support-chat tenant's knowledge base as the tenant stack synthesizes it for the example organization (one stack,
 * every gate on: a cdk-nag or cfn-guard finding fails the synth): the documents bucket, the S3 Vectors store, the
 * Bedrock knowledge base and data source, the service role, the synchronization and its alarm, and the turn's rights.
 */
const REGION = 'eu-central-1';
const TITAN = 'amazon.titan-embed-text-v2:0';
const RERANK = 'cohere.rerank-v3-5:0';

describe('support-chat knowledge base (workloads.supportChat.knowledge)', () => {
  const config = exampleConfig();
  const { built, synthesized } = synthVariant((app) => STACK_RECIPES.supportChat(app, config, REGION));
  const stack = built as SupportChatStack;
  const template: Template = synthesized(stack).template;
  const logicalId = (construct: { node: { defaultChild?: unknown } } | undefined) =>
    stack.getLogicalId((construct as any).node.defaultChild ?? construct);
  const knowledge = stack.knowledge!;
  const keyId = stack.getLogicalId(knowledge.key.node.defaultChild as any);
  const bucketId = stack.getLogicalId(knowledge.documents.bucket.node.defaultChild as any);
  const indexId = stack.getLogicalId(knowledge.vectorStore.index);
  const kbId = stack.getLogicalId(knowledge.knowledgeBase.knowledgeBase);
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

  test('the example organization turns it on with its settings', () => {
    expect(config.workloads.supportChat!.knowledge).toMatchObject({ embeddingModel: TITAN, dimension: 1024, results: 5, rerankModel: RERANK, schedule: 'rate(1 hour)' });
    expect(knowledge).toBeDefined();
  });

  describe('the knowledge base and its data source', () => {
    test('VECTOR, the approved embedding model by foundation-model ARN in the stack\'s Region at the configured dimension, stored in the S3 Vectors index', () => {
      template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
        KnowledgeBaseConfiguration: {
          Type: 'VECTOR',
          VectorKnowledgeBaseConfiguration: {
            EmbeddingModelArn: `arn:aws:bedrock:${REGION}::foundation-model/${TITAN}`,
            EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' } },
          },
        },
        StorageConfiguration: { Type: 'S3_VECTORS', S3VectorsConfiguration: { IndexArn: { 'Fn::GetAtt': [indexId, 'IndexArn'] } } },
        RoleArn: { 'Fn::GetAtt': [logicalId(knowledge.role), 'Arn'] },
      });
    });

    test('the data source reads the documents bucket, chunks hierarchically (parent 1500, child 300, overlap 60) and encrypts transient data with the CMK', () => {
      template.hasResourceProperties('AWS::Bedrock::DataSource', {
        KnowledgeBaseId: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] },
        DataDeletionPolicy: 'DELETE',
        DataSourceConfiguration: { Type: 'S3', S3Configuration: { BucketArn: { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
        ServerSideEncryptionConfiguration: { KmsKeyArn: keyArn },
        VectorIngestionConfiguration: {
          ChunkingConfiguration: {
            ChunkingStrategy: 'HIERARCHICAL',
            HierarchicalChunkingConfiguration: { LevelConfigurations: [{ MaxTokens: 1500 }, { MaxTokens: 300 }], OverlapTokens: 60 },
          },
        },
      });
    });
  });

  describe('the S3 Vectors store', () => {
    test('the index: float32, the configured dimension, cosine, Bedrock\'s text and metadata keys non-filterable, encrypted with the CMK', () => {
      template.hasResourceProperties('AWS::S3Vectors::Index', {
        DataType: 'float32',
        Dimension: 1024,
        DistanceMetric: 'cosine',
        MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] },
        EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: keyArn },
      });
    });

    test('the vector bucket is encrypted with the CMK, whose policy lets only this account\'s S3 Vectors indexing decrypt', () => {
      template.hasResourceProperties('AWS::S3Vectors::VectorBucket', { EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: keyArn } });
      const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as any[];
      const indexing = statements.filter((s) => JSON.stringify(s.Principal ?? {}).includes('indexing.s3vectors.amazonaws.com'));
      expect(indexing).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'kms:Decrypt', Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }) })]);
      expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    });
  });

  describe('the documents bucket', () => {
    test('SSE-KMS with the CMK, versioned, access logs to a bucket of its own, events to EventBridge', () => {
      const props = template.toJSON().Resources[bucketId].Properties;
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn });
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const accessLogs = stack.getLogicalId(knowledge.documents.accessLogs.bucket.node.defaultChild as any);
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: accessLogs });
      expect(props.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    });

    test('its policy refuses requests without TLS and objects outside products/, faqs/, policies/ and shipping/', () => {
      const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
        .find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }))!;
      const statements = policy.Properties.PolicyDocument.Statement as any[];
      expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
      const prefixes = statements.find((s) => s.Sid === 'DocumentsUnderTheKnownPrefixesOnly');
      expect(prefixes).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject' });
      expect(JSON.stringify(prefixes.NotResource)).toMatch(/products\/\*.*faqs\/\*.*policies\/\*.*shipping\/\*/);
    });
  });

  describe('ingestion', () => {
    const fn = stack.getLogicalId(knowledge.sync.function.node.defaultChild as any);
    test('object created and deleted events of the documents bucket, and the configured schedule, invoke the sync function', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created', 'Object Deleted'], 'detail': { bucket: { name: [{ Ref: bucketId }] } } },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
      });
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } })] });
    });

    test('the function has one concurrent execution, the knowledge base and data source ids, and may start and list its ingestion jobs only', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'support-chat-knowledge-sync',
        ReservedConcurrentExecutions: 1,
        Environment: { Variables: Match.objectLike({ KNOWLEDGE_BASE_ID: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] } }) },
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        ManagedPolicyName: `support-chat-knowledge-sync-${REGION}`,
        PolicyDocument: { Statement: Match.arrayWith([{ Sid: 'IngestTheKnowledgeBase', Effect: 'Allow', Action: ['bedrock:ListIngestionJobs', 'bedrock:StartIngestionJob'], Resource: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseArn'] } }]) },
      });
    });

    test('the alarm: KnowledgeSyncFailures (SupportChat, service support-chat-knowledge-sync) plus the function\'s errors at or above 1 in an hour, to the tenant topic', () => {
      const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'support-chat-knowledge-sync-failures' } }));
      expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const failures = alarm.Properties.Metrics.find((m: any) => m.Id === 'failures');
      expect(failures.MetricStat).toMatchObject({ Metric: { Namespace: 'SupportChat', MetricName: 'KnowledgeSyncFailures', Dimensions: [{ Name: 'service', Value: 'support-chat-knowledge-sync' }] }, Period: 3600, Stat: 'Sum' });
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as any) }]);
    });
  });

  describe('roles', () => {
    const policyOf = (name: string) => Object.values(template.findResources('AWS::IAM::ManagedPolicy')).find((p) => JSON.stringify(p.Properties.ManagedPolicyName).includes(name))!.Properties.PolicyDocument.Statement as any[];

    test('the knowledge-base service role is on /bedrock-knowledge-base/, trusted by Bedrock for this account\'s knowledge bases, with the workload boundary', () => {
      const role = template.toJSON().Resources[logicalId(knowledge.role)].Properties;
      expect(role.Path).toBe('/bedrock-knowledge-base/');
      expect(role.PermissionsBoundary).toBeDefined();
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
        Principal: { Service: 'bedrock.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': expect.anything() } },
      })]);
    });

    test('it may invoke only the embedding model in this Region, read the documents, act on the one index and use the CMK through S3, S3 Vectors and Bedrock', () => {
      const statements = policyOf(`support-chat-knowledge-${REGION}`);
      const sid = (s: string) => statements.find((x) => x.Sid === s);
      expect(sid('EmbedWithTheApprovedModel')).toMatchObject({ Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:${REGION}::foundation-model/${TITAN}` });
      expect(statements.filter((s) => JSON.stringify(s.Action).includes('bedrock:'))).toHaveLength(1);
      expect(sid('TheVectorIndex')).toMatchObject({ Resource: { 'Fn::GetAtt': [indexId, 'IndexArn'] } });
      expect(sid('ReadTheDocuments')).toMatchObject({ Action: 's3:GetObject' });
      expect(sid('TheKeyThroughItsServices').Condition.StringEquals['kms:ViaService']).toEqual([`s3.${REGION}.amazonaws.com`, `s3vectors.${REGION}.amazonaws.com`, `bedrock.${REGION}.amazonaws.com`]);
    });

    test('the turn may retrieve from this knowledge base, rerank and invoke the rerank model, which alone is exempt from its own guardrail rule', () => {
      const statements = policyOf(`support-chat-turn-${REGION}`);
      const sid = (s: string) => statements.find((x) => x.Sid === s);
      expect(sid('RetrieveFromTheKnowledgeBase')).toMatchObject({ Action: 'bedrock:Retrieve', Resource: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseArn'] } });
      expect(sid('RerankThePassages')).toMatchObject({ Action: 'bedrock:Rerank', Resource: '*' });
      expect(sid('InvokeTheRerankModel')).toMatchObject({ Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:${REGION}::foundation-model/${RERANK}` });
      expect(sid('EveryCallWithTheGuardrail')).toMatchObject({ Effect: 'Deny', NotResource: `arn:aws:bedrock:${REGION}::foundation-model/${RERANK}` });
    });

    test('the turn is told the knowledge base, the number of results and the rerank model', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'support-chat-turn',
        Environment: {
          Variables: Match.objectLike({
            KNOWLEDGE_BASE_ID: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] },
            KNOWLEDGE_RESULTS: '5',
            KNOWLEDGE_RERANK_MODEL_ARN: `arn:aws:bedrock:${REGION}::foundation-model/${RERANK}`,
          }),
        },
      });
    });
  });

  describe('early validation', () => {
    const variant = (change: (k: NonNullable<ReturnType<typeof exampleConfig>['workloads']['supportChat']>) => void) => {
      const c = structuredClone(config);
      change(c.workloads.supportChat!);
      return () => STACK_RECIPES.supportChat(new App({ context: { ...APP_CONTEXT } }), c, REGION);
    };

    test('an embedding model the organization has not approved in-region is refused', () => {
      // Priced (the tenant's cost model checks its prices first), but not approved.
      expect(variant((t) => {
        t.knowledge!.embeddingModel = 'cohere.embed-v4:0';
        t.pricing!.models.push({ ...t.pricing!.models.find((m) => m.modelId === 'amazon.titan-embed-text-v2:0')!, modelId: 'cohere.embed-v4:0' });
      })).toThrow('embeddingModel "cohere.embed-v4:0" must be in bedrock.approvedModels with access in-region');
    });

    test('a dimension the embedding model does not produce is refused', () => {
      expect(variant((t) => { t.knowledge!.dimension = 768; })).toThrow('dimension 768 is not one amazon.titan-embed-text-v2:0 produces (256, 512, 1024)');
    });

    test('an unapproved rerank model is refused', () => {
      expect(variant((t) => { t.knowledge!.rerankModel = 'amazon.rerank-v1:0'; })).toThrow('rerankModel "amazon.rerank-v1:0" must be in bedrock.approvedModels');
    });

    test('without knowledge, no knowledge-base resource is created', () => {
      const c = structuredClone(config);
      delete c.workloads.supportChat!.knowledge;
      const app = new App({ context: { ...APP_CONTEXT } });
      const s = STACK_RECIPES.supportChat(app, c, REGION) as SupportChatStack;
      expect(s.knowledge).toBeUndefined();
      expect(s.node.findAll().some((n) => n.node.id === 'Knowledge')).toBe(false);
    });
  });
});
