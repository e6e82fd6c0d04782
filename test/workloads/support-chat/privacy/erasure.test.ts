import { createHmac } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, ListObjectVersionsCommand,
  PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { applyPiiEntities, DEFAULT_EMULATED_PII } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../../emulators/dynamodb/dynamodb-emulator';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { WebhookReceiver } from '../../../../emulators/webhook-receiver/webhook-receiver';
import { BudgetCounter, budgetDay } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { budgetKey, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { RelayRateGate } from '../../../../workloads/support-chat/chat/handlers/lib/relay-rate';
import { HAND_OFF_EVENT, type HandOffDetail } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-events';
import { buildHandOff } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-record';
import { HandOffService } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-service';
import { openTicket } from '../../../../workloads/support-chat/handoff/handlers/lib/ticket-connector';
import { conversationTableInput } from '../../../../workloads/support-chat/local/local-resources';
import { answerPrivacyRequest, privacyServiceOf } from '../../../../workloads/support-chat/privacy/handlers/privacy';
import { runPrivacyCli } from '../../../../workloads/support-chat/privacy/local/privacy-cli';


/*
 * Export and erasure of one customer's data against the stores the tenant writes, each seeded by the tenant's own code:
 * the conversation store (messages, idempotency records, a tool call), the hand-off service (state with the published
 * hand-off) and the ticket connector (through the webhook receiver), the budget counter and the relay's rate gate, all on
 * the DynamoDB emulator; the analytics exports in a versioned moto S3 bucket; the hand-off bus, the subject key secret on
 * moto; and the invocation-log archive (a moto bucket with Object Lock, compliance mode) holding the answer call as
 * Bedrock logs it with text delivery on. After an erasure, every table and every object version is scanned for the
 * customer's id, e-mail address and a planted phrase: only the other customer's data remains, the audit record names the
 * customer by a keyed hash only, and exactly what ADR 29 says must stay stays: the archived invocation log, undeletable.
 */

const REGION = 'eu-central-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const CONVERSATIONS = 'support-chat-conversations';
const PRIVACY = 'support-chat-privacy';
const BUCKET = 'support-chat-analytics';
const BUS = 'support-chat';
/** The log-archive bucket BL-LOG-1 replicates invocation logs into: Object Lock, compliance mode. */
const ARCHIVE = 'genai-governance-invocation-logs-archive';
/** The analytics' pseudonym key: its exports are named `<conversationId>.<HMAC-SHA-256 of the sub, first 16 hex>.json`. */
const PSEUDONYM_SECRET = 'support-chat/analytics-pseudonym-key';
const PSEUDONYM_KEY = 'p'.repeat(40);
const pseudonym16 = (sub: string) => createHmac('sha256', PSEUDONYM_KEY).update(sub).digest('hex').slice(0, 16);
const OFFICER = 'arn:aws:sts::111122223333:assumed-role/support-chat-privacy-officer/jane';

const ANNA = { sub: '0f8fad5b-d9cb-469f-a165-70867728950e', email: 'anna.kowalska@example.org', phrase: 'PURPLE-OTTER-42' };
const BEN = { sub: '7c9e6679-7425-40de-944b-e07fc1f90ae7', email: 'ben.miller@example.net', phrase: 'GREEN-HERON-17' };

let dynamo: LocalDynamoDb;
let moto: MotoServer;
let webhook: WebhookReceiver;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let s3: S3Client;
let secrets: SecretsManagerClient;
let events: EventBridgeClient;
let clock = Date.parse('2026-12-07T10:00:00Z');
const now = () => clock;

beforeAll(async () => {
  [dynamo, moto] = await Promise.all([startLocalDynamoDb(), startMoto()]);
  webhook = new WebhookReceiver({ apiKey: 'webhook-key' });
  await webhook.start();
  raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS });
  documents = DynamoDBDocumentClient.from(raw);
  const aws = { endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS };
  s3 = new S3Client({ ...aws, forcePathStyle: true });
  secrets = new SecretsManagerClient(aws);
  events = new EventBridgeClient(aws);
  await raw.send(new CreateTableCommand(conversationTableInput(CONVERSATIONS)));
  await raw.send(new CreateTableCommand(conversationTableInput(PRIVACY)));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  const location = { LocationConstraint: REGION } as const;
  await s3.send(new CreateBucketCommand({ Bucket: ARCHIVE, CreateBucketConfiguration: location, ObjectLockEnabledForBucket: true }));
  await secrets.send(new CreateSecretCommand({ Name: 'support-chat-privacy-subject-key', SecretString: 'k'.repeat(24) + 'a-test-key-of-48-bytes--' }));
  await secrets.send(new CreateSecretCommand({ Name: PSEUDONYM_SECRET, SecretString: PSEUDONYM_KEY }));
  await events.send(new CreateEventBusCommand({ Name: BUS }));
});

