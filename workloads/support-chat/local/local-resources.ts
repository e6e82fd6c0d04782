import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The local copies of what the stack deploys for the turn: the conversation table, and the conversation-data role's ARN. */
export interface LocalChatResources {
  readonly tableName: string;
  readonly tableArn: string;
  readonly dataRoleArn: string;
}

/** Where and with which (dummy) credentials the resources are created. */
export interface LocalResourceTarget {
  /** The DynamoDB emulator's endpoint (emulators/dynamodb). */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default 'support-chat-conversations' */
  readonly tableName?: string;
}

/**
 * moto's default account: its STS hands out sessions for a role in the role's account, and the DynamoDB emulator has no
 * accounts, so the table's ARN names this one.
 */
const LOCAL_ACCOUNT = '123456789012';

/**
 * The conversation table as `ConversationTable` declares it (partition key `pk`, sort key `sk`, both strings;
 * on-demand), as a CreateTable request: the local harness and the store's tests create it from this one definition.
 */
export function conversationTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
  };
}

/**
 * Creates on the DynamoDB emulator what `SupportChatStack` gives the turn function: the conversation table as
 * `ConversationTable` declares it (partition key `pk`, sort key `sk`, both strings; on-demand), its ARN, and the ARN of
 * the conversation-data role the turn assumes per user with the `dynamodb:LeadingKeys` session policy (moto's STS hands
 * out sessions for any role ARN). Not copied, because the emulator does not serve them (emulators/dynamodb): time to live
 * on `expiresAt` (items never expire locally), point-in-time recovery and deletion protection; nor the customer-managed
 * KMS key. No emulator evaluates IAM policies, session policies included: every session can read every item, so locally
 * the session policy is sent but not enforced. That a session reaches only its user's items is proven with iam-simulate
 * in test/workloads/support-chat/chat/session-policy.test.ts, not here.
 */
export async function createLocalChatResources(target: LocalResourceTarget): Promise<LocalChatResources> {
  const tableName = target.tableName ?? 'support-chat-conversations';
  const dynamo = new DynamoDBClient({ endpoint: target.endpoint, region: target.region, credentials: target.credentials });
  try {
    await dynamo.send(new CreateTableCommand(conversationTableInput(tableName)));
    return {
      tableName,
      tableArn: `arn:aws:dynamodb:${target.region}:${LOCAL_ACCOUNT}:table/${tableName}`,
      dataRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/support-chat-conversation-data-${target.region}`,
    };
  } finally {
    dynamo.destroy();
  }
}
