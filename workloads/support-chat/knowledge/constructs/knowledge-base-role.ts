import { Aws, Stack, type CfnElement } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { KNOWLEDGE_BASE_ROLE_PATH } from '../../../../contracts/knowledge-base-roles';
import { foundationModelArn } from '../../../../policies/arns';

/** The vector-store actions a knowledge base takes on its S3 Vectors index (ingestion writes and deletes, retrieval queries). */
export const KNOWLEDGE_BASE_VECTOR_ACTIONS = ['s3vectors:GetIndex', 's3vectors:PutVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors', 's3vectors:QueryVectors'] as const;

/** Properties of `KnowledgeBaseRole`. */
export interface KnowledgeBaseRoleProps {
  /** The role's and its policy's name (unique in the account: end it with the Region). */
  readonly roleName: string;
  /** The approved embedding model: the only model the role may invoke, in this stack's Region. */
  readonly embeddingModelId: string;
  /** The stack's Region (the embedding model's ARN is Regional). */
  readonly region: string;
  /** The data source: read only. */
  readonly documents: IBucket;
  /** The S3 Vectors index. */
  readonly indexArn: string;
  /** The knowledge base's customer-managed key (documents, vectors, transient ingestion data). */
  readonly key: IKey;
}

/**
 * The service role Bedrock assumes for the knowledge base (https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html),
 * on the path `KNOWLEDGE_BASE_ROLE_PATH`: the only roles BR-CRI-1 and the workload boundary let invoke the approved
 * embedding model directly. Trusted by Bedrock for this account's knowledge bases only (`aws:SourceAccount`,
 * `aws:SourceArn`); its one managed policy allows invoking that one model in this Region, reading the data source
 * (`aws:ResourceAccount`: this account's bucket), the vector actions on that one index, and the key through S3, S3
 * Vectors and Bedrock only.
 */
export class KnowledgeBaseRole extends Role {
  public readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: KnowledgeBaseRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      path: KNOWLEDGE_BASE_ROLE_PATH,
      description: 'Bedrock knowledge base service role: embeds with the approved embedding model, reads the documents, writes and queries the vector index',
      assumedBy: new ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:bedrock:${props.region}:${Aws.ACCOUNT_ID}:knowledge-base/*` },
        },
      }),
    });
    this.policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.roleName,
      roles: [this],
      statements: [
        new PolicyStatement({
          sid: 'EmbedWithTheApprovedModel',
          actions: ['bedrock:InvokeModel'],
          resources: [foundationModelArn(props.region, props.embeddingModelId)],
        }),
        new PolicyStatement({
          sid: 'ListTheDocuments',
          actions: ['s3:ListBucket'],
          resources: [props.documents.bucketArn],
          conditions: { StringEquals: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
        }),
        new PolicyStatement({
          sid: 'ReadTheDocuments',
          actions: ['s3:GetObject'],
          resources: [props.documents.arnForObjects('*')],
          conditions: { StringEquals: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
        }),
        new PolicyStatement({ sid: 'TheVectorIndex', actions: [...KNOWLEDGE_BASE_VECTOR_ACTIONS], resources: [props.indexArn] }),
        new PolicyStatement({
          sid: 'TheKeyThroughItsServices',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': ['s3', 's3vectors', 'bedrock'].map((s) => `${s}.${props.region}.amazonaws.com`) } },
        }),
      ],
    });
    acknowledgeFinding(this.policy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.documents.node.defaultChild as CfnElement)}.Arn>/*]`,
      reason: 'Bedrock ingests every document of the data source: the bucket holds only the knowledge base\'s documents (its policy refuses objects outside the four document prefixes)',
    });
  }
}
