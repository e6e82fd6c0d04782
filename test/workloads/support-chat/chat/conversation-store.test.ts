import { CreateTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { BudgetCounter, budgetDay } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { budgetKey, InvalidKeyError, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';

/** The conversation store and the daily token counters against DynamoDB as the pinned moto server implements it. */
const TABLE = 'support-chat-conversations';
const ALICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

let moto: MotoServer;
let client: DynamoDBDocumentClient;
let clock = Date.parse('2026-11-30T10:00:00Z');
const now = () => clock;

beforeAll(async () => {
  moto = await startMoto();
  const raw = new DynamoDBClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  client = DynamoDBDocumentClient.from(raw);
  await raw.send(new CreateTableCommand({
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
  }));
  await raw.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  expect((await raw.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription?.AttributeName).toBe('expiresAt');
}, 60_000);

afterAll(async () => moto?.stop());

describe('conversation store against moto\'s DynamoDB: persist first, idempotent by message id', () => {
  const store = () => new ConversationStore({ tableName: TABLE, client, retentionDays: 90, now });

  test('a user message is stored once; the retry gets the first copy back, not a second item', async () => {
    const first = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    clock += 1000;
    const retry = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    expect(first.created).toBe(true);
    expect(retry).toEqual({ created: false, message: first.message, answer: undefined });
    expect(await store().history(ALICE, 'c1', 10)).toHaveLength(1);
  });

  test('the answer is stored once, and a reconnecting client finds it by the message id', async () => {
    clock += 1000;
    const answer = await store().putAnswer(ALICE, 'c1', 'm1', 'It left our warehouse this morning.');
    clock += 1000;
    const again = await store().putAnswer(ALICE, 'c1', 'm1', 'a different text from a replayed stream');
    expect(again).toEqual(answer);
    expect((await store().find(ALICE, 'c1', 'm1'))?.answer?.text).toBe('It left our warehouse this morning.');
    const replay = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    expect(replay.answer).toEqual(answer);
  });

  test('the lease: the storing turn holds it; another claim fails until it expires or is released; an answered message cannot be claimed', async () => {
    const lease = 30_000;
    await store().putUserMessage(ALICE, 'c7', 'm1', 'Is my parcel lost?', clock + lease);
    expect(await store().claim(ALICE, 'c7', 'm1', clock + lease)).toBe(false);
    clock += lease + 1;
    expect(await store().claim(ALICE, 'c7', 'm1', clock + lease)).toBe(true);
    expect(await store().claim(ALICE, 'c7', 'm1', clock + lease)).toBe(false);
    await store().release(ALICE, 'c7', 'm1');
    expect(await store().claim(ALICE, 'c7', 'm1', clock + lease)).toBe(true);
    await store().putAnswer(ALICE, 'c7', 'm1', 'No, it is on its way.');
    await store().release(ALICE, 'c7', 'm1');
    expect(await store().claim(ALICE, 'c7', 'm1', clock + lease)).toBe(false);
    expect(await store().claim(ALICE, 'c7', 'never-sent', clock + lease)).toBe(false);
  });

  test('an answer without its stored user message is refused', async () => {
    await expect(store().putAnswer(ALICE, 'c1', 'never-sent', 'x')).rejects.toThrow(/no pending user message never-sent/);
  });

  test('history: the first message always, then the last N, oldest first; other users and conversations apart', async () => {
    for (let i = 2; i <= 14; i++) {
      clock += 1000;
      await store().putUserMessage(ALICE, 'c1', `m${i}`, `question ${i}`);
      clock += 1000;
      await store().putAnswer(ALICE, 'c1', `m${i}`, `answer ${i}`);
    }
    await store().putUserMessage(BOB, 'c1', 'm1', 'Bob\'s own question');
    await store().putUserMessage(ALICE, 'c2', 'm1', 'another conversation');
    const history = await store().history(ALICE, 'c1', 4);
    expect(history.map((m) => m.text)).toEqual(['Where is my order 12345?', 'question 13', 'answer 13', 'question 14', 'answer 14']);
    expect(history.map((m) => m.createdAt)).toEqual([...history.map((m) => m.createdAt)].sort((a, b) => a - b));
    expect((await store().history(BOB, 'c1', 10)).map((m) => m.text)).toEqual(['Bob\'s own question']);
  });

  test('every item carries its TTL: retentionDays after it was written, in epoch seconds', async () => {
    const { message } = await store().putUserMessage(ALICE, 'c3', 'm1', 'ttl?');
    const found = await client.send(new GetCommand({ TableName: TABLE, Key: { pk: userKey(ALICE), sk: `CONV#c3#MSG#${String(message.createdAt).padStart(13, '0')}#m1#u` } }));
    expect(found.Item?.expiresAt).toBe(Math.floor(message.createdAt / 1000) + 90 * 86_400);
  });

  test('ids that could widen a key or a policy are refused before any call', async () => {
    await expect(store().putUserMessage('*', 'c1', 'm1', 'x')).rejects.toThrow(InvalidKeyError);
    await expect(store().putUserMessage(ALICE, 'c1#MSG#', 'm1', 'x')).rejects.toThrow(/conversation id must match/);
    await expect(store().history(ALICE, 'c'.repeat(65), 1)).rejects.toThrow(InvalidKeyError);
  });

  test('a message over the item budget is refused, not truncated', async () => {
    await expect(store().putUserMessage(ALICE, 'c4', 'm1', 'é'.repeat(200 * 1024))).rejects.toThrow(/over the 358400 a conversation item may hold/);
  });
});

describe('daily token counters against moto\'s DynamoDB: reserved atomically before the call, settled after', () => {
  const counter = () => new BudgetCounter({ tableName: TABLE, client, now });
  const key = () => ({ pk: userKey(BOB), sk: budgetKey(budgetDay(clock)) });

  test('reservations are granted up to the limit and refused past it, leaving the count as it was', async () => {
    expect(await counter().reserve(key(), 600, 1000)).toEqual({ granted: true, used: 600 });
    expect(await counter().reserve(key(), 400, 1000)).toEqual({ granted: true, used: 1000 });
    expect(await counter().reserve(key(), 1, 1000)).toEqual({ granted: false, used: 1000 });
    expect(await counter().reserve({ pk: userKey(ALICE), sk: budgetKey('2026-01-01') }, 1001, 1000)).toEqual({ granted: false, used: 0 });
  });

  test('settling gives back what a turn did not use', async () => {
    expect(await counter().settle(key(), -250)).toBe(750);
    expect(await counter().reserve(key(), 250, 1000)).toEqual({ granted: true, used: 1000 });
  });

  test('concurrent reservations never pass the limit together', async () => {
    const tenant = { pk: 'TENANT', sk: budgetKey('2026-12-01') };
    const results = await Promise.all(Array.from({ length: 20 }, () => counter().reserve(tenant, 100, 1000)));
    expect(results.filter((r) => r.granted)).toHaveLength(10);
    expect(await counter().used(tenant)).toBe(1000);
  });
});
