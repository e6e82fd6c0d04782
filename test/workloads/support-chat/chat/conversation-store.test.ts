import {
  ConditionalCheckFailedException, CreateTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ProvisionedThroughputExceededException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { BudgetCounter, budgetDay } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { budgetKey, InvalidKeyError, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { conversationTableInput } from '../../../../workloads/support-chat/local/local-resources';

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
  await raw.send(new CreateTableCommand(conversationTableInput(TABLE)));
  await raw.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  expect((await raw.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription?.AttributeName).toBe('expiresAt');
});

afterAll(async () => moto?.stop());

describe('conversation store against moto\'s DynamoDB: persist first, idempotent by message id', () => {
  const store = () => new ConversationStore({ tableName: TABLE, client, retentionDays: 90, now });

  test('a user message is stored once; the retry gets the first copy back, not a second item', async () => {
    const first = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    clock += 1000;
    const retry = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    expect(first.created).toBe(true);
    expect(retry).toEqual({ created: false, conflict: false, message: first.message, answer: undefined });
    expect(await store().history(ALICE, 'c1', 10)).toHaveLength(1);
  });

  test('a message id reused with another text is a conflict: nothing is overwritten, and no answer is handed back for it', async () => {
    clock += 1000;
    const first = await store().putUserMessage(ALICE, 'c9', 'm1', 'Cancel order 777');
    clock += 1000;
    await store().putAnswer(ALICE, 'c9', 'm1', 'Order 777 is cancelled.');
    clock += 1000;
    const other = await store().putUserMessage(ALICE, 'c9', 'm1', 'Refund order 778');
    expect(other).toEqual({ created: false, conflict: true, message: first.message });
    const same = await store().putUserMessage(ALICE, 'c9', 'm1', 'Cancel order 777');
    expect(same).toMatchObject({ created: false, conflict: false, message: first.message, answer: { text: 'Order 777 is cancelled.' } });
    expect((await store().history(ALICE, 'c9', 10)).map((m) => m.text)).toEqual(['Cancel order 777', 'Order 777 is cancelled.']);
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

  test('sequential reservations at the boundary: the one that reaches the limit exactly is granted, the next is refused and changes nothing', async () => {
    const tenant = { pk: 'TENANT', sk: budgetKey('2026-12-01') };
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await counter().reserve(tenant, 100, 1000));
    expect(results.map((r) => r.granted)).toEqual([...Array<boolean>(10).fill(true), false]);
    expect(results.map((r) => r.used)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1000]);
    expect(await counter().used(tenant)).toBe(1000);
  });
});

/** A document client that records what the counter sends and answers as `answer` says, without any DynamoDB. */
function recordingClient(answer: (input: Record<string, unknown>) => unknown) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const recorder = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      return answer(command.input);
    },
  } as unknown as DynamoDBDocumentClient;
  return { recorder, sent };
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('daily token counters: what the product asks DynamoDB to decide (recorded requests, no emulator)', () => {
  const key = { pk: 'TENANT', sk: budgetKey('2026-12-01') };

  test('a reservation is one conditional ADD: granted only while used + tokens stays within the limit '
    + '(that DynamoDB applies the condition and the ADD atomically under concurrent turns is AWS\'s guarantee; no emulator here proves it)', async () => {
    const { recorder, sent } = recordingClient(() => ({ Attributes: { used: 300 } }));
    expect(await new BudgetCounter({ tableName: TABLE, client: recorder, now }).reserve(key, 300, 1000)).toEqual({ granted: true, used: 300 });
    expect(sent).toHaveLength(1);
    expect(sent[0].command).toBe('UpdateCommand');
    expect(sent[0].input).toMatchObject({
      TableName: TABLE,
      Key: key,
      UpdateExpression: expect.stringMatching(/^ADD used :n\b/),
      ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
      ReturnValues: 'UPDATED_NEW',
    });
    const values = sent[0].input.ExpressionAttributeValues as Record<string, number>;
    expect(values[':n']).toBe(300);
    // used <= limit - tokens is used + tokens <= limit: the last token of the day can be granted, none past it.
    expect(values[':most']).toBe(700);
  });

  test('a ConditionalCheckFailed answer is a refusal: not granted, with the day\'s count read back, and nothing added', async () => {
    const { recorder, sent } = recordingClient((input) => {
      if ('UpdateExpression' in input) throw conditionFailed();
      return { Item: { ...key, used: 950 } };
    });
    expect(await new BudgetCounter({ tableName: TABLE, client: recorder, now }).reserve(key, 100, 1000)).toEqual({ granted: false, used: 950 });
    expect(sent.map((s) => s.command)).toEqual(['UpdateCommand', 'GetCommand']);
    expect(sent[1].input).toMatchObject({ Key: key, ConsistentRead: true });
  });

  test('any other failure is not a refusal: it reaches the caller', async () => {
    const { recorder } = recordingClient(() => {
      throw new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: {} });
    });
    const reserving = new BudgetCounter({ tableName: TABLE, client: recorder, now }).reserve(key, 100, 1000);
    await expect(reserving).rejects.toThrow(ProvisionedThroughputExceededException);
  });

  test('a reservation larger than the whole limit is refused without a write', async () => {
    const { recorder, sent } = recordingClient(() => ({ Item: undefined }));
    expect(await new BudgetCounter({ tableName: TABLE, client: recorder, now }).reserve(key, 1001, 1000)).toEqual({ granted: false, used: 0 });
    expect(sent.map((s) => s.command)).toEqual(['GetCommand']);
  });
});

describe('the message lease: what the product asks DynamoDB to decide (recorded requests, no emulator)', () => {
  test('a claim is one conditional update: only an unanswered message whose lease is absent or expired '
    + '(that two turns claiming at once cannot both win is DynamoDB\'s per-item atomicity, not proven here)', async () => {
    const { recorder, sent } = recordingClient(() => ({}));
    const store = new ConversationStore({ tableName: TABLE, client: recorder, retentionDays: 90, now });
    expect(await store.claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0].input).toMatchObject({
      Key: { pk: userKey(ALICE) },
      UpdateExpression: 'SET leaseUntil = :until',
      ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':until': clock + 30_000, ':pending': 'pending', ':now': clock },
    });
  });

  test('a ConditionalCheckFailed answer to a claim is "another turn has it", not an error', async () => {
    const { recorder } = recordingClient(() => {
      throw conditionFailed();
    });
    const store = new ConversationStore({ tableName: TABLE, client: recorder, retentionDays: 90, now });
    expect(await store.claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(false);
  });
});
