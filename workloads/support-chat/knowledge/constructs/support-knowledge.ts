import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { KnowledgeBase } from './knowledge-base';
import { KnowledgeBaseRole } from './knowledge-base-role';
import { KnowledgeDocumentsBucket } from './knowledge-documents-bucket';
import { KnowledgeSync } from './knowledge-sync';
import { KnowledgeVectorStore } from './knowledge-vector-store';
import { denyGrantsExceptForAwsResources } from '../../../../building-blocks/kms/deny-grants-except-aws-resources';
import type { GovernanceConfig } from '../../../../config/schema';
import { foundationModelArn } from '../../../../policies/arns';

/** The tenant's knowledge-base settings (`workloads.supportChat.knowledge`). */
export type KnowledgeSettings = NonNullable<NonNullable<GovernanceConfig['workloads']['supportChat']>['knowledge']>;

/**
 * The dimensions each embedding model of the catalog produces (https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html); a model not listed is not checked.
 */
export const EMBEDDING_DIMENSIONS: Readonly<Record<string, readonly number[]>> = {
  'amazon.titan-embed-text-v2:0': [256, 512, 1024],
  'amazon.titan-embed-image-v1': [256, 384, 1024],
  'cohere.embed-english-v3': [1024],
  'cohere.embed-multilingual-v3': [1024],
  'cohere.embed-v4:0': [256, 512, 1024, 1536],
};

/** Properties of `SupportKnowledge`. */
export interface SupportKnowledgeProps {
  /** Prefix of the names (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  readonly region: string;
  /** The settings. */
  readonly settings: KnowledgeSettings;
  /** The approved models: the embedding and rerank models must be approved with `access: in-region`. */
  readonly approvedModels: GovernanceConfig['bedrock']['approvedModels'];
  /** How long the documents' server access logs are kept. */
  readonly accessLogExpiration: Duration;
  /** The tenant's alarm topic. */
  readonly topic: ITopic;
  /** The key and retention of the sync function's log group. */
  readonly logKey: Key;
  readonly logRetention: RetentionDays;
}

/**
 * The support-chat tenant's knowledge base (docs/adr/0019-support-chat-knowledge-base-on-s3-vectors.md): a
 * customer-managed key of its own, the documents bucket, the S3 Vectors store, the service role on the knowledge-base
 * path, the Bedrock knowledge base with its S3 data source, and the synchronization with its alarm. The turn is granted
 * retrieval with `retrieveStatements`.
 */
export class SupportKnowledge extends Construct {
  public readonly key: Key;
  public readonly documents: KnowledgeDocumentsBucket;
  public readonly vectorStore: KnowledgeVectorStore;
  public readonly role: KnowledgeBaseRole;
  public readonly knowledgeBase: KnowledgeBase;
  public readonly sync: KnowledgeSync;
  /** The rerank model's ARN in this Region, when reranking is configured. */
  public readonly rerankModelArn?: string;

  constructor(scope: Construct, id: string, props: SupportKnowledgeProps) {
    super(scope, id);
    const { settings } = props;
    const inRegion = (modelId: string) => props.approvedModels.some((m) => m.modelId === modelId && m.access === 'in-region');
    if (!inRegion(settings.embeddingModel)) {
      throw new Error(`${this.node.path}: embeddingModel "${settings.embeddingModel}" must be in bedrock.approvedModels with access in-region`);
    }
    if (settings.rerankModel !== undefined && !inRegion(settings.rerankModel)) {
      throw new Error(`${this.node.path}: rerankModel "${settings.rerankModel}" must be in bedrock.approvedModels with access in-region`);
    }
    const dimensions = EMBEDDING_DIMENSIONS[settings.embeddingModel];
    if (dimensions && !dimensions.includes(settings.dimension)) {
      throw new Error(`${this.node.path}: dimension ${settings.dimension} is not one ${settings.embeddingModel} produces (${dimensions.join(', ')})`);
    }
    const name = `${props.namePrefix}-knowledge`;

    this.key = new Key(this, 'Key', { description: 'Support chat: the knowledge base\'s documents, vectors and ingestion data', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    // S3 Vectors decrypts with the key for its background indexing (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html).
    this.key.addToResourcePolicy(new PolicyStatement({
      sid: 'S3VectorsIndexingOfThisAccount',
      principals: [new ServicePrincipal('indexing.s3vectors.amazonaws.com')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:s3vectors:${props.region}:${Aws.ACCOUNT_ID}:bucket/*` },
      },
    }));
    denyGrantsExceptForAwsResources(this.key);

    this.documents = new KnowledgeDocumentsBucket(this, 'Documents', { encryptionKey: this.key, accessLogExpiration: props.accessLogExpiration });
    this.vectorStore = new KnowledgeVectorStore(this, 'Vectors', { encryptionKey: this.key, dimension: settings.dimension });
    this.role = new KnowledgeBaseRole(this, 'Role', {
      roleName: `${name}-${props.region}`,
      embeddingModelId: settings.embeddingModel,
      region: props.region,
      documents: this.documents.bucket,
      indexArn: this.vectorStore.index.attrIndexArn,
      key: this.key,
    });
    this.knowledgeBase = new KnowledgeBase(this, 'KnowledgeBase', {
      name,
      embeddingModelId: settings.embeddingModel,
      dimension: settings.dimension,
      region: props.region,
      role: this.role,
      vectorStore: this.vectorStore,
      documents: this.documents.bucket,
      key: this.key,
    });
    this.sync = new KnowledgeSync(this, 'Sync', {
      namePrefix: props.namePrefix,
      region: props.region,
      knowledgeBaseId: this.knowledgeBase.knowledgeBase.attrKnowledgeBaseId,
      knowledgeBaseArn: this.knowledgeBase.knowledgeBase.attrKnowledgeBaseArn,
      dataSourceId: this.knowledgeBase.dataSource.attrDataSourceId,
      documents: this.documents.bucket,
      schedule: settings.schedule,
      alarmThreshold: settings.syncFailureAlarmThreshold,
      topic: props.topic,
      logKey: props.logKey,
      logRetention: props.logRetention,
    });
    this.rerankModelArn = settings.rerankModel === undefined ? undefined : foundationModelArn(props.region, settings.rerankModel);
  }

  /**
   * What the turn needs: `bedrock:Retrieve` on this knowledge base; with a rerank model, `bedrock:Rerank` (no resource
   * type) and invoking that one model (the caller's own call, https://docs.aws.amazon.com/bedrock/latest/userguide/rerank-prereq.html).
   */
  public retrieveStatements(): PolicyStatement[] {
    const statements = [new PolicyStatement({ sid: 'RetrieveFromTheKnowledgeBase', actions: ['bedrock:Retrieve'], resources: [this.knowledgeBase.knowledgeBase.attrKnowledgeBaseArn] })];
    if (this.rerankModelArn !== undefined) {
      statements.push(
        new PolicyStatement({ sid: 'RerankThePassages', actions: ['bedrock:Rerank'], resources: ['*'] }),
        new PolicyStatement({ sid: 'InvokeTheRerankModel', actions: ['bedrock:InvokeModel'], resources: [this.rerankModelArn] }),
      );
    }
    return statements;
  }
}