afterAll(async () => {
  for (const client of [raw, s3, secrets, events]) client?.destroy();
  await webhook?.close();
  await Promise.all([dynamo?.stop(), moto?.stop()]);
});

const ENV = {
  CONVERSATIONS_TABLE_NAME: CONVERSATIONS,
  PRIVACY_TABLE_NAME: PRIVACY,
  SUBJECT_KEY_SECRET_ID: 'support-chat-privacy-subject-key',
  ANALYTICS_BUCKET_NAME: BUCKET,
  ANALYTICS_PSEUDONYM_SECRET_ID: PSEUDONYM_SECRET,
};

/** Rejects the `failAt`-th request any of these clients sends (1 first), before it leaves: a store that fails midway. */
function failingAt(failAt: number, ...clients: { middlewareStack: DynamoDBClient['middlewareStack'] | S3Client['middlewareStack'] }[]) {
  let sent = 0;
  const count = { get sent() { return sent; } };
  for (const client of clients) {
    (client.middlewareStack as DynamoDBClient['middlewareStack']).add((next) => async (args) => {
      sent++;
      if (sent === failAt) throw Object.assign(new Error('injected: the store did not answer'), { name: 'ServiceUnavailable' });
      return next(args);
    }, { step: 'initialize', name: `fault-${Math.random()}` });
  }
  return count;
}

/** The privacy function's answer, with clients whose requests `failAt` (0: none) rejects. */
async function privacy(event: Record<string, unknown>, failAt = 0) {
  const dataRaw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS });
  const dataS3 = new S3Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
  const count = failingAt(failAt, dataRaw, dataS3);
  try {
    const answer = await answerPrivacyRequest(
      { requestedBy: OFFICER, ...event },
      () => privacyServiceOf(ENV, { documents: DynamoDBDocumentClient.from(dataRaw), privacyDocuments: documents, s3: dataS3, secrets }),
    );
    return { answer, sent: count.sent };
  } finally {
    dataRaw.destroy();
    dataS3.destroy();
  }
}

