import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';

/** Properties of `ConversationTable`. */
export interface ConversationTableProps {
  /** The customer-managed key that encrypts the table. */
  readonly key: IKey;
  /**
   * Keep the table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The conversation store's table (`../handlers/lib/conversation-keys.ts` for the key layout): partition key `pk`
 * (`USER#<sub>`, or `TENANT` for the tenant's daily counter), sort key `sk`, on-demand capacity, point-in-time
 * recovery, deletion protection, a customer-managed key, and time to live on `expiresAt`
 * (`workloads.supportChat.conversations.retentionDays`).
 */
export class ConversationTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: ConversationTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const backup = 'Point-in-time recovery restores the table to any second of the last 35 days; conversations are working data kept retentionDays, not records an AWS Backup plan would keep longer';
    acknowledgeFinding(this.table,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan', reason: backup },
      { id: 'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan', reason: backup },
    );
  }
}
