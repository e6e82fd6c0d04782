import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CSAT_METRICS, SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';
import { METRIC_CATALOG } from '../../../../dashboards/metrics/catalog';
import { checkRating, MAX_COMMENT_CHARACTERS, ratingKey } from '../../../../workloads/support-chat/analytics/handlers/lib/rating';
import { userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { createTelemetry, recordTurn } from '../../../../workloads/support-chat/chat/handlers/lib/telemetry';
import { checkMessage } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import { type ChatLocal, LOCAL_CREDENTIALS, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import type { TestClient } from '../../../emulators/ws-client';
import { ask, userOf } from '../support/chat-session';

/**
 * CSAT: the `rate` action through the whole local path (the local gateway, the real relay and turn, the DynamoDB
 * emulator): one final frame per rating, stored in the customer's own partition only, the last rating kept; and the
 * EMF the turn function prints for it (Powertools' real output, captured).
 */

let chat: ChatLocal;
let table: DynamoDBDocumentClient;

beforeAll(async () => {
  chat = await startChatLocal();
  table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: chat.dynamodb.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS }));
});

afterAll(async () => chat?.close());

/** Sends a `rate` and returns the one frame that answers it. */
async function rate(client: TestClient, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  client.ws.send(JSON.stringify({ action: 'rate', ...body }));
  return JSON.parse(await client.nextMessage(10_000)) as Record<string, unknown>;
}

const storedRating = async (sub: string, conversationId: string) =>
  (await table.send(new GetCommand({
    TableName: chat.dynamodb.tableName, Key: { pk: userKey(sub), sk: ratingKey(conversationId) }, ConsistentRead: true,
  }))).Item;

describe('the rating a message carries', () => {
  test.each([
    [{ conversationId: 'c1', score: 5 }, { conversationId: 'c1', score: 5 }],
    [{ conversationId: 'c1', score: 1, comment: 'Too slow' }, { conversationId: 'c1', score: 1, comment: 'Too slow' }],
    [{ conversationId: 'c1', score: 3, comment: '   ' }, { conversationId: 'c1', score: 3 }],
  ])('%j is a rating', (message, rating) => expect(checkRating(message)).toEqual({ ok: true, rating }));

  test.each([
    [{ conversationId: 'c1', score: 0 }, 'bad_score'], [{ conversationId: 'c1', score: 6 }, 'bad_score'], [{ conversationId: 'c1', score: 4.5 }, 'bad_score'],
    [{ conversationId: 'c1', score: '5' }, 'bad_score'], [{ conversationId: 'c1', score: true }, 'bad_score'], [{ conversationId: 'c1' }, 'bad_score'],
    [{ conversationId: 'c1', score: Number.NaN }, 'bad_score'], [{ conversationId: 'c*', score: 5 }, 'bad_ids'], [{ score: 5 }, 'bad_ids'],
    [{ conversationId: 'c1', score: 5, comment: 7 }, 'bad_comment'], [{ conversationId: 'c1', score: 5, comment: 'x'.repeat(MAX_COMMENT_CHARACTERS + 1) }, 'bad_comment'],
  ])('%# is refused: %s', (message, problem) => expect(checkRating(message)).toEqual({ ok: false, problem }));

  test('the relay hands a rating to the turn with the messageId `rate`, and refuses a malformed one before the turn', () => {
    expect(checkMessage(JSON.stringify({ action: 'rate', conversationId: 'c1', score: 4, comment: 'ok', language: 'de' }))).toEqual({
      ok: true, language: 'de', request: { action: 'rate', conversationId: 'c1', messageId: 'rate', score: 4, comment: 'ok', language: 'de' },
    });
    const refused = checkMessage(JSON.stringify({ action: 'rate', conversationId: 'c1', score: 9 }));
    expect(refused).toMatchObject({ ok: false, ids: { conversationId: 'c1', messageId: 'rate' }, refusal: { code: 'bad_request' } });
  });
});

