import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BEDROCK_FAULTS, type BedrockBehaviour, type BedrockRequestRecord, THROTTLE } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { inferenceProfileIds } from '../../../../policies/approved-inference';
import { BudgetCounter, budgetDay } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { budgetKey, userKey } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import type { ErrorFrame, Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { TURN_BREAKER } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';
import { type ChatLocal, type ChatLocalOptions, LOCAL_CREDENTIALS, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { connect, refusedStatus } from '../../../emulators/ws-client';
import { exampleConfig } from '../../../support/example-config';
import { ask, textOf, userOf } from '../support/chat-session';

/*
 * The support-chat path end to end through the local harness (`startChatLocal`): a `ws` client, the local gateway with
 * the real $connect authorizer, the real relay posting through the real ApiGatewayManagementApiClient, the real turn
 * (`runTurn` with `turnDependencies`) against the conversation table on the DynamoDB emulator (emulators/dynamodb) and the Bedrock emulator. Questions that
 * name a complaint are routed to the capable profile by the emulated classifier (`local-classifier.ts`), so the tests
 * script that profile.
 */

/** A question the local classifier labels `complaint` (complex: the capable profile). */
const COMPLAINT = 'My parcel arrived damaged and I want a refund.';
/** A question it labels `order_status` (simple: the fast profile). */
const ORDER_STATUS = 'Where is my order 40412?';

const seqsOf = (frames: Frame[]) => frames.map((f) => f.seq);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);
const streamsTo = (chat: ChatLocal, modelId: string) => emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream' && r.modelId === modelId);

function emulatorOf(chat: ChatLocal) {
  if (!chat.emulator) throw new Error('these tests run on the emulator');
  return chat.emulator;
}

/** A reader of the conversation table on the DynamoDB emulator, with the store's and the counter's own code. */
function storeOf(chat: ChatLocal): { store: ConversationStore; counter: BudgetCounter; destroy: () => void } {
  const raw = new DynamoDBClient({ endpoint: chat.dynamodb.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw);
  const store = new ConversationStore({ tableName: chat.dynamodb.tableName, client, retentionDays: 90 });
  return { store, counter: new BudgetCounter({ tableName: chat.dynamodb.tableName, client }), destroy: () => raw.destroy() };
}

type Reader = ReturnType<typeof storeOf>;

/**
 * Starts the tenant for the enclosing `describe` (with `options`) and a reader of its table, hands both to `use` once
 * started, scripts the emulator afresh before each test, and stops everything after the block.
 */
function useChatLocal(use: (chat: ChatLocal, reader: Reader) => void, options?: ChatLocalOptions): void {
  let started: { chat: ChatLocal; reader: Reader } | undefined;
  beforeAll(async () => {
    const chat = await startChatLocal(options);
    started = { chat, reader: storeOf(chat) };
    use(started.chat, started.reader);
  });
  afterAll(async () => {
    started?.reader.destroy();
    await started?.chat.close();
  });
  beforeEach(() => started?.chat.resetBedrock());
}

/** The profile ids the example organization approves in the tenant's Region (BR-CRI-1, BR-CRI-2, BR-MODEL-1). */
function approvedProfiles(chat: ChatLocal): string[] {
  return inferenceProfileIds(exampleConfig(), chat.region);
}

function expectGoverned(chat: ChatLocal, requests: readonly BedrockRequestRecord[]): void {
  const approved = approvedProfiles(chat);
  const tenantProfiles = [chat.models.classifier, chat.models.fast, chat.models.capable, ...chat.models.fallback];
  for (const request of requests) {
    expect([request.modelId, approved.includes(request.modelId), tenantProfiles.includes(request.modelId)]).toEqual([request.modelId, true, true]);
    expect(request.guardrailConfig).toMatchObject({ guardrailIdentifier: chat.guardrail.identifier, guardrailVersion: chat.guardrail.version });
  }
}

let warn: jest.SpyInstance;
beforeAll(() => {
  // The authorizer logs each refusal with console.warn, as in Lambda; the tests check the refusals themselves.
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => warn.mockRestore());

describe('a turn through the real authorizer, relay and turn, the store on the DynamoDB emulator (minidyn) and the Bedrock emulator', () => {
  let chat: ChatLocal;
  let reader: Reader;
  useChatLocal((c, r) => { chat = c; reader = r; });

  test('the answer streams as chunk frames with contiguous seq and a done frame with the usage; question and answer are stored', async () => {
    const answer = 'We are sorry about the damage. A refund of the full price is on its way to your card; no need to send the parcel back.';
    const usage = { inputTokens: 321, outputTokens: 54, totalTokens: 375 };
    emulatorOf(chat).queue({ answer, chunkSize: 7, interTokenDelayMs: 2, usage }, { modelId: chat.models.capable });
    const user = userOf(chat);
    const client = await user.connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();

    expect(frames.length).toBeGreaterThan(2);
    expect(seqsOf(frames)).toEqual(upTo(frames.length));
    expect(frames.slice(0, -1).every((f) => f.type === 'chunk' && f.conversationId === 'c1' && f.messageId === 'm1')).toBe(true);
    expect(frames.at(-1)).toEqual({ type: 'done', conversationId: 'c1', messageId: 'm1', seq: frames.length - 1, usage });
    expect(textOf(frames)).toBe(answer);
    const stored = await reader.store.find(user.sub, 'c1', 'm1');
    expect([stored?.message.text, stored?.answer?.text]).toEqual([COMPLAINT, answer]);
    // The classifier (Converse), then the answer (ConverseStream) on the capable profile, each with the guardrail.
    const requests = emulatorOf(chat).requests;
    expect(requests.map((r) => [r.operation, r.modelId])).toEqual([['Converse', chat.models.classifier], ['ConverseStream', chat.models.capable]]);
    expectGoverned(chat, requests);
  });

  test('the day\'s tokens are counted for the user and the tenant: the classifier\'s and the answer\'s, as Bedrock reported them', async () => {
    const classifierUsage = { inputTokens: 180, outputTokens: 3 };
    const answerUsage = { inputTokens: 95, outputTokens: 41 };
    emulatorOf(chat).script((r) => (r.operation === 'Converse' ? { answer: 'complaint', usage: classifierUsage } : { usage: answerUsage }));
    const user = userOf(chat);
    const day = budgetKey(budgetDay(Date.now()));
    const tenantBefore = await reader.counter.used({ pk: 'TENANT', sk: day });
    const client = await user.connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    // The budgets settle while `done` goes out: wait for the turn's end.
    await chat.settled();
    const total = classifierUsage.inputTokens + classifierUsage.outputTokens + answerUsage.inputTokens + answerUsage.outputTokens;
    expect(frames.at(-1)).toMatchObject({ type: 'done', usage: { totalTokens: answerUsage.inputTokens + answerUsage.outputTokens } });
    expect(await reader.counter.used({ pk: userKey(user.sub), sk: day })).toBe(total);
    expect(await reader.counter.used({ pk: 'TENANT', sk: day }) - tenantBefore).toBe(total);
  });

  test('the classifier routes: a simple question is answered by the fast profile', async () => {
    const client = await userOf(chat).connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: ORDER_STATUS });
    client.ws.close();
    expect(frames.at(-1)?.type).toBe('done');
    expect(emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream').map((r) => r.modelId)).toEqual([chat.models.fast]);
  });

  test('a client that reconnects resumes by messageId: the stored answer again, without a model call', async () => {
    const user = userOf(chat);
    const first = await user.connect();
    const original = await ask(first, { conversationId: 'c2', messageId: 'm7', text: COMPLAINT });
    first.ws.close();
    await first.closed;
    const calls = emulatorOf(chat).requests.length;

    const again = await user.connect();
    const resumed = await ask(again, { action: 'resume', conversationId: 'c2', messageId: 'm7' });
    const unknown = await ask(again, { action: 'resume', conversationId: 'c2', messageId: 'never-sent' });
    again.ws.close();
    expect(original.at(-1)?.type).toBe('done');
    expect(resumed.at(-1)?.type).toBe('done');
    expect(seqsOf(resumed)).toEqual(upTo(resumed.length));
    expect(textOf(resumed)).toBe(textOf(original));
    expect(unknown).toEqual([expect.objectContaining({ type: 'error', code: 'bad_request', seq: 0 })]);
    expect(emulatorOf(chat).requests).toHaveLength(calls);
  });

  test('a resume while the first turn still answers gets in_progress, not a second model call; after the answer it gets the answer', async () => {
    const user = userOf(chat);
    emulatorOf(chat).queue({ answer: 'A slow but complete answer.', chunkSize: 2, interTokenDelayMs: 40 }, { modelId: chat.models.capable });
    const first = await user.connect();
    first.ws.send(JSON.stringify({ action: 'sendMessage', conversationId: 'c9', messageId: 'm1', text: COMPLAINT }));
    const second = await user.connect();
    // Wait for the first chunk: the first turn holds the message's lease by then.
    await first.nextMessage(5_000);
    const during = await ask(second, { action: 'resume', conversationId: 'c9', messageId: 'm1' });
    const repeated = await ask(second, { conversationId: 'c9', messageId: 'm1', text: COMPLAINT });
    await chat.settled();
    const after = await ask(second, { action: 'resume', conversationId: 'c9', messageId: 'm1' });
    first.ws.close();
    second.ws.close();
    expect(during).toEqual([expect.objectContaining({ type: 'error', code: 'in_progress' })]);
    expect(repeated).toEqual([expect.objectContaining({ type: 'error', code: 'in_progress' })]);
    expect(textOf(after)).toBe('A slow but complete answer.');
    expect(streamsTo(chat, chat.models.capable)).toHaveLength(1);
  });

  test('a turn refused after storing the message gives its lease back: a resume answers it at once', async () => {
    const user = userOf(chat);
    // The capable profile fails without a retryable error, so the turn fails (model_unavailable) with the message stored.
    emulatorOf(chat).queue({ fault: BEDROCK_FAULTS.validation }, { modelId: chat.models.capable });
    const client = await user.connect();
    const failed = await ask(client, { conversationId: 'c10', messageId: 'm1', text: COMPLAINT });
    const resumed = await ask(client, { action: 'resume', conversationId: 'c10', messageId: 'm1' });
    client.ws.close();
    expect(failed.at(-1)).toMatchObject({ type: 'error' });
    expect(resumed.at(-1)?.type).toBe('done');
  });

  test('another user cannot resume someone else\'s message', async () => {
    const owner = userOf(chat);
    const client = await owner.connect();
    const original = await ask(client, { conversationId: 'c3', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    const stranger = await userOf(chat).connect();
    const attempt = await ask(stranger, { action: 'resume', conversationId: 'c3', messageId: 'm1' });
    stranger.ws.close();
    expect(original.at(-1)?.type).toBe('done');
    expect(attempt).toEqual([expect.objectContaining({ type: 'error', code: 'bad_request' })]);
  });

  test('a client that leaves mid-stream: posting ends at GoneException, the turn still stores the whole answer, a resume returns it', async () => {
    const answer = 'Thank you for your patience. We have opened a case for the damaged parcel and will refund you within three days.';
    emulatorOf(chat).queue({ answer, chunkSize: 3, interTokenDelayMs: 15 }, { modelId: chat.models.capable });
    const routesBefore = chat.routes.length;
    const user = userOf(chat);
    const client = await user.connect();
    client.ws.send(JSON.stringify({ action: 'sendMessage', conversationId: 'c4', messageId: 'm1', text: COMPLAINT }));
    const firstFrame = JSON.parse(await client.nextMessage(10_000)) as Frame;
    client.ws.close();
    await client.closed;
    await chat.settled();

    expect(firstFrame).toMatchObject({ type: 'chunk', seq: 0 });
    // The relay's $default invocation ended normally: the 410 from @connections stopped the posting, it was no failure.
    expect(chat.routes.slice(routesBefore).filter((r) => r.route === '$default').map((r) => r.ended)).toEqual([{ statusCode: 200 }]);
    expect(streamsTo(chat, chat.models.capable).map((r) => r.outcome)).toEqual(['completed']);
    expect((await reader.store.find(user.sub, 'c4', 'm1'))?.answer?.text).toBe(answer);
    const calls = emulatorOf(chat).requests.length;
    const again = await user.connect();
    const resumed = await ask(again, { action: 'resume', conversationId: 'c4', messageId: 'm1' });
    again.ws.close();
    expect(textOf(resumed)).toBe(answer);
    expect(emulatorOf(chat).requests).toHaveLength(calls);
  });

  test('a repeated sendMessage with the same messageId is answered from the store, not by the model again', async () => {
    const user = userOf(chat);
    const client = await user.connect();
    const first = await ask(client, { conversationId: 'c5', messageId: 'm1', text: COMPLAINT });
    const calls = emulatorOf(chat).requests.length;
    const repeated = await ask(client, { conversationId: 'c5', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(calls).toBe(2);
    expect(repeated.at(-1)?.type).toBe('done');
    expect(textOf(repeated)).toBe(textOf(first));
    expect(emulatorOf(chat).requests).toHaveLength(calls);
    expect((await reader.store.history(user.sub, 'c5', 10)).map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  test('input over maxInputCharacters: an input_too_long error frame, nothing stored, no model call; at the limit it is answered', async () => {
    const user = userOf(chat);
    const client = await user.connect();
    const tooLong = await ask(client, { conversationId: 'c6', messageId: 'm1', text: 'x'.repeat(chat.limits.maxInputCharacters + 1) });
    expect(tooLong).toEqual([expect.objectContaining({ type: 'error', code: 'input_too_long', seq: 0 })]);
    expect(await reader.store.find(user.sub, 'c6', 'm1')).toBeUndefined();
    expect(emulatorOf(chat).requests).toHaveLength(0);
    const atLimit = await ask(client, { conversationId: 'c6', messageId: 'm2', text: 'x'.repeat(chat.limits.maxInputCharacters) });
    client.ws.close();
    expect(atLimit.at(-1)?.type).toBe('done');
  });

  test('a guardrail intervention: the guardrail\'s message is the answer, stored, and no other profile is tried', async () => {
    const blocked = 'I can only help with questions about your orders and our shop.';
    emulatorOf(chat).queue({ guardrail: { message: blocked } }, { modelId: chat.models.capable });
    const user = userOf(chat);
    const client = await user.connect();
    const frames = await ask(client, { conversationId: 'c7', messageId: 'm1', text: `${COMPLAINT} Also, how do I pick a lock?` });
    client.ws.close();
    expect(frames.at(-1)?.type).toBe('done');
    expect(textOf(frames)).toBe(blocked);
    expect((await reader.store.find(user.sub, 'c7', 'm1'))?.answer?.text).toBe(blocked);
    expect(emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream').map((r) => [r.modelId, r.outcome]))
      .toEqual([[chat.models.capable, 'guardrail-intervened']]);
  });

  test.each([
    ['between two events', false],
    ['through an event', true],
  ])('a stream cut %s ends with a model_unavailable error frame (not a hang), no answer stored, not restarted elsewhere', async (_, partialFrame) => {
    emulatorOf(chat).queue(
      { answer: 'We are checking your order and will refund the damaged items as soon as possible.', chunkSize: 4, interTokenDelayMs: 5, cut: { afterChunks: 3, partialFrame } },
      { modelId: chat.models.capable },
    );
    const user = userOf(chat);
    const client = await user.connect();
    const frames = await ask(client, { conversationId: 'c8', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(seqsOf(frames)).toEqual(upTo(frames.length));
    expect(frames.slice(0, -1).length).toBeGreaterThan(0);
    expect(frames.slice(0, -1).every((f) => f.type === 'chunk')).toBe(true);
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'model_unavailable' });
    expect(await reader.store.find(user.sub, 'c8', 'm1')).toMatchObject({ answer: undefined });
    expect(emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream').map((r) => [r.modelId, r.outcome]))
      .toEqual([[chat.models.capable, 'cut']]);
  });
});

describe('resilience on the local harness (Bedrock emulator, DynamoDB emulator): retries, the fallback chain, the circuit breaker and the degraded answer', () => {
  let chat: ChatLocal;
  let reader: Reader;
  const fallbackText = 'This answer comes from the fallback profile: your refund is being processed.';

  /** Every stream to `failing` profiles answers `fault`; the first fallback answers `fallbackText`. */
  const failing = (profiles: string[], fault: BedrockBehaviour) => withLocalClassifier((r) => {
    if (r.operation !== 'ConverseStream') return undefined;
    if (profiles.includes(r.modelId)) return fault;
    return r.modelId === chat.models.fallback[0] ? { answer: fallbackText } : undefined;
  });

  useChatLocal((c, r) => { chat = c; reader = r; });
  beforeEach(() => {
    // A fresh turn container: new breakers, so each test starts with every circuit closed.
    chat.coldStart();
  });

  test.each([
    ['throttled', THROTTLE],
    ['unavailable (503)', { fault: BEDROCK_FAULTS.serviceUnavailable }],
  ])('the chosen profile %s every time: retried, then the fallback profile answers; only approved profiles, each call with the guardrail', async (_, fault) => {
    expect(chat.models.fallback.length).toBeGreaterThan(0);
    emulatorOf(chat).script(failing([chat.models.capable], fault));
    const client = await userOf(chat).connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();

    expect(frames.at(-1)?.type).toBe('done');
    expect(textOf(frames)).toBe(fallbackText);
    const streams = emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream');
    const chosen = streams.filter((r) => r.modelId === chat.models.capable);
    expect(chosen.length).toBeGreaterThan(1);
    expect(chosen.every((r) => r.outcome === 'fault')).toBe(true);
    expect(streams.map((r) => r.modelId)).toEqual([...chosen.map(() => chat.models.capable), chat.models.fallback[0]]);
    expectGoverned(chat, emulatorOf(chat).requests);
    await chat.settled();
    expect(chat.turns.at(-1)?.outcome).toMatchObject({ result: 'answered', profile: chat.models.fallback[0], fallback: true });
  });

  test('after repeated failures the breaker opens: later turns skip the profile without calling it, and still get an answer', async () => {
    emulatorOf(chat).script(failing([chat.models.capable], THROTTLE));
    const client = await userOf(chat).connect();
    const callsPerTurn: number[] = [];
    for (let turn = 0; turn < 6; turn++) {
      const before = streamsTo(chat, chat.models.capable).length;
      const frames = await ask(client, { conversationId: 'c2', messageId: `m${turn}`, text: COMPLAINT });
      expect(textOf(frames)).toBe(fallbackText);
      callsPerTurn.push(streamsTo(chat, chat.models.capable).length - before);
    }
    client.ws.close();
    const opened = callsPerTurn.indexOf(0);
    expect(opened).toBeGreaterThan(0);
    // The turn's breaker (TURN_BREAKER): once minimumCalls calls are in the window and half failed, it opens; the turns
    // after that never reach the profile.
    expect(callsPerTurn.slice(0, opened).reduce((a, b) => a + b, 0)).toBe(TURN_BREAKER.minimumCalls);
    expect(callsPerTurn.slice(opened).every((n) => n === 0)).toBe(true);
    expect(streamsTo(chat, chat.models.fallback[0])).toHaveLength(6);
  });

  test('every profile failing: the static degraded answer, streamed, stored, ended with done', async () => {
    emulatorOf(chat).script(failing([chat.models.capable, chat.models.fast, ...chat.models.fallback], THROTTLE));
    const user = userOf(chat);
    const client = await user.connect();
    const frames = await ask(client, { conversationId: 'c3', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(seqsOf(frames)).toEqual(upTo(frames.length));
    expect(frames.at(-1)).toMatchObject({ type: 'done' });
    expect(textOf(frames)).toBe(chat.degradedText);
    expect((await reader.store.find(user.sub, 'c3', 'm1'))?.answer?.text).toBe(chat.degradedText);
    const tried = new Set(emulatorOf(chat).requests.filter((r) => r.operation === 'ConverseStream').map((r) => r.modelId));
    expect([...tried].sort()).toEqual([chat.models.capable, ...chat.models.fallback].sort());
    await chat.settled();
    expect(chat.turns.at(-1)?.outcome?.result).toBe('degraded');
  });
});

describe('the daily token budget and the $connect authorizer on the local harness (DynamoDB emulator, moto, the local issuer and gateway)', () => {
  let chat: ChatLocal;
  let reader: Reader;
  useChatLocal((c, r) => { chat = c; reader = r; }, { limits: { dailyTokensPerUser: 500 } });

  test('a user whose daily budget cannot cover a turn gets budget_exhausted, and no model (not even the classifier) is called', async () => {
    const user = userOf(chat);
    const client = await user.connect();
    const tenantKey = { pk: 'TENANT', sk: budgetKey(budgetDay(Date.now())) };
    const tenantBefore = await reader.counter.used(tenantKey);
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: ORDER_STATUS });
    client.ws.close();
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: 'budget_exhausted', seq: 0 })]);
    // The tenant's reservation, made at the same time as the user's, was given back.
    expect(await reader.counter.used(tenantKey)).toBe(tenantBefore);
    expect((frames[0] as ErrorFrame).message).toMatch(/allowance/);
    expect(emulatorOf(chat).requests).toHaveLength(0);
    // Persist first: the message is kept (an agent can pick it up), unanswered.
    expect(await reader.store.find(user.sub, 'c1', 'm1')).toMatchObject({ message: { text: ORDER_STATUS }, answer: undefined });
  });

  test.each([
    ['expired', (harness: ChatLocal) => harness.issuer.mintIdToken({ username: 'ana', groups: ['customer'], expiresInSeconds: -60 })],
    ['for another app client', (harness: ChatLocal) => harness.issuer.mintIdToken({ username: 'ana', groups: ['customer'], clientId: 'someotherclient0000000000' })],
    ['from another issuer', (harness: ChatLocal) => harness.issuer.mintIdToken({
      username: 'ana', groups: ['customer'], issuer: `https://cognito-idp.${harness.region}.amazonaws.com/${harness.region}_OtherPool9`,
    })],
    ['signed with a key not in the JWKS', (harness: ChatLocal) => harness.issuer.mintIdToken({ username: 'ana', groups: ['customer'], signingKey: 'other' })],
    ['of the wrong use (an access token where the id token is expected)', (harness: ChatLocal) => harness.issuer.mintAccessToken({ username: 'ana', groups: ['customer'] })],
  ])('a token %s: the upgrade is refused with 401 and no route runs', async (_, mint) => {
    const before = chat.routes.length;
    const since = () => chat.routes.slice(before).map((r) => r.route).filter((r) => r !== '$disconnect');
    expect(await refusedStatus(chat.connectUrl(mint(chat)))).toBe(401);
    expect(since()).toEqual(['authorizer']);
    // A good token gets in: the refusal was the token's.
    const good = await connect(chat.connectUrl(chat.token()));
    good.ws.close();
    expect(since()).toEqual(['authorizer', 'authorizer', '$connect']);
  });

  test('no token: the upgrade is refused with 401 before the authorizer runs (identity source), and no route runs', async () => {
    const before = chat.routes.length;
    expect(await refusedStatus(chat.url)).toBe(401);
    expect(await refusedStatus(`${chat.url}?token=`)).toBe(401);
    expect(chat.routes.slice(before).filter((r) => r.route !== '$disconnect')).toEqual([]);
  });
});
