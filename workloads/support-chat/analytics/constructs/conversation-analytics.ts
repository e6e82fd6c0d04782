import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { type CfnTable as CfnDynamoTable, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping, FilterCriteria, FilterRule, type IEventSourceDlq, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding, logicalIdOf } from '../../../../building-blocks/gates/acknowledge';
import { AccessLogsBucket } from '../../../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../../../building-blocks/s3/event-bridge-notifications';
import { projectedTableInput } from '../../../../dashboards/athena/tables';
import { ChatFunction } from '../../chat/constructs/chat-function';
import { ANALYTICS_QUERIES } from '../athena/analytics-queries';
import { ANALYTICS_DATABASE, analyticsTables } from '../athena/analytics-tables';
import type { ConversationExportEnvironment } from '../handlers/conversation-export';
import { CONVERSATIONS_PREFIX, TURNS_PREFIX } from '../handlers/lib/export-layout';

/** Properties of `ConversationAnalytics`. */
export interface ConversationAnalyticsProps {
  /** Name prefix of the function, role, secret and workgroup (`support-chat`). */
  readonly namePrefix: string;
  /** The conversation table: its stream (keys only) is turned on here and feeds the export. */
  readonly table: Table;
  /** The stack's key: the table's, and here the bucket's, the secret's, the queue's, the query results' and the logs'. */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** How long the server access logs are kept. */
  readonly accessLogExpiration: Duration;
  /**
   * How long an exported conversation is kept after its last change (the bucket's lifecycle on `conversations/` and
   * `turns/`).
   *
   * @default Duration.days(400): a year of trends and the same month of the year before
   */
  readonly exportExpiration?: Duration;
  /**
   * How long the workgroup's query results are kept.
   *
   * @default Duration.days(7)
   */
  readonly resultsExpiration?: Duration;
  /**
   * The most one query may scan.
   *
   * @default 10 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

/** The prefix of the workgroup's query results in the analytics bucket. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

/**
 * What the company learns from its conversations: the conversation table's stream (KEYS_ONLY, conversation items of
 * customers only, by the event source's filter) drives the export function, which writes one record per conversation
 * and one per answer to the analytics bucket (`analytics/handlers`: no text, a keyed pseudonym for the customer); a Glue
 * database with two tables over it (partition projection by day, no crawler) and the support manager's named queries in
 * the tenant's own Athena workgroup (engine 3, results encrypted with the stack's key under `athena-results/`, the
 * workgroup's settings enforced, a scan cut-off per query).
 *
 * The export function's role may query only customers' partitions (`dynamodb:LeadingKeys` `USER#*`), read the table's
 * stream, write only under `conversations/` and `turns/`, read the pseudonym secret, and send a batch it gave up on to
 * its dead-letter queue.
 */
export class ConversationAnalytics extends Construct {
  public readonly bucket: Bucket;
  public readonly accessLogs: AccessLogsBucket;
  public readonly pseudonymSecret: Secret;
  public readonly exportFunction: ChatFunction;
  public readonly deadLetterQueue: Queue;
  public readonly database: CfnDatabase;
  public readonly tables: CfnTable[] = [];
  public readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: ConversationAnalyticsProps) {
    super(scope, id);
    const { key } = props;
    const region = Stack.of(this).region;
    this.accessLogs = new AccessLogsBucket(this, 'AccessLogs', { encryptionKey: key, expiration: props.accessLogExpiration });
    const exportExpiration = props.exportExpiration ?? Duration.days(400);
    this.bucket = new Bucket(this, 'Bucket', {
      ...encryptedBucketProps(key),
      serverAccessLogsBucket: this.accessLogs.bucket,
      serverAccessLogsPrefix: 'support-chat-analytics/',
      lifecycleRules: [
        ...[CONVERSATIONS_PREFIX, TURNS_PREFIX].map((prefix) => ({ id: `Expire-${prefix.slice(0, -1)}`, prefix, expiration: exportExpiration })),
        { id: 'ExpireQueryResults', prefix: ATHENA_RESULTS_PREFIX, expiration: props.resultsExpiration ?? Duration.days(7) },
        { id: 'ExpireReplacedVersions', noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.bucket);
    const derived = 'Derived, pseudonymous records the export rewrites from the conversation table while it holds a conversation, and query results; not evidence: no Object Lock or second copy';
    acknowledgeFinding(this.bucket,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: derived },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: derived },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: derived },
    );

    this.pseudonymSecret = new Secret(this, 'PseudonymKey', {
      secretName: `${props.namePrefix}/analytics-pseudonym-key`,
      description: 'Support chat analytics: the HMAC key of the customers\' pseudonyms in the conversation exports',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stable = 'The pseudonyms must stay stable for a returning customer\'s conversations to group together over the export\'s retention; a new key would split every customer in two';
    acknowledgeFinding(this.pseudonymSecret,
      { id: 'AwsSolutions::AwsSolutions-SMG4', reason: stable },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled', reason: stable },
      { id: 'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled', reason: stable },
    );

    this.deadLetterQueue = new Queue(this, 'ExportDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // No queue may redrive into it: only the stream mapping sends to it (its on-failure destination).
      redriveAllowPolicy: { redrivePermission: RedrivePermission.DENY_ALL },
    });
    const isDeadLetters = 'This is the dead-letter destination of the export\'s stream mapping (no queue may redrive into it); a dead-letter queue of its own would only move the same records again';
    acknowledgeFinding(this.deadLetterQueue,
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDeadLetters },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: isDeadLetters },
    );

