import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  ArnPrincipal, Effect, type IPrincipal, ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal, StarPrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeFinding, logicalIdOf } from '../../../../building-blocks/gates/acknowledge';
import { EXPORT_PREFIXES } from '../../analytics/handlers/lib/export-layout';
import { ChatFunction } from '../../chat/constructs/chat-function';
import { RELAY_RATE_PREFIX } from '../../chat/handlers/lib/conversation-keys';
import { TICKET_PREFIX } from '../../handoff/handlers/lib/ticket-connector';
import { PRIVACY_FUNCTION_NAME, PRIVACY_TIMEOUT_SECONDS, type PrivacyEnvironment } from '../privacy-wiring';

/** Properties of `SupportPrivacy`. */
export interface SupportPrivacyProps {
  /** Prefix of the names (the tenant's, `support-chat`); IAM names end in `-<region>`. */
  readonly namePrefix: string;
  /** The stack's key: the privacy table, the subject key secret and the function's log group. */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** The conversation table: the customer's `USER#`, `TICKET#` and `RATE#` partitions. */
  readonly conversationsTableName: string;
  readonly conversationsTableArn: string;
  /** The key of the conversation table (and of the analytics bucket, when it has another), used through DynamoDB and S3. */
  readonly dataKeys: readonly IKey[];
  /** The bucket of the analytics exports (`conversations/`, `turns/`). @default - none: no analytics exports to find */
  readonly analyticsBucket?: IBucket;
  /**
   * The secret of the analytics' pseudonym key (by its ARN), with which every export of a customer is found.
   * @default - none: exports are found by the conversation ids of the customer's partition only
   */
  readonly analyticsPseudonymSecretArn?: string;
  /** Who may assume the privacy officer's role (e.g. an IAM Identity Center permission set's role, by ARN). */
  readonly officers: IPrincipal;
}

/**
 * Export, erasure and legal holds of one customer's data (docs/privacy.md, docs/adr/0029-*.md): the privacy function
 * (`handlers/privacy.ts`, outside the VPC, invoked synchronously by the CLI), the privacy officer's role, the only
 * principal the function's resource-based policy lets invoke it, the privacy table (audit records and legal holds,
 * retained, point-in-time recovery, deletion protection, the stack's key) and the secret that keys the hash of a
 * customer's id in it. The function may query and delete the customer's partitions of the conversation table, read and
 * delete versions of the analytics exports, and write, never delete, audit records.
 */
export class SupportPrivacy extends Construct {
  public readonly function: ChatFunction;
  public readonly officerRole: Role;
  public readonly table: Table;
  public readonly subjectKey: Secret;
  public readonly invokePolicy: CfnResourcePolicy;

