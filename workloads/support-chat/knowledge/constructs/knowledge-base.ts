import { CfnDataSource, CfnKnowledgeBase } from 'aws-cdk-lib/aws-bedrock';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { KnowledgeBaseRole } from './knowledge-base-role';
import type { KnowledgeVectorStore } from './knowledge-vector-store';
import { foundationModelArn } from '../../../../policies/arns';

/**
 * Hierarchical chunking (https://docs.aws.amazon.com/bedrock/latest/userguide/kb-chunking.html): documents are split
 * into parent chunks of 1,500 tokens and those into child chunks of 300, 60 tokens overlapping; retrieval matches the
 * children and returns their parents, so an answer gets the whole paragraph around the sentence that matched.
 */
export const KNOWLEDGE_CHUNKING = { parentMaxTokens: 1500, childMaxTokens: 300, overlapTokens: 60 } as const;

/** Properties of `KnowledgeBase`. */
export interface KnowledgeBaseProps {
  /** The knowledge base's and data source's name. */
  readonly name: string;
  /** The approved embedding model (by foundation-model ARN: embedding models have no inference profile). */
  readonly embeddingModelId: string;
  /** The vector dimension of the index: the model embeds at this dimension. */
  readonly dimension: number;
  readonly region: string;
  readonly role: KnowledgeBaseRole;
  readonly vectorStore: KnowledgeVectorStore;
  readonly documents: IBucket;
  /** Encrypts the data source's transient data during ingestion. */
  readonly key: IKey;
}

/**
 * The Bedrock knowledge base (type VECTOR, the embedding model by its foundation-model ARN, storage S3 Vectors) and
 * its S3 data source (hierarchical chunking, transient ingestion data encrypted with the customer-managed key; vectors
 * of deleted documents are deleted with them).
 */
export class KnowledgeBase extends Construct {
  public readonly knowledgeBase: CfnKnowledgeBase;
  public readonly dataSource: CfnDataSource;

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    this.knowledgeBase = new CfnKnowledgeBase(this, 'KnowledgeBase', {
      name: props.name,
      description: 'Support chat: the company\'s product, FAQ, policy and shipping documents for grounded answers',
      roleArn: props.role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn: foundationModelArn(props.region, props.embeddingModelId),
          embeddingModelConfiguration: { bedrockEmbeddingModelConfiguration: { dimensions: props.dimension, embeddingDataType: 'FLOAT32' } },
        },
      },
      storageConfiguration: { type: 'S3_VECTORS', s3VectorsConfiguration: { indexArn: props.vectorStore.index.attrIndexArn } },
    });
    // Bedrock checks the role's permissions when it creates the knowledge base.
    this.knowledgeBase.node.addDependency(props.role.policy);
    this.dataSource = new CfnDataSource(this, 'Documents', {
      knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
      name: `${props.name}-documents`,
      description: 'The documents bucket (products/, faqs/, policies/, shipping/), each document with its .metadata.json',
      dataDeletionPolicy: 'DELETE',
      dataSourceConfiguration: { type: 'S3', s3Configuration: { bucketArn: props.documents.bucketArn, bucketOwnerAccountId: props.documents.env.account } },
      serverSideEncryptionConfiguration: { kmsKeyArn: props.key.keyArn },
      vectorIngestionConfiguration: {
        chunkingConfiguration: {
          chunkingStrategy: 'HIERARCHICAL',
          hierarchicalChunkingConfiguration: {
            levelConfigurations: [{ maxTokens: KNOWLEDGE_CHUNKING.parentMaxTokens }, { maxTokens: KNOWLEDGE_CHUNKING.childMaxTokens }],
            overlapTokens: KNOWLEDGE_CHUNKING.overlapTokens,
          },
        },
      },
    });
  }
}