    const cfnTable = props.table.node.defaultChild as CfnDynamoTable;
    cfnTable.streamSpecification = { streamViewType: 'KEYS_ONLY' };
    const streamArn = cfnTable.attrStreamArn;
    const tableArn = props.table.tableArn;
    const name = `${props.namePrefix}-conversation-export-${region}`;
    const role = new Role(this, 'ExportRole', { roleName: name, assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const policy = new ManagedPolicy(this, 'ExportPolicy', {
      managedPolicyName: name,
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: 'ConversationsOfCustomersOnly',
          actions: ['dynamodb:Query'],
          resources: [tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } },
        }),
        new PolicyStatement({
          sid: 'TableStream',
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          resources: [streamArn],
        }),
        new PolicyStatement({
          sid: 'WriteExports',
          actions: ['s3:PutObject'],
          resources: [CONVERSATIONS_PREFIX, TURNS_PREFIX].map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
        }),
        new PolicyStatement({ sid: 'PseudonymKey', actions: ['secretsmanager:GetSecretValue'], resources: [this.pseudonymSecret.secretArn] }),
        new PolicyStatement({ sid: 'DeadLetters', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
        new PolicyStatement({
          sid: 'KeyThroughItsServices',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': ['dynamodb', 's3', 'secretsmanager', 'sqs'].map((service) => `${service}.${region}.amazonaws.com`) },
          },
        }),
      ],
    });
    const environment: ConversationExportEnvironment = {
      TABLE_NAME: props.table.tableName,
      BUCKET_NAME: this.bucket.bucketName,
      PSEUDONYM_SECRET_ID: this.pseudonymSecret.secretArn,
    };
    this.exportFunction = new ChatFunction(this, 'Export', {
      functionName: `${props.namePrefix}-conversation-export`,
      description: 'Support chat: exports changed conversations (no text, a pseudonym) to the analytics bucket',
      entry: path.join(__dirname, '..', 'handlers', 'conversation-export.ts'),
      role,
      rolePolicy: policy,
      environment: { ...environment },
      timeout: Duration.minutes(2),
      memorySize: 256,
      logKey: key,
      logRetention: props.logRetention,
      outsideVpcReason: 'Reads the conversation table and writes the analytics bucket through their regional endpoints over TLS; the baseline VPC\'s interface endpoints serve the turn and admit only its calls; it has no model permission and never sees a request from outside',
      deadLetterQueueReason: 'The stream\'s event source mapping invokes it synchronously; a batch it gives up on goes to the mapping\'s on-failure destination, the ExportDeadLetters queue',
      concurrencyReason: 'Only its DynamoDB stream\'s event source mapping invokes it, one batch at a time per stream shard (the mapping keeps the default ParallelizationFactor of 1, https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), so the table\'s shards bound its concurrent executions; a reserve would take executions from the rest of the account',
    });
    // The queue as the mapping's on-failure destination, without aws-cdk-lib's grant (an inline policy): the role's
    // managed policy above allows the send and the key.
    const deadLetters: IEventSourceDlq = { bind: () => ({ destination: this.deadLetterQueue.queueArn }) };
    const mapping = new EventSourceMapping(this, 'FromStream', {
      target: this.exportFunction,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(30),
      bisectBatchOnError: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      reportBatchItemFailures: true,
      onFailure: deadLetters,
      filters: [FilterCriteria.filter({
        eventName: FilterRule.or('INSERT', 'MODIFY'),
        dynamodb: { Keys: { pk: { S: [{ prefix: 'USER#' }] }, sk: { S: [{ prefix: 'CONV#' }] } } },
      })],
    });
    // Lambda checks the role may read the stream when the mapping is created.
    mapping.node.addDependency(policy);
    for (const prefix of [CONVERSATIONS_PREFIX, TURNS_PREFIX]) {
      acknowledgeFinding(policy, {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/${prefix}*]`,
        reason: `Every conversation's record under ${prefix}: the object names are the conversations', known only when one changes`,
      });
    }

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: ANALYTICS_DATABASE, description: 'Support chat: the conversation exports (no text, pseudonymous)' },
    });
    for (const table of analyticsTables(this.bucket.bucketName)) {
      const glueTable = new CfnTable(this, `Table-${table.name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: ANALYTICS_DATABASE,
        tableInput: projectedTableInput(table, table.locationTemplate.slice(0, table.locationTemplate.indexOf('date='))),
      });
      glueTable.addDependency(this.database);
      this.tables.push(glueTable);
    }
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${props.namePrefix}-analytics`,
      description: 'Support chat: the support manager\'s queries over the conversation exports',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          expectedBucketOwner: Aws.ACCOUNT_ID,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        },
      },
    });
    for (const query of ANALYTICS_QUERIES) {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.question.slice(0, 1024),
        database: ANALYTICS_DATABASE,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      for (const table of this.tables) named.addDependency(table);
    }
  }
}