  constructor(scope: Construct, id: string, props: SupportPrivacyProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const name = (what: string) => `${props.namePrefix}-${what}-${region}`;

    this.table = new Table(this, 'Table', {
      tableName: `${props.namePrefix}-privacy`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const backup = 'Audit records of privacy requests: point-in-time recovery (35 days), deletion protection and retention on stack deletion; the records never expire, so an AWS Backup plan would add no retention';
    acknowledgeFinding(this.table,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan', reason: backup },
      { id: 'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan', reason: backup },
    );

    const subjectKeyName = `${props.namePrefix}-privacy-subject-key`;
    this.subjectKey = new Secret(this, 'SubjectKey', {
      secretName: subjectKeyName,
      description: 'Support chat: the HMAC key of the customer id hashes in the privacy audit records',
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const rotation = 'An HMAC key that names customers in audit records by hash, not a credential: rotating it would make every earlier record unmatchable to the customer it names';
    acknowledgeFinding(this.subjectKey,
      { id: 'AwsSolutions::AwsSolutions-SMG4', reason: rotation },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled', reason: rotation },
      { id: 'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled', reason: rotation },
    );

    const role = new Role(this, 'FunctionRole', { roleName: name('privacy'), assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const statements = [
      new PolicyStatement({
        sid: 'CustomerPartitions',
        actions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
        resources: [props.conversationsTableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', `${TICKET_PREFIX}*`, `${RELAY_RATE_PREFIX}*`] } },
      }),
      new PolicyStatement({
        sid: 'AuditRecordsAndHolds',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQUEST#*', 'HOLD#*'] } },
      }),
      new PolicyStatement({
        sid: 'ReleaseHoldsOnly',
        actions: ['dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['HOLD#*'] } },
      }),
      // By name: Secrets Manager ends a secret's ARN with `-` and six random characters.
      new PolicyStatement({
        sid: 'SubjectKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:${Aws.PARTITION}:secretsmanager:${region}:${Aws.ACCOUNT_ID}:secret:${subjectKeyName}-??????`],
      }),
      new PolicyStatement({
        sid: 'KeysThroughTheServices',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [...new Set([props.key, ...props.dataKeys].map((k) => k.keyArn))],
        conditions: { StringEquals: { 'kms:ViaService': ['dynamodb', 'secretsmanager', 's3'].map((s) => `${s}.${region}.amazonaws.com`) } },
      }),
    ];
    if (props.analyticsBucket) {
      statements.push(
        new PolicyStatement({
          sid: 'ListExportVersions',
          actions: ['s3:ListBucketVersions'],
          resources: [props.analyticsBucket.bucketArn],
          conditions: { StringEquals: { 's3:prefix': [...EXPORT_PREFIXES] } },
        }),
        new PolicyStatement({
          sid: 'ReadAndDeleteExportVersions',
          actions: ['s3:GetObjectVersion', 's3:DeleteObjectVersion'],
          resources: EXPORT_PREFIXES.map((prefix) => `${props.analyticsBucket!.bucketArn}/${prefix}*`),
        }),
      );
    }
    if (props.analyticsPseudonymSecretArn) {
      statements.push(new PolicyStatement({ sid: 'AnalyticsPseudonymKey', actions: ['secretsmanager:GetSecretValue'], resources: [props.analyticsPseudonymSecretArn] }));
    }
    const policy = new ManagedPolicy(this, 'FunctionPolicy', { managedPolicyName: name('privacy'), roles: [role], statements });
    if (props.analyticsBucket) {
      // cdk-nag names the bucket by its ARN: the logical id's for a bucket of this app, the literal for one imported by ARN.
      const bucketArn = Token.isUnresolved(props.analyticsBucket.bucketArn) ? `<${logicalIdOf(props.analyticsBucket)}.Arn>` : props.analyticsBucket.bucketArn;
      acknowledgeFinding(policy, ...EXPORT_PREFIXES.map((prefix) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
        reason: 'The exports are named by day, conversation id and pseudonym; the wildcard is one exports prefix of the one analytics bucket',
      })));
    }

    const environment: PrivacyEnvironment = {
      CONVERSATIONS_TABLE_NAME: props.conversationsTableName,
      PRIVACY_TABLE_NAME: this.table.tableName,
      SUBJECT_KEY_SECRET_ID: subjectKeyName,
      ANALYTICS_BUCKET_NAME: props.analyticsBucket?.bucketName ?? '',
      ANALYTICS_PSEUDONYM_SECRET_ID: props.analyticsPseudonymSecretArn ?? '',
    };
    this.function = new ChatFunction(this, 'Function', {
      functionName: PRIVACY_FUNCTION_NAME,
      description: 'Support chat: export, erasure and legal holds of one customer\'s data, for the privacy officer',
      entry: path.join(__dirname, '..', 'handlers', 'privacy.ts'),
      role,
      rolePolicy: policy,
      environment: { ...environment },
      timeout: Duration.seconds(PRIVACY_TIMEOUT_SECONDS),
      memorySize: 512,
      logKey: props.key,
      logRetention: props.logRetention,
      outsideVpcReason: 'Invoked only by the privacy officer\'s role, a few times a day; reaches DynamoDB, S3 and Secrets Manager over TLS on their regional endpoints, holds no model or network permissions',
      deadLetterQueueReason: 'Invoked synchronously by the privacy CLI, which shows the one answer of every request; there is no asynchronous event to send to a dead-letter queue',
      concurrencyReason: 'Only the privacy officer\'s role may invoke it (its resource-based policy denies every other principal), one synchronous invocation per export, erasure or hold request from the privacy CLI, a few a day; a reserve would take executions from the rest of the account',
    });

    this.officerRole = new Role(this, 'OfficerRole', {
      roleName: name('privacy-officer'),
      assumedBy: props.officers,
      description: 'Support chat: the privacy officer, who alone may invoke the privacy function',
    });
    new ManagedPolicy(this, 'OfficerPolicy', {
      managedPolicyName: name('privacy-officer'),
      roles: [this.officerRole],
      statements: [new PolicyStatement({ sid: 'InvokePrivacy', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] })],
    });
    this.invokePolicy = onlyTheOfficerInvokes(this, this.function.functionArn, this.officerRole.roleArn);
  }
}

/**
 * The function's resource-based policy (`AWS::Lambda::ResourcePolicy`, which takes Deny statements): the officer's role
 * may invoke it, every other principal is denied, whatever its own policies allow
 * (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
 */
function onlyTheOfficerInvokes(scope: Construct, functionArn: string, officerRoleArn: string): CfnResourcePolicy {
  const invoke = ['lambda:InvokeFunction'];
  return new CfnResourcePolicy(scope, 'InvokePolicy', {
    resourceArn: functionArn,
    policyDocument: new PolicyDocument({
      statements: [
        new PolicyStatement({ sid: 'TheOfficerInvokes', principals: [new ArnPrincipal(officerRoleArn)], actions: invoke, resources: [functionArn] }),
        new PolicyStatement({
          sid: 'OnlyTheOfficerInvokes',
          effect: Effect.DENY,
          principals: [new StarPrincipal()],
          actions: invoke,
          resources: [functionArn],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': officerRoleArn } },
        }),
      ],
    }),
  });
}