describe('rate through the relay and the turn (chat:local on the emulators)', () => {
  test('the customer rates their conversation: `rated`, stored with the conversation; the last rating wins', async () => {
    const alice = userOf(chat);
    const client = await alice.connect();
    const conversationId = `c-${randomUUID()}`;
    const answer = await ask(client, { conversationId, messageId: 'm1', text: 'Where is my parcel?' });
    expect(answer[answer.length - 1].type).toBe('done');
    expect(await rate(client, { conversationId, score: 2, comment: 'Not what I asked' })).toEqual({ type: 'rated', conversationId, messageId: 'rate', seq: 0, score: 2 });
    expect(await storedRating(alice.sub, conversationId)).toMatchObject({ conversationId, score: 2, comment: 'Not what I asked' });
    expect(await rate(client, { conversationId, score: 5 })).toMatchObject({ type: 'rated', score: 5 });
    const last = await storedRating(alice.sub, conversationId);
    expect([last?.score, last?.comment]).toEqual([5, undefined]);
    client.ws.close();
  });

  test('another customer cannot rate it: `bad_request`, as for a conversation that does not exist, and nothing is stored for either', async () => {
    const alice = userOf(chat);
    const mallory = userOf(chat);
    const conversationId = `c-${randomUUID()}`;
    const aliceClient = await alice.connect();
    await ask(aliceClient, { conversationId, messageId: 'm1', text: 'Hello' });
    const client = await mallory.connect();
    const foreign = await rate(client, { conversationId, score: 1 });
    const unknown = await rate(client, { conversationId: `c-${randomUUID()}`, score: 1 });
    expect([foreign.type, foreign.code, foreign.messageId]).toEqual(['error', 'bad_request', 'rate']);
    expect([unknown.type, unknown.code]).toEqual(['error', 'bad_request']);
    expect(foreign.message).toBe(unknown.message);
    expect(await storedRating(alice.sub, conversationId)).toBeUndefined();
    expect(await storedRating(mallory.sub, conversationId)).toBeUndefined();
    client.ws.close();
    aliceClient.ws.close();
  });

  test('a malformed rating is refused by the relay (the turn never runs), in the message\'s language', async () => {
    const client = await userOf(chat).connect();
    const turnsBefore = chat.turns.length;
    const frame = await rate(client, { conversationId: 'c1', score: 10, language: 'fr' });
    expect([frame.type, frame.code, frame.messageId, frame.seq]).toEqual(['error', 'bad_request', 'rate', 0]);
    expect(frame.message).not.toBe((await rate(client, { conversationId: 'c1', score: 10 })).message);
    expect(chat.turns.length).toBe(turnsBefore);
    client.ws.close();
  });
});

describe('the CSAT metrics', () => {
  const printedEmf = (work: () => void) => {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      work();
    } finally {
      spy.mockRestore();
    }
    return chunks.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>).filter((d) => d._aws);
  };

  test('a stored rating is one EMF document with Ratings 1 and CsatScore, and no Turns (the error and success rates stay the turns\')', () => {
    const docs = printedEmf(() => recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, { result: 'rated', rating: { result: 'rated', score: 4 } }));
    expect(docs).toHaveLength(1);
    expect(docs[0]._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(['CsatScore', 'Ratings']);
    expect([docs[0].Ratings, docs[0].CsatScore, docs[0].service, docs[0].Turns]).toEqual([1, 4, SUPPORT_CHAT_SERVICES.turn, undefined]);
  });

  test('a refused rating counts Ratings 0 and no score', () => {
    const docs = printedEmf(() => recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, { result: 'refused', code: 'bad_request', rating: { result: 'refused', code: 'bad_request' } }));
    expect(docs.map((d) => [d.Ratings, d.CsatScore])).toEqual([[0, undefined]]);
  });

  test('the metric catalog lists both', () => {
    const names = new Set(METRIC_CATALOG.map((m) => `${m.namespace}:${m.metricName}`));
    expect(Object.keys(CSAT_METRICS).filter((m) => !names.has(`SupportChat:${m}`))).toEqual([]);
  });
});
