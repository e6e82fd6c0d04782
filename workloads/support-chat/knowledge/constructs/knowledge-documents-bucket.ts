import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { AccessLogsBucket } from '../../../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../../../building-blocks/s3/event-bridge-notifications';

/** The top-level prefixes of the documents: one per kind of document the knowledge base answers from. */
export const KNOWLEDGE_DOCUMENT_PREFIXES = ['products/', 'faqs/', 'policies/', 'shipping/'] as const;

/**
 * Each document `<key>` may have a metadata file `<key>.metadata.json` next to it, in Bedrock's format
 * (`{"metadataAttributes": {...}}`, https://docs.aws.amazon.com/bedrock/latest/userguide/kb-metadata.html), with these
 * attributes: the retrieval filters on `language`; `title` and `url` become the citation.
 */
export const KNOWLEDGE_METADATA_SUFFIX = '.metadata.json';
export const KNOWLEDGE_METADATA_ATTRIBUTES = ['language', 'type', 'title', 'url'] as const;

/** Properties of `KnowledgeDocumentsBucket`. */
export interface KnowledgeDocumentsBucketProps {
  /** The knowledge base's customer-managed key: the documents and their access logs are encrypted with it. */
  readonly encryptionKey: IKey;
  /** How long the server access logs are kept. */
  readonly accessLogExpiration: Duration;
}

/**
 * The knowledge base's data source: the company's documents under `KNOWLEDGE_DOCUMENT_PREFIXES`, each with its
 * metadata file. SSE-KMS with the knowledge base's key, versioned, TLS 1.2 only, public access blocked, ACLs disabled,
 * server access logs to a bucket of its own, every object event to EventBridge (which starts the synchronization). The
 * bucket policy refuses objects outside those prefixes, so the layout the retrieval filters and cites by holds.
 */
export class KnowledgeDocumentsBucket extends Construct {
  public readonly bucket: Bucket;
  public readonly accessLogs: AccessLogsBucket;

  constructor(scope: Construct, id: string, props: KnowledgeDocumentsBucketProps) {
    super(scope, id);
    this.accessLogs = new AccessLogsBucket(this, 'AccessLogs', { encryptionKey: props.encryptionKey, expiration: props.accessLogExpiration });
    this.bucket = new Bucket(this, 'Bucket', {
      ...encryptedBucketProps(props.encryptionKey),
      serverAccessLogsBucket: this.accessLogs.bucket,
      serverAccessLogsPrefix: 'knowledge-documents/',
      lifecycleRules: [{ id: 'ExpireReplacedVersions', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    this.bucket.addToResourcePolicy(new PolicyStatement({
      sid: 'DocumentsUnderTheKnownPrefixesOnly',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject'],
      notResources: KNOWLEDGE_DOCUMENT_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
    }));
    const notEvidence = 'The company\'s published documents, kept in their own source of record; versioning keeps 30 days of replaced versions and the knowledge base can be rebuilt from the source at any time';
    acknowledgeFinding(this.bucket,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: notEvidence },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: notEvidence },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: notEvidence },
    );
  }
}