/** Writes one customer's data into every store, each through the code that writes it in the tenant. */
async function seed(customer: typeof ANNA, conversations: readonly string[]): Promise<void> {
  const store = new ConversationStore({ tableName: CONVERSATIONS, client: documents, retentionDays: 90, now });
  const handOffs = new HandOffService({
    tableName: CONVERSATIONS,
    clientFor: async () => documents,
    events,
    busName: BUS,
    retentionDays: 90,
    now,
    policy: { unresolvedTurns: 3, refundApprovalThreshold: 200 },
  });
  // The turn stores and sends a message as ApplyGuardrail returns it (ADR 36): here the Bedrock emulator's stand-in,
  // which anonymises the e-mail address as the example guardrail does; the code word is nothing it recognises.
  const sent = applyPiiEntities(`Hi, I am ${customer.email}; the code word is ${customer.phrase}`, DEFAULT_EMULATED_PII).output;
  for (const conversationId of conversations) {
    clock += 1000;
    await store.putUserMessage(customer.sub, conversationId, 'm1', sent, 0, 'en');
    clock += 1000;
    await store.putAnswer(customer.sub, conversationId, 'm1', `Thanks, ${customer.email}. Your order 4711 is on its way.`);
    await store.putToolCall(customer.sub, {
      conversationId,
      messageId: 'm1',
      round: 0,
      index: 0,
      toolUseId: 'tool-1',
      name: 'get_order_status',
      input: { orderNumber: '4711' },
      status: 'success',
      result: { orders: [{ orderNumber: '4711', status: 'shipped', note: customer.phrase }] },
    });
    const messages = await store.history(customer.sub, conversationId, 20);
    const handOff = buildHandOff({ conversationId, customer: { sub: customer.sub, tier: 'standard', language: 'en' }, reason: 'human_requested', messages });
    // Two hand-offs of the conversation (an agent closed the first), so two ticket records.
    for (const round of [1, 2]) {
      if (round === 2) {
        await handOffs.close(customer.sub, conversationId);
        clock += 1000;
      }
      await handOffs.handOff(handOff);
      const detail: HandOffDetail = { ...handOff, handOffId: `${customer.sub}:${conversationId}:${clock}` };
      const ticket = await openTicket(
        { messageId: `sqs-${conversationId}-${round}`, body: JSON.stringify({ 'source': HAND_OFF_EVENT.source, 'detail-type': HAND_OFF_EVENT.detailType, detail }) },
        { tableName: CONVERSATIONS, client: documents, webhookUrl: webhook.url, apiKey: async () => 'webhook-key', now },
      );
      expect(ticket.kind).toBe('created');
    }
    // The analytics exports as the export function names them: a conversation record and its turns, each re-written.
    for (const prefix of ['conversations/', 'turns/']) {
      for (const version of ['v1', 'v2']) {
        await s3.send(new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${prefix}date=2026-12-07/${conversationId}.${pseudonym16(customer.sub)}.json`,
          Body: JSON.stringify({ conversationId, version, firstMessage: `the code word is ${customer.phrase}` }),
        }));
      }
    }
  }
  // An export of a conversation whose items already expired: found by the pseudonym alone.
  await s3.send(new PutObjectCommand({
    Bucket: BUCKET,
    Key: `conversations/date=2026-09-01/expired-c9.${pseudonym16(customer.sub)}.json`,
    Body: JSON.stringify({ conversationId: 'expired-c9', firstMessage: `the code word is ${customer.phrase}` }),
  }));
  // The turn's answer call as BL-LOG-1 archives it with text delivery on (the record shape of Bedrock's invocation log).
  await s3.send(new PutObjectCommand({
    Bucket: ARCHIVE,
    Key: `AWSLogs/111122223333/BedrockModelInvocationLogs/eu-central-1/2026/12/07/10/${customer.sub.slice(0, 8)}-${clock}.json.gz`,
    Body: JSON.stringify({
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: new Date(clock).toISOString(),
      accountId: '111122223333',
      region: REGION,
      operation: 'ConverseStream',
      modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      identity: { arn: `arn:aws:sts::111122223333:assumed-role/support-chat-turn-eu-central-1/${customer.sub}` },
      input: { inputContentType: 'application/json', inputBodyJson: { messages: [{ role: 'user', content: [{ text: sent }] }] } },
    }),
    ObjectLockMode: 'COMPLIANCE',
    ObjectLockRetainUntilDate: new Date(Date.now() + 2557 * 86_400_000),
  }));
  const budget = { pk: userKey(customer.sub), sk: budgetKey(budgetDay(clock)) };
  await new BudgetCounter({ tableName: CONVERSATIONS, client: documents, now }).reserve(budget, 500, 100_000);
  await new RelayRateGate({ tableName: CONVERSATIONS, client: documents, limit: async () => 20, now }).admit(customer.sub);
}

/** Every item of every table and every version of every object, as text. */
async function everything(): Promise<{ tables: Record<string, string>; objects: Record<string, string> }> {
  const tables: Record<string, string> = {};
  // The emulator serves no ListTables: the suite's two tables are every table there is.
  for (const name of [CONVERSATIONS, PRIVACY]) {
    // Sorted: the emulator's Scan order across partitions is not stable.
    tables[name] = ((await raw.send(new ScanCommand({ TableName: name }))).Items ?? []).map((i) => JSON.stringify(i)).sort().join('\n');
  }
  const objects: Record<string, string> = {};
  for (const bucket of (await s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket.Name }));
    for (const version of listing.Versions ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket.Name, Key: version.Key, VersionId: version.VersionId }));
      objects[`${bucket.Name}/${version.Key}@${version.VersionId}`] = `${version.Key} ${await object.Body!.transformToString()}`;
    }
  }
  return { tables, objects };
}

function traces(text: string, customer: typeof ANNA): string[] {
  return [customer.sub, customer.email, customer.phrase].filter((t) => text.includes(t));
}

describe('privacy: export and erasure of one customer across every store the tenant writes (on the DynamoDB emulator and moto)', () => {
  test('export returns the customer\'s records from every store and nothing of another customer', async () => {
    await seed(ANNA, ['anna-c1', 'anna-c2']);
    await seed(BEN, ['ben-c1', 'anna-c1']);
    const { answer } = await privacy({ action: 'export', requestId: 'export-1', sub: ANNA.sub });
    expect(answer).toMatchObject({ status: 'completed', action: 'export' });
    const data = answer.data!;
    // Per conversation: message, answer, 2 idempotency records... (user message, answer, its record), a tool call, the
    // hand-off state; plus the day's budget counter.
    expect(Object.fromEntries(Object.entries(data).map(([store, records]) => [store, records.length]))).toEqual({
      'analytics': 2 * 4 + 1, 'tickets': 2 * 2, 'relay-rate': 1, 'conversations': 2 * 5 + 1,
    });
    const text = JSON.stringify(data);
    expect(traces(text, ANNA)).toEqual([ANNA.sub, ANNA.email, ANNA.phrase]);
    expect(traces(text, BEN)).toEqual([]);
    expect(data.tickets!.map((t) => t.ticketId)).toEqual(Array.from({ length: 4 }, () => expect.stringMatching(/^T-/)));
    expect(new Set(data.tickets!.map((t) => t.ticketId)).size).toBe(4);
  });

  test('a legal hold refuses the erasure before anything is deleted; released, the erasure runs', async () => {
    const held = await privacy({ action: 'hold', requestId: 'hold-1', sub: ANNA.sub, caseReference: 'CASE-2026/118' });
    expect(held.answer).toMatchObject({ status: 'completed' });
    const before = await everything();
    const refused = await privacy({ action: 'erase', requestId: 'erase-held', sub: ANNA.sub });
    expect(refused.answer).toMatchObject({ status: 'refused', code: 'legal_hold' });
    expect(refused.answer.message).toContain('CASE-2026/118');
    expect(refused.sent).toBe(0);
    const after = await everything();
    // Only the audit record of the refused request was added.
    expect(after.tables[CONVERSATIONS] === before.tables[CONVERSATIONS]).toBe(true);
    expect(Object.keys(after.objects)).toEqual(Object.keys(before.objects));
    expect((await privacy({ action: 'release', requestId: 'release-1', sub: ANNA.sub })).answer).toMatchObject({ status: 'completed' });
  });

  test('erasure leaves no trace of the customer in any table or object version; the other customer is untouched', async () => {
    const { answer } = await privacy({ action: 'erase', requestId: 'erase-1', sub: ANNA.sub });
    expect(answer).toMatchObject({ status: 'completed', erased: { 'analytics': 9, 'tickets': 4, 'relay-rate': 1, 'conversations': 11 } });
    const { tables, objects } = await everything();
    const archived = Object.keys(objects).filter((name) => name.startsWith(`${ARCHIVE}/`));
    for (const [name, text] of [...Object.entries(tables), ...Object.entries(objects)]) {
      if (!archived.includes(name)) expect({ name, traces: traces(text, ANNA) }).toEqual({ name, traces: [] });
    }
    // What ADR 29 says stays: the invocation-log archive under Object Lock, with her words as the turn sent them, and
    // nobody can delete it before its retention date (moto enforces the lock; that AWS does is its documented guarantee).
    // Her e-mail address was redacted before the call; her id (the turn's role session) and the code word were not.
    expect(archived.map((name) => traces(objects[name], ANNA)).filter((found) => found.length > 0)).toEqual([[ANNA.sub, ANNA.phrase]]);
    for (const name of archived.filter((n) => objects[n].includes(ANNA.sub))) {
      const [key, versionId] = name.slice(ARCHIVE.length + 1).split('@');
      await expect(s3.send(new DeleteObjectCommand({ Bucket: ARCHIVE, Key: key, VersionId: versionId }))).rejects.toThrow(/Access Denied|locked/i);
    }
    expect(traces(tables[CONVERSATIONS], BEN)).toEqual([BEN.sub, BEN.email, BEN.phrase]);
    // Ben's exports, his conversation named like one of Anna's included: 2 conversations × 2 prefixes × 2 versions, and his expired one.
    expect(Object.keys(objects).filter((k) => k.includes(pseudonym16(BEN.sub)))).toHaveLength(9);
    expect(Object.keys(objects).filter((k) => k.includes(`anna-c1.${pseudonym16(BEN.sub)}`))).toHaveLength(4);
    // The audit records of Anna's requests: who, when, what, how it ended, by the keyed hash of her id.
    const audit = JSON.parse(JSON.stringify((await raw.send(new ScanCommand({ TableName: PRIVACY }))).Items)) as Record<string, { S?: string }>[];
    expect(audit.map((r) => `${r.requestId.S} ${r.status.S}`).sort()).toEqual([
      'erase-1 completed', 'erase-held refused', 'export-1 completed', 'hold-1 completed', 'release-1 completed',
    ]);
    expect(new Set(audit.map((r) => r.subjectHash.S))).toEqual(new Set([answer.subjectHash]));
    expect(answer.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.every((r) => r.requestedBy.S === OFFICER)).toBe(true);
  });

  test('the same erasure again replays its answer; an export after it finds nothing', async () => {
    const again = await privacy({ action: 'erase', requestId: 'erase-1', sub: ANNA.sub });
    expect(again.answer).toMatchObject({ status: 'completed', replayed: true, erased: { conversations: 11 } });
    expect(again.sent).toBe(0);
    const { answer } = await privacy({ action: 'export', requestId: 'export-2', sub: ANNA.sub });
    expect(answer.data).toEqual({ 'analytics': [], 'tickets': [], 'relay-rate': [], 'conversations': [] });
  });

  test('a fault at every request of an erasure stops it with one answer naming the store; the same id again completes it', async () => {
    await seed(ANNA, ['anna-c3']);
    const stopped = new Set<string>();
    for (let failAt = 1; ; failAt++) {
      const requestId = `erase-fault-${failAt}`;
      const first = await privacy({ action: 'erase', requestId, sub: ANNA.sub }, failAt);
      if (first.answer.status === 'completed') {
        expect(first.sent).toBeLessThan(failAt);
        break;
      }
      expect(first.answer).toMatchObject({ status: 'failed', code: 'store_failed' });
      expect(first.answer.message).toContain('Send the same request id again to resume');
      stopped.add(first.answer.store!);
      const second = await privacy({ action: 'erase', requestId, sub: ANNA.sub });
      // Over both attempts, each record was deleted and counted once: the seed's every record (a scan follows the loop).
      expect({ failAt, answer: second.answer }).toMatchObject({
        failAt, answer: { status: 'completed', erased: { 'analytics': 5, 'tickets': 2, 'relay-rate': 1, 'conversations': 6 } },
      });
      await seed(ANNA, ['anna-c3']);
    }
    expect([...stopped].sort()).toEqual(['analytics', 'conversations', 'relay-rate', 'tickets']);
    const { tables, objects } = await everything();
    const outsideArchive = Object.entries(objects).filter(([name]) => !name.startsWith(`${ARCHIVE}/`));
    expect(traces(JSON.stringify({ tables, outsideArchive }), ANNA)).toEqual([]);
    expect(traces(tables[CONVERSATIONS], BEN)).toEqual([BEN.sub, BEN.email, BEN.phrase]);
  });

  test('bad requests get a clear refusal and touch nothing; a request id reused for another customer is refused', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ action: 'erase', requestId: 'r-1', sub: 'USER#*' }, 'sub must be a Cognito sub'],
      [{ action: 'delete', requestId: 'r-1', sub: ANNA.sub }, 'action must be one of export, erase, hold, release'],
      [{ action: 'erase', requestId: 'a b', sub: ANNA.sub }, 'requestId must be'],
      [{ action: 'erase', requestId: 'r-1', sub: ANNA.sub, requestedBy: 'jane' }, 'requestedBy must be the caller\'s IAM ARN'],
      [{ action: 'hold', requestId: 'r-1', sub: ANNA.sub, caseReference: 'because Anna Kowalska sued' }, 'caseReference must be'],
      [{ action: 'erase', requestId: 'r-1', sub: ANNA.sub, everything: true }, 'unknown field(s): "everything"'],
    ];
    for (const [event, message] of cases) {
      const { answer, sent } = await privacy(event);
      expect(answer).toMatchObject({ status: 'invalid', code: 'invalid_request' });
      expect(answer.message).toContain(message);
      expect(answer.message).not.toContain('USER#*');
      expect(sent).toBe(0);
    }
    const conflict = await privacy({ action: 'erase', requestId: 'erase-1', sub: BEN.sub });
    expect(conflict.answer).toMatchObject({ status: 'refused', code: 'request_id_conflict' });
    expect(conflict.sent).toBe(0);
    expect(traces(JSON.stringify(await everything()), BEN)).toEqual([BEN.sub, BEN.email, BEN.phrase]);
  });

  test('a privacy table or key that fails gets the internal answer, never an exception', async () => {
    const answer = await answerPrivacyRequest({ action: 'erase', requestId: 'erase-x', sub: BEN.sub, requestedBy: OFFICER },
      () => privacyServiceOf({ ...ENV, SUBJECT_KEY_SECRET_ID: 'no-such-secret' }, { documents, s3, secrets }));
    expect(answer).toMatchObject({ status: 'failed', code: 'internal', message: expect.stringContaining('send the same request id again') });
    const missing = await answerPrivacyRequest({ action: 'export', requestId: 'export-x', sub: BEN.sub, requestedBy: OFFICER },
      () => privacyServiceOf({ PRIVACY_TABLE_NAME: PRIVACY }, { documents, s3, secrets }));
    expect(missing).toMatchObject({ status: 'failed', code: 'internal' });
  });

  test('a customer with no conversation, without the pseudonym key, costs the analytics bucket no request; with it, the exports are listed', async () => {
    const nobody = '3b241101-e2bb-4255-8caf-4136c566a962';
    const listings = async (env: typeof ENV | Omit<typeof ENV, 'ANALYTICS_PSEUDONYM_SECRET_ID'>, requestId: string) => {
      const dataS3 = new S3Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
      const sent: string[] = [];
      dataS3.middlewareStack.add((next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      }, { step: 'initialize', name: 'count-s3' });
      try {
        const answer = await answerPrivacyRequest({ action: 'erase', requestId, sub: nobody, requestedBy: OFFICER },
          () => privacyServiceOf(env, { documents, s3: dataS3, secrets }));
        return { answer, sent };
      } finally {
        dataS3.destroy();
      }
    };
    const { ANALYTICS_PSEUDONYM_SECRET_ID: _, ...byIdsOnly } = ENV;
    const short = await listings(byIdsOnly, 'erase-nobody-1');
    expect(short.answer).toMatchObject({ status: 'completed', erased: { 'analytics': 0, 'tickets': 0, 'relay-rate': 0, 'conversations': 0 } });
    expect(short.sent).toEqual([]);
    // With the key, the exports of conversations whose items expired are found by the pseudonym: both prefixes are listed.
    const listed = await listings(ENV, 'erase-nobody-2');
    expect(listed.answer).toMatchObject({ status: 'completed', erased: { analytics: 0 } });
    expect(listed.sent).toEqual(['ListObjectVersionsCommand', 'ListObjectVersionsCommand']);
  });

  test('the CLI sends the caller\'s ARN, prints the one answer and exits 0 completed, 2 refused, 1 for a bad command', async () => {
    const sts = new STSClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    const lines: string[] = [];
    const files: Record<string, string> = {};
    const requests: Record<string, unknown>[] = [];
    const ports = {
      callerArn: async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn!,
      invoke: async (request: Record<string, unknown>) => {
        requests.push(request);
        return (await privacy(request)).answer;
      },
      print: (line: string) => lines.push(line),
      writeFile: (file: string, text: string) => { files[file] = text; },
    };
    try {
      expect(await runPrivacyCli(['export', '--sub', BEN.sub, '--out', 'ben.json'], ports)).toBe(0);
      expect(requests[0]).toMatchObject({ action: 'export', sub: BEN.sub, requestId: expect.stringMatching(/^export-[0-9a-f-]{36}$/), requestedBy: expect.stringMatching(/^arn:aws:(sts|iam)::\d{12}:/) });
      expect(lines[0]).toBe(`request ${String(requests[0].requestId)}`);
      expect(JSON.parse(files['ben.json']).data.conversations.length).toBe(11);
      expect(await runPrivacyCli(['hold', '--sub', BEN.sub, '--case', 'CASE-7'], ports)).toBe(0);
      expect(await runPrivacyCli(['erase', '--sub', BEN.sub, '--request-id', 'erase-ben'], ports)).toBe(2);
      expect(lines.at(-2)).toContain('refused (legal_hold)');
      expect(await runPrivacyCli(['erase', '--sub', 'not-a-sub'], ports)).toBe(1);
      const sent = requests.length;
      expect(await runPrivacyCli(['forget', '--sub', BEN.sub], ports)).toBe(1);
      expect(await runPrivacyCli(['erase'], ports)).toBe(1);
      expect(await runPrivacyCli(['erase', '--sub', BEN.sub, '--all'], ports)).toBe(1);
      expect(requests.length).toBe(sent);
    } finally {
      sts.destroy();
    }
  });
});
