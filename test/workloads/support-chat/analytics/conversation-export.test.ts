import { createHmac } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { ConversationExporter } from '../../../../workloads/support-chat/analytics/handlers/lib/conversation-exporter';
import { exportBatch } from '../../../../workloads/support-chat/analytics/handlers/lib/export-batch';
import { CustomerPseudonyms } from '../../../../workloads/support-chat/analytics/handlers/lib/export-layout';
import { messageKey, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { HandOffService } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-service';
import { tenantMessage } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { conversationTableInput } from '../../../../workloads/support-chat/local/local-resources';
import { CustomerData } from '../../../../workloads/support-chat/privacy/handlers/lib/customer-data';

/**
 * The conversation export on moto (DynamoDB, S3, Secrets Manager, EventBridge for the hand-off): conversations written
 * by the tenant's own store and hand-off code, exported by `ConversationExporter`, read back from the bucket. The
 * stream records are shaped as Lambda delivers a KEYS_ONLY stream's (moto's streams are not read here).
 */

const TABLE = 'support-chat-conversations';
const BUCKET = 'support-chat-analytics-test';
const SECRET = 'support-chat/analytics-pseudonym';
const KEY = 'k'.repeat(20) + '0123456789abcdefghijklmnopqrstuvwxyz';
const ALICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const T0 = Date.parse('2026-12-01T09:00:00Z');
const PROFILE = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let moto: MotoServer;
let s3: S3Client;
let client: DynamoDBDocumentClient;
let exporter: ConversationExporter;
let clock = T0;
const store = () => new ConversationStore({ tableName: TABLE, client, retentionDays: 90, now: () => clock });

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: 'eu-central-1', credentials, forcePathStyle: true };
  const raw = new DynamoDBClient(config);
  client = DynamoDBDocumentClient.from(raw);
  s3 = new S3Client(config);
  const secrets = new SecretsManagerClient(config);
  await raw.send(new CreateTableCommand(conversationTableInput(TABLE)));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
  await secrets.send(new CreateSecretCommand({ Name: SECRET, SecretString: KEY }));
  const events = new EventBridgeClient(config);
  await events.send(new CreateEventBusCommand({ Name: 'support-chat-handoff' }));
  exporter = new ConversationExporter({ tableName: TABLE, dynamodb: client, s3, secrets, bucket: BUCKET, pseudonymSecretId: SECRET });
  await seed(new HandOffService({
    tableName: TABLE, clientFor: async () => client, events, busName: 'support-chat-handoff', policy: { unresolvedTurns: 3, refundApprovalThreshold: 100 }, retentionDays: 90,
  }));
});

afterAll(async () => moto?.stop());

/** Alice: a grounded conversation with a tool call, costed, rated; a hand-off; an unanswered-by-the-documents one. Bob reuses an id. */
async function seed(handOff: HandOffService): Promise<void> {
  const tick = () => { clock += 1_000; };
  await store().putUserMessage(ALICE, 'conv-a', 'm1', 'How do I return my order 4711?', 0, 'en');
  tick();
  await store().putAnswer(ALICE, 'conv-a', 'm1', 'You can return it within 30 days.', [{ documentId: 'policies/returns.md', title: 'Returns' }]);
  await costed(ALICE, 'conv-a', 'm1', 0.0123);
  tick();
  await store().putUserMessage(ALICE, 'conv-a', 'm2', 'And where is it now?', 0, 'en');
  tick();
  await store().putToolCall(ALICE, { conversationId: 'conv-a', messageId: 'm2', round: 0, index: 0, toolUseId: 't1', name: 'get_order_status', input: { orderId: '4711' }, status: 'success', result: { status: 'shipped' } });
  await store().putAnswer(ALICE, 'conv-a', 'm2', 'It shipped yesterday.', [{ documentId: 'shipping/tracking.md', title: 'Tracking' }], {}, { firstTokenMs: 240, profile: PROFILE });
  await costed(ALICE, 'conv-a', 'm2', 0.0201);
  await store().putRating(ALICE, { conversationId: 'conv-a', score: 4, comment: 'Quick, thanks Alice here' });

  clock = T0 + 3_600_000;
  await store().putUserMessage(ALICE, 'conv-b', 'm1', 'Ich will mit einem Menschen sprechen', 0, 'de');
  await handOff.handOff({ conversationId: 'conv-b', customer: { sub: ALICE, tier: 'standard', language: 'de' }, reason: 'human_requested', summary: 's', transcript: [], sentimentTrend: [] });
  await store().putAnswer(ALICE, 'conv-b', 'm1', tenantMessage('escalation_notice', 'de'));

  clock = T0 + 86_400_000;
  await store().putUserMessage(BOB, 'conv-a', 'm1', '¿Tienen tarjetas regalo?', 0, 'es');
  await store().putAnswer(BOB, 'conv-a', 'm1', tenantMessage('offer_human_agent', 'es'));
}

