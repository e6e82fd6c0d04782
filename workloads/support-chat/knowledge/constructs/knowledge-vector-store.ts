import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnIndex, CfnVectorBucket } from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';

/**
 * The metadata keys Bedrock Knowledge Bases writes on every vector: the chunk's text and Bedrock's own metadata. They
 * must be non-filterable: S3 Vectors allows 2 KB of filterable metadata per vector (and 40 KB in all, up to 10
 * non-filterable keys per index; https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html),
 * and a chunk's text alone exceeds 2 KB, so ingestion would fail; Bedrock's guide for S3 Vectors knowledge bases asks
 * for exactly these two (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-bedrock-kb.html). The
 * document's own attributes (`language`, `type`) stay filterable.
 */
export const BEDROCK_NON_FILTERABLE_METADATA_KEYS = ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] as const;

/** Properties of `KnowledgeVectorStore`. */
export interface KnowledgeVectorStoreProps {
  /** The knowledge base's customer-managed key (its policy lets S3 Vectors' indexing use it: `KnowledgeKey`). */
  readonly encryptionKey: IKey;
  /** The embedding model's vector dimension, 1 to 4,096. */
  readonly dimension: number;
}

/**
 * The knowledge base's vector store on Amazon S3 Vectors (docs/adr/0019-support-chat-knowledge-base-on-s3-vectors.md):
 * a vector bucket and one index of 32-bit floats compared by cosine distance, both encrypted with the knowledge base's
 * customer-managed key, Bedrock's text and metadata keys non-filterable. The index's shape cannot change in place
 * (CloudFormation replaces it): a new dimension means re-ingesting the documents.
 */
export class KnowledgeVectorStore extends Construct {
  public readonly vectorBucket: CfnVectorBucket;
  public readonly index: CfnIndex;

  constructor(scope: Construct, id: string, props: KnowledgeVectorStoreProps) {
    super(scope, id);
    if (!Number.isInteger(props.dimension) || props.dimension < 1 || props.dimension > 4096) {
      throw new Error(`${this.node.path}: dimension must be a whole number from 1 to 4096 (S3 Vectors), not ${props.dimension}`);
    }
    const encryptionConfiguration = { sseType: 'aws:kms', kmsKeyArn: props.encryptionKey.keyArn };
    this.vectorBucket = new CfnVectorBucket(this, 'VectorBucket', { encryptionConfiguration });
    this.index = new CfnIndex(this, 'Index', {
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      dataType: 'float32',
      dimension: props.dimension,
      distanceMetric: 'cosine',
      encryptionConfiguration,
      metadataConfiguration: { nonFilterableMetadataKeys: [...BEDROCK_NON_FILTERABLE_METADATA_KEYS] },
    });
  }
}
