import {
  BatchGetItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand, TransactWriteItemsCommand,
  BatchWriteItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../emulators/dynamodb/dynamodb-emulator';

/**
 * The DynamoDB emulator's own routing (one minidyn per partition key) with the real SDK client: what it serves across
 * partitions and what it refuses with an error that names it. It checks the emulator, not DynamoDB.
 */
let dynamodb: LocalDynamoDb;
let client: DynamoDBClient;
const TABLE = 'routing';
const item = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

beforeAll(async () => {
  dynamodb = await startLocalDynamoDb();
  client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(new CreateTableCommand({
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
  }));
  for (const [pk, sk] of [['A', '1'], ['A', '2'], ['B', '1']]) await client.send(new PutItemCommand({ TableName: TABLE, Item: item(pk, sk) }));
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await dynamodb?.stop();
});

describe('the DynamoDB emulator (emulators/dynamodb): one minidyn per partition key, checked with the SDK (the emulator, not AWS)', () => {
  test('a Query reaches its partition whichever way the key condition names the partition key', async () => {
    const named = await client.send(new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'sk >= :s AND #p = :pk',
      ExpressionAttributeNames: { '#p': 'pk' },
      ExpressionAttributeValues: { ':pk': { S: 'A' }, ':s': { S: '0' } },
    }));
    expect(named.Items?.map((i) => i.sk.S)).toEqual(['1', '2']);
    const reversed = await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: ':pk = pk', ExpressionAttributeValues: { ':pk': { S: 'B' } } }));
    expect(reversed.Items?.map((i) => i.sk.S)).toEqual(['1']);
  });

  test('a BatchGetItem of one partition\'s keys is served (a missing key is left out); across partition keys it is refused', async () => {
    const batch = await client.send(new BatchGetItemCommand({
      RequestItems: { [TABLE]: { Keys: [item('A', '2'), item('A', '7'), item('A', '1')], ConsistentRead: true } },
    }));
    expect(batch.Responses?.[TABLE].map((i) => i.sk.S).sort()).toEqual(['1', '2']);
    expect(batch.UnprocessedKeys ?? {}).toEqual({});
    await expect(client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [item('A', '1'), item('B', '1')] } } })))
      .rejects.toThrow(/BatchGetItem across tables or partition keys is not served by this emulator/);
  });

  test('a whole-table Scan gathers every partition', async () => {
    const all = await client.send(new ScanCommand({ TableName: TABLE }));
    expect(all.Items?.map((i) => `${i.pk.S}${i.sk.S}`).sort()).toEqual(['A1', 'A2', 'B1']);
    expect((await client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))).Count).toBe(3);
  });

  test('what spans partitions is refused with an error that names the emulator, and changes nothing', async () => {
    await expect(client.send(new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: TABLE, Item: item('A', '9') } }, { Put: { TableName: TABLE, Item: item('B', '9') } }],
    }))).rejects.toThrow(/across tables or partition keys is not served by this emulator/);
    await expect(client.send(new ScanCommand({ TableName: TABLE, Limit: 1 }))).rejects.toThrow(/Scan with Limit.*not served by this emulator/);
    await expect(client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item('C', '1') } }] } })))
      .rejects.toThrow(/BatchWriteItem is not served by this emulator/);
    await expect(client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'sk = :s', ExpressionAttributeValues: { ':s': { S: '1' } } })))
      .rejects.toThrow(/missed key schema element: pk/);
    await expect(client.send(new CreateTableCommand({
      TableName: 'with-index',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }))).rejects.toThrow(/global secondary indexes span partitions/);
    expect((await client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))).Count).toBe(3);
  });

  test('an unknown table is a ResourceNotFoundException', async () => {
    await expect(client.send(new PutItemCommand({ TableName: 'missing', Item: item('A', '1') }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