/** Sets an answer's `costUsd` as the turn's cost step stores it on the assistant item. */
async function costed(sub: string, conversationId: string, messageId: string, costUsd: number): Promise<void> {
  const found = await store().find(sub, conversationId, messageId);
  await client.send(new UpdateCommand({
    TableName: TABLE,
    Key: { pk: userKey(sub), sk: messageKey(conversationId, found!.answer!.createdAt, messageId, 'assistant') },
    UpdateExpression: 'SET costUsd = :c',
    ExpressionAttributeValues: { ':c': costUsd },
  }));
}

const pseudonymOf = (sub: string) => createHmac('sha256', KEY).update(sub).digest('hex');

/** A KEYS_ONLY stream record as Lambda delivers it. */
function streamRecord(pk: string, sk: string, sequence: number, eventName: 'INSERT' | 'MODIFY' = 'INSERT') {
  return { eventID: `e${sequence}`, eventName, dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, SequenceNumber: String(sequence).padStart(21, '0'), StreamViewType: 'KEYS_ONLY' } };
}

async function objects(): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const read = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
  const bodies = await Promise.all((listed.Contents ?? []).map(async (o) => [o.Key!, await read(o.Key!)] as const));
  return new Map(bodies);
}

describe('the conversation export (on moto)', () => {
  let exported: Map<string, string>;
  beforeAll(async () => {
    const event = {
      Records: [
        streamRecord(userKey(ALICE), 'CONV#conv-a#MSG#x#m1#u', 1), streamRecord(userKey(ALICE), 'CONV#conv-a#RATING', 2, 'MODIFY'),
        streamRecord(userKey(ALICE), 'CONV#conv-b#HANDOFF', 3), streamRecord(userKey(BOB), 'CONV#conv-a#ID#m1', 4),
        streamRecord(userKey(ALICE), 'BUDGET#2026-12-01', 5), streamRecord('RATE#x', 'MINUTE#2026-12-01T09:00', 6),
      ],
    } as unknown as DynamoDBStreamEvent;
    const result = await exportBatch(event, (ref) => exporter.export(ref));
    expect([result.written, result.skipped, result.failed, result.response.batchItemFailures]).toEqual([3, 0, 0, []]);
    exported = await objects();
  });

  test('one object per conversation and one per its turns, under the day it started, keyed by id and pseudonym prefix', () => {
    const [a, b] = [pseudonymOf(ALICE).slice(0, 16), pseudonymOf(BOB).slice(0, 16)];
    expect([...exported.keys()].sort()).toEqual([
      `conversations/date=2026-12-01/conv-a.${a}.json`, `conversations/date=2026-12-01/conv-b.${a}.json`, `conversations/date=2026-12-02/conv-a.${b}.json`,
      `turns/date=2026-12-01/conv-a.${a}.json`, `turns/date=2026-12-01/conv-b.${a}.json`, `turns/date=2026-12-02/conv-a.${b}.json`,
    ].sort());
  });

  test('the resolved, rated, costed conversation: its counts, times, topics (knowledge categories, the tool) and cost summed', () => {
    const record = JSON.parse(exported.get(`conversations/date=2026-12-01/conv-a.${pseudonymOf(ALICE).slice(0, 16)}.json`)!);
    expect(record).toEqual({
      conversation_id: 'conv-a',
      customer_pseudonym: pseudonymOf(ALICE),
      language: 'en',
      started_at: '2026-12-01T09:00:00.000Z',
      ended_at: '2026-12-01T09:00:03.000Z',
      turns: 2,
      answers: 2,
      resolved: true,
      escalated: false,
      escalation_reason: null,
      csat_score: 4,
      topics: ['get_order_status', 'policies', 'shipping'],
      cost_usd: 0.0324,
      costed_answers: 2,
    });
  });

  test('the handed-off conversation is escalated with its reason, not resolved; the unsupported one is not resolved either', () => {
    const b = JSON.parse(exported.get(`conversations/date=2026-12-01/conv-b.${pseudonymOf(ALICE).slice(0, 16)}.json`)!);
    expect([b.escalated, b.escalation_reason, b.resolved, b.language, b.csat_score, b.cost_usd]).toEqual([true, 'human_requested', false, 'de', null, null]);
    const bob = JSON.parse(exported.get(`conversations/date=2026-12-02/conv-a.${pseudonymOf(BOB).slice(0, 16)}.json`)!);
    expect([bob.escalated, bob.resolved, bob.language, bob.topics]).toEqual([false, false, 'es', []]);
  });

  test('one turn line per answer with the first-token time and profile the turn stored; null where the answer has none', () => {
    const lines = exported.get(`turns/date=2026-12-01/conv-a.${pseudonymOf(ALICE).slice(0, 16)}.json`)!.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { conversation_id: 'conv-a', answered_at: '2026-12-01T09:00:01.000Z', first_token_ms: null, profile: null },
      { conversation_id: 'conv-a', answered_at: '2026-12-01T09:00:03.000Z', first_token_ms: 240, profile: PROFILE },
    ]);
  });

  test('nothing in the bucket names a customer or repeats a text: no sub, no message, answer, comment or tool input', () => {
    const everything = [...exported.values()].join('\n');
    for (const secret of [ALICE, BOB, 'return my order', 'shipped yesterday', 'Quick, thanks', 'Menschen', 'tarjetas', '4711', KEY]) expect(everything).not.toContain(secret);
  });

  test('the privacy function finds each customer\'s exports as the exporter wrote them, by the same pseudonym: Bob\'s conv-a is not Alice\'s', async () => {
    const secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials });
    const pseudonyms = new CustomerPseudonyms(secrets, SECRET);
    const data = new CustomerData({
      conversationsTable: TABLE, documents: client, analytics: { bucket: BUCKET, s3, pseudonymOf: (sub) => pseudonyms.of(sub) },
    });
    const keysOf = async (sub: string) => (await data.read('analytics', sub, [])).map((r) => r.key).sort();
    const written = [...exported.keys()];
    expect(await keysOf(ALICE)).toEqual(written.filter((k) => k.includes(pseudonymOf(ALICE).slice(0, 16))).sort());
    expect(await keysOf(ALICE)).toHaveLength(4);
    expect(await keysOf(BOB)).toEqual(written.filter((k) => k.includes(pseudonymOf(BOB).slice(0, 16))).sort());
    expect(await keysOf(BOB)).toHaveLength(2);
    secrets.destroy();
  });

  test('exporting again writes the same bytes to the same keys (idempotent); a conversation with no message left is skipped', async () => {
    await exporter.export({ sub: ALICE, conversationId: 'conv-a' });
    expect(await objects()).toEqual(exported);
    expect(await exporter.export({ sub: ALICE, conversationId: 'never-written' })).toBe('skipped');
    expect((await objects()).size).toBe(exported.size);
  });
});

