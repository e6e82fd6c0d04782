import { type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetCounter } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { budgetKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { startConversationTable, type ConversationTableEmulator } from '../support/turn-emulators';

/**
 * The conversation store and the daily counters on the project's DynamoDB emulator (emulators/dynamodb: minidyn, one per
 * partition key), the one chat:local and bench:chat use: every request path the store sends works there. What AWS
 * enforces is not proven here; the concurrent test proves the emulator's atomicity together with the product's condition.
 */
const TABLE = 'support-chat-conversations';
const ALICE = '0f8fad5b-d9cb-469f-a165-70867728950e';

let table: ConversationTableEmulator;
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let clock = Date.parse('2026-11-30T10:00:00Z');
const now = () => clock;
const store = () => new ConversationStore({ tableName: TABLE, client, retentionDays: 90, now });
const counter = () => new BudgetCounter({ tableName: TABLE, client, now });

beforeAll(async () => {
  table = await startConversationTable(TABLE);
  ({ raw, client } = table);
}, 300_000);

afterAll(async () => {
  await table?.stop();
});

describe('the conversation store on the DynamoDB emulator (minidyn): the paths it sends, not what AWS enforces', () => {
  test('transactions: a message is stored once (a retry is cancelled with ConditionalCheckFailed and gets the first copy), its answer once', async () => {
    const first = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?', clock + 30_000);
    clock += 1000;
    const retry = await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?');
    expect(first.created).toBe(true);
    expect(retry).toEqual({ created: false, conflict: false, message: first.message, answer: undefined });
    clock += 1000;
    const answer = await store().putAnswer(ALICE, 'c1', 'm1', 'It left our warehouse this morning.');
    expect(await store().putAnswer(ALICE, 'c1', 'm1', 'a replayed stream')).toEqual(answer);
    expect((await store().putUserMessage(ALICE, 'c1', 'm1', 'Where is my order 12345?')).answer).toEqual(answer);
    await expect(store().putAnswer(ALICE, 'c1', 'never-sent', 'x')).rejects.toThrow(/no pending user message never-sent/);
  });

  test('conditional updates: the lease is held, free once expired or released, and never for an answered message', async () => {
    await store().putUserMessage(ALICE, 'c7', 'm1', 'Is my parcel lost?', clock + 30_000);
    expect(await store().claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(false);
    clock += 30_001;
    expect(await store().claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(true);
    await store().release(ALICE, 'c7', 'm1');
    expect(await store().claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(true);
    await store().putAnswer(ALICE, 'c7', 'm1', 'No, it is on its way.');
    expect(await store().claim(ALICE, 'c7', 'm1', clock + 30_000)).toBe(false);
  });

  test('queries: history is the first message and the last N, oldest first', async () => {
    for (let i = 2; i <= 6; i++) {
      clock += 1000;
      await store().putUserMessage(ALICE, 'c1', `m${i}`, `question ${i}`);
      clock += 1000;
      await store().putAnswer(ALICE, 'c1', `m${i}`, `answer ${i}`);
    }
    const history = await store().history(ALICE, 'c1', 3);
    expect(history.map((m) => m.text)).toEqual(['Where is my order 12345?', 'answer 5', 'question 6', 'answer 6']);
  });

  test('counters: granted up to the limit, refused past it, settled', async () => {
    const key = { pk: 'TENANT', sk: budgetKey('2026-11-30') };
    expect(await counter().reserve(key, 600, 1000)).toEqual({ granted: true, used: 600 });
    expect(await counter().reserve(key, 401, 1000)).toEqual({ granted: false, used: 600 });
    expect(await counter().reserve(key, 400, 1000)).toEqual({ granted: true, used: 1000 });
    expect(await counter().settle(key, -250)).toBe(750);
  });

  test('the emulator\'s gap: no time to live (UpdateTimeToLive is refused, so items there never expire)', async () => {
    await expect(raw.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } })))
      .rejects.toThrow(/not served by this emulator/);
  });
});

describe('concurrent reservations on the DynamoDB emulator: proves the emulator\'s per-item atomicity with the product\'s condition, not AWS', () => {
  test('50 parallel reservations against room for 10 grant exactly 10, five times over', async () => {
    for (let run = 0; run < 5; run++) {
      const key = { pk: 'TENANT', sk: budgetKey(`2026-12-0${run + 1}`) };
      const results = await Promise.all(Array.from({ length: 50 }, () => counter().reserve(key, 100, 1000)));
      expect(results.filter((r) => r.granted)).toHaveLength(10);
      expect(results.filter((r) => r.granted).map((r) => r.used).sort((a, b) => a - b)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
      expect(await counter().used(key)).toBe(1000);
    }
  });
});
