import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { relayRateKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { RelayRateGate } from '../../../../workloads/support-chat/chat/handlers/lib/relay-rate';
import { startConversationTable, type ConversationTableEmulator } from '../support/turn-emulators';

/**
 * The relay's per-user rate on the project's DynamoDB emulator (the one chat:local uses): its request works there, and 40
 * parallel messages against a limit of 5 admit exactly 5 (the emulator's atomicity with the product's condition; that
 * DynamoDB applies a condition and an update to one item atomically is AWS's guarantee, not proven here).
 */
const TABLE = 'support-chat-conversations';
const ALICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

let table: ConversationTableEmulator;
let client: DynamoDBDocumentClient;
let clock = Date.parse('2026-12-07T08:00:10Z');
let limit = 5;
const gate = () => new RelayRateGate({ tableName: TABLE, client, limit: async () => limit, now: () => clock });

beforeAll(async () => {
  table = await startConversationTable(TABLE);
  ({ client } = table);
}, 300_000);

afterAll(async () => {
  await table?.stop();
});

test('40 parallel messages of one user against a limit of 5: exactly 5 admitted; another user has a count of their own', async () => {
  const results = await Promise.all(Array.from({ length: 40 }, () => gate().admit(ALICE)));
  expect(results.filter((r) => r.granted)).toHaveLength(5);
  expect(results.every((r) => r.limit === 5)).toBe(true);
  expect((await gate().admit(BOB)).granted).toBe(true);
  const item = await client.send(new GetCommand({ TableName: TABLE, Key: relayRateKey(ALICE, '2026-12-07T08:00') }));
  expect(item.Item).toEqual({ ...relayRateKey(ALICE, '2026-12-07T08:00'), used: 5, expiresAt: Date.parse('2026-12-07T08:01:00Z') / 1000 + 3600 });
});

test('the next minute counts afresh; a lower limit deployed mid-minute applies at once', async () => {
  clock = Date.parse('2026-12-07T08:01:00Z');
  expect((await gate().admit(ALICE)).granted).toBe(true);
  limit = 1;
  expect(await gate().admit(ALICE)).toEqual({ granted: false, limit: 1 });
});

test('a sub that is not a Cognito sub is refused before any request (no key built from it)', async () => {
  await expect(gate().admit('*')).rejects.toThrow(/Cognito sub/);
});