describe('a batch with a failure (on moto)', () => {
  test('the earliest record of a failed conversation is reported; the others are exported', async () => {
    const event = { Records: [streamRecord(userKey(BOB), 'CONV#conv-a#MSG#1', 11), streamRecord(userKey(ALICE), 'CONV#conv-b#MSG#1', 12), streamRecord(userKey(ALICE), 'CONV#conv-a#MSG#2', 13)] };
    const seen: string[] = [];
    const result = await exportBatch(event as unknown as DynamoDBStreamEvent, async (ref) => {
      seen.push(ref.conversationId + ref.sub.slice(0, 2));
      if (ref.sub === ALICE) throw new Error('S3 unavailable');
      return exporter.export(ref);
    });
    expect(seen.sort()).toEqual(['conv-a0f', 'conv-a7c', 'conv-b0f']);
    expect(result.response.batchItemFailures).toEqual([{ itemIdentifier: String(12).padStart(21, '0') }]);
    expect([result.written, result.failed]).toEqual([1, 2]);
  });

  test('a pseudonym key that cannot be read fails the conversation: nothing is written', async () => {
    const broken = new ConversationExporter({
      tableName: TABLE,
      dynamodb: client,
      s3,
      secrets: new SecretsManagerClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials }),
      bucket: BUCKET,
      pseudonymSecretId: 'no-such-secret',
    });
    const before = await objects();
    await expect(broken.export({ sub: ALICE, conversationId: 'conv-a' })).rejects.toThrow(/can't find|ResourceNotFound|not found/i);
    expect(await objects()).toEqual(before);
  });
});
