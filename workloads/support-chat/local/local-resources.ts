import {
  CreateTableCommand, DynamoDBClient, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The local copies of what the stack deploys for the turn: the conversation table, and the conversation-data role's ARN. */
export interface LocalChatResources {
  readonly tableName: string;
  readonly tableArn: string;
  readonly dataRoleArn: string;
}

/** Where and with which (dummy) credentials the resources are created. */
export interface LocalResourceTarget {
  /** The moto endpoint. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default 'support-chat-conversations' */
  readonly tableName?: string;
}

/**
 * Creates on moto what `SupportChatStack` gives the turn function: the conversation table as `ConversationTable`
 * declares it (partition key `pk`, sort key `sk`, both strings; on-demand; time to live on `expiresAt`; point-in-time
 * recovery; deletion protection), and the ARN of the conversation-data role the turn assumes per user with the
 * `dynamodb:LeadingKeys` session policy. Not copied: the customer-managed KMS key, and the role itself (moto's STS hands
 * out sessions for any role ARN). moto does not evaluate IAM policies, session policies included: every session it hands
 * out can read every item, so locally the session policy is sent but not enforced. That a session reaches only its
 * user's items is proven with iam-simulate in test/workloads/support-chat/chat/session-policy.test.ts, not here.
 */
export async function createLocalChatResources(target: LocalResourceTarget): Promise<LocalChatResources> {
  const tableName = target.tableName ?? 'support-chat-conversations';
  const config = { endpoint: target.endpoint, region: target.region, credentials: target.credentials };
  const dynamo = new DynamoDBClient(config);
  try {
    const created = await dynamo.send(new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      DeletionProtectionEnabled: true,
    }));
    await dynamo.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
    await dynamo.send(new UpdateContinuousBackupsCommand({
      TableName: tableName,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }));
    const tableArn = created.TableDescription?.TableArn;
    if (!tableArn) throw new Error('moto returned no table ARN');
    // moto's AssumeRole does not need the role to exist, and the session's credentials belong to the account in the role's
    // ARN (moto keeps one backend per account): the table's account, so the session finds the table.
    const account = tableArn.split(':')[4];
    return { tableName, tableArn, dataRoleArn: `arn:aws:iam::${account}:role/support-chat-conversation-data-${target.region}` };
  } finally {
    dynamo.destroy();
  }
}
