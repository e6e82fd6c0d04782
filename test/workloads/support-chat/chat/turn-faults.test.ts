import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { KNOWLEDGE_FAULTS, knowledgeClientConfig, type RunningKnowledgeEmulator, startKnowledgeEmulator } from '../../../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { BEDROCK_FAULTS, type BedrockEmulator, type EmulatedPiiEntity } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { SettingsSource } from '../../../../workloads/support-chat/chat/handlers/lib/settings-source';
import { turnTimeouts } from '../../../../workloads/support-chat/chat/handlers/lib/turn-clock';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { BedrockKnowledgeSource } from '../../../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import { tenantMessage } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { readRedaction } from '../../../../workloads/support-chat/privacy/handlers/lib/input-redaction';
import { tenantAllowedProfiles, tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import type { FaultProxy } from '../../../support/fault-proxy';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * Every request the turn takes ends with exactly one final frame (`done`, the degraded answer's `done`, or `error`),
 * whatever fails: faults injected at each step against the emulators: the Bedrock emulator hanging the classifier or
 * the answer before its first token, stalling or cutting the stream; the conversation table on the DynamoDB emulator
 * behind a fault proxy that fails (HTTP 500) or never answers from a chosen request on; AppConfig's data plane down
 * (a port that refuses) or hanging (a server that accepts and never replies). The turn runs with a 3-second deadline,
 * so each hang costs seconds, not the 25 of the example tenant.
 */

const REGION = 'eu-central-1';
const SUB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const CREDENTIALS = { accessKeyId: 'AKIATURNFAULTS000000', secretAccessKey: 'turn-faults-secret' };
const DEGRADED = 'Sorry, the assistant cannot answer right now.';
const COMPLAINT = 'My parcel arrived damaged and I want a refund.';
const config = exampleConfig();
const models = tenantModels(config, REGION);
const allowedProfiles = tenantAllowedProfiles(config, REGION);
const defaults = defaultChatSettings(models);
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 3 };

let emulators: TurnEmulators;
let proxy: FaultProxy;
let bedrockEmulator: BedrockEmulator;
let messages = 0;

beforeAll(async () => {
  emulators = await startTurnEmulators({ region: REGION, credentials: CREDENTIALS, faultProxy: true });
  ({ bedrockEmulator } = emulators);
  proxy = emulators.proxy!;
}, 300_000);

afterAll(async () => {
  await emulators?.stop();
});


beforeEach(() => {
  bedrockEmulator.reset();
  bedrockEmulator.script(withLocalClassifier());
  proxy.failAfter(0, 0);
});

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  return emulators.dependencies({ limits, settings: defaults, guardrailName: 'turnfaults1' }, { degradedText: DEGRADED, ...overrides });
}

interface Run {
  readonly frames: Frame[];
  readonly outcome: TurnOutcome;
  readonly ms: number;
}

/** One `sendMessage` turn with a fresh message id: its frames, its outcome and how long it took. */
async function turn(overrides: Partial<TurnDependencies> = {}, text = COMPLAINT, conversationId?: string): Promise<Run> {
  const frames: Frame[] = [];
  const started = Date.now();
  messages += 1;
  const outcome = await runTurn(
    { action: 'sendMessage', sub: SUB, conversationId: conversationId ?? `c${messages}`, messageId: `m${messages}`, text },
    deps(overrides),
    async (data) => { frames.push(JSON.parse(data) as Frame); },
  );
  return { frames, outcome, ms: Date.now() - started };
}

/** Exactly one final frame, the last, with the seqs contiguous from 0. */
function expectOneFinalFrame(frames: Frame[]): Frame {
  const finals = frames.filter((f) => f.type !== 'chunk');
  expect([finals.length, frames.at(-1)?.type === 'chunk', frames.map((f) => f.seq)]).toEqual([1, false, frames.map((_, i) => i)]);
  return finals[0];
}

const deadlineMs = limits.turnDeadlineSeconds * 1000;

describe('the turn\'s timeouts derive from its deadline (turnTimeouts)', () => {
  test('classifier, first token and idle fit the deadline with a share for every candidate and the degraded answer', () => {
    for (const [deadline, candidates] of [[3000, 2], [25_000, 2], [25_000, 4], [1000, 1]]) {
      const t = turnTimeouts(deadline, candidates);
      expect(t.classifierMs + candidates * t.firstTokenMs).toBeLessThan(deadline);
      expect([t.idleMs <= t.firstTokenMs, t.settingsMs < deadline, t.classifierMs > 0]).toEqual([true, true, true]);
    }
    expect(() => turnTimeouts(0, 2)).toThrow(RangeError);
  });
});

describe('faults at the model (the Bedrock emulator)', () => {
  test('a classifier that hangs is cut at its timeout: the question counts as complex and is answered', async () => {
    bedrockEmulator.script(() => undefined).queue({ firstTokenDelayMs: 60_000, answer: 'faq' }, { modelId: models.classifier });
    const run = await turn();
    expect(expectOneFinalFrame(run.frames).type).toBe('done');
    expect([run.outcome.result, run.outcome.questionClass]).toEqual(['answered', 'complex']);
    expect(run.ms).toBeLessThan(deadlineMs);
    const classifier = bedrockEmulator.requests.find((r) => r.operation === 'Converse')!;
    expect(classifier.outcome).toBe('client-closed');
  });

  test('a model that hangs before its first token is aborted at the first-token timeout and the fallback answers in time', async () => {
    bedrockEmulator.queue({ firstTokenDelayMs: 60_000 }, { modelId: models.capable });
    const run = await turn();
    expect(expectOneFinalFrame(run.frames).type).toBe('done');
    expect([run.outcome.result, run.outcome.fallback]).toEqual(['answered', true]);
    expect(run.ms).toBeLessThan(deadlineMs);
    const hung = bedrockEmulator.requests.filter((r) => r.modelId === models.capable);
    // One attempt, aborted: a timeout is not retried on the profile that hung, and nothing streams on after.
    expect(hung.map((r) => r.outcome)).toEqual(['client-closed']);
    expect(bedrockEmulator.activeStreams).toBe(0);
  });

  test('every profile hangs: the degraded answer still arrives before the deadline', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ firstTokenDelayMs: 60_000 })));
    const run = await turn();
    const final = expectOneFinalFrame(run.frames);
    expect([final.type, run.outcome.result, run.frames.filter((f) => f.type === 'chunk').map((f) => (f as { text: string }).text).join('')])
      .toEqual(['done', 'degraded', DEGRADED]);
    expect(run.ms).toBeLessThan(deadlineMs);
  });

  test('a stream that stalls after its first text is aborted at the idle timeout: the text so far, then one error frame', async () => {
    bedrockEmulator.queue({ answer: 'First part. Second part never comes.', chunkSize: 12, interTokenDelayMs: 60_000 }, { modelId: models.capable });
    const run = await turn();
    const final = expectOneFinalFrame(run.frames);
    expect([final.type, run.outcome.result, run.frames[0].type]).toEqual(['error', 'failed', 'chunk']);
    expect(run.ms).toBeLessThan(deadlineMs);
    expect(bedrockEmulator.requests.find((r) => r.modelId === models.capable)?.outcome).toBe('client-closed');
  });

  test('a stream cut mid-answer (the connection destroyed): the text so far, then one error frame', async () => {
    bedrockEmulator.queue({ answer: 'A long answer cut in the middle of its text.', chunkSize: 8, cut: { afterChunks: 2 } }, { modelId: models.capable });
    const run = await turn();
    expect([expectOneFinalFrame(run.frames).type, run.outcome.result]).toEqual(['error', 'failed']);
  });
});

describe('the tenant\'s application inference profiles (ADR 35): the calls send their ARNs, everything else names the system profile', () => {
  const arn = (id: string) => `arn:aws:bedrock:${REGION}:111122223333:application-inference-profile/${id}`;
  const applicationProfiles = { [models.classifier]: arn('classifier01'), [models.capable]: arn('capable00001') };
  /** A turn of a user of its own, so these turns do not count in the per-minute rate of the other tests' user. */
  const turnOfOwnUser = async (overrides: Partial<TurnDependencies>): Promise<Omit<Run, 'ms'>> => {
    const frames: Frame[] = [];
    messages += 1;
    const outcome = await runTurn(
      { action: 'sendMessage', sub: '7c9e6679-7425-40de-944b-e07fc1f90ae7', conversationId: `aip${messages}`, messageId: `m${messages}`, text: COMPLAINT },
      deps(overrides),
      async (data) => { frames.push(JSON.parse(data) as Frame); },
    );
    return { frames, outcome };
  };

  test('the classifier\'s Converse and the answer\'s ConverseStream send the ARNs; the outcome names the system profile', async () => {
    bedrockEmulator.applicationProfiles({ [arn('classifier01')]: models.classifier, [arn('capable00001')]: models.capable });
    const run = await turnOfOwnUser({ applicationProfiles });
    expect([expectOneFinalFrame(run.frames).type, run.outcome.result, run.outcome.profile, run.outcome.fallback]).toEqual(['done', 'answered', models.capable, false]);
    expect(bedrockEmulator.requests.map((r) => [r.operation, r.modelId, r.profileId, r.outcome]))
      .toEqual([['Converse', arn('classifier01'), models.classifier, 'completed'], ['ConverseStream', arn('capable00001'), models.capable, 'completed']]);
  });

  test('application profiles that do not exist: Bedrock\'s error for an unknown model id, one error frame (not retried elsewhere)', async () => {
    const run = await turnOfOwnUser({ applicationProfiles });
    const final = expectOneFinalFrame(run.frames);
    expect([final.type, (final as { code?: string }).code, run.outcome.result]).toEqual(['error', 'model_unavailable', 'failed']);
    // The classifier's refusal counts as complex; the capable profile's ValidationException is not a fault to fall back on.
    expect(bedrockEmulator.requests.map((r) => [r.modelId, r.outcome])).toEqual([[arn('classifier01'), 'refused'], [arn('capable00001'), 'refused']]);
  });
});

describe('faults at the store (the DynamoDB emulator behind a fault proxy)', () => {
  let requestsOfATurn = 0;
  beforeAll(async () => {
    const before = proxy.arrivals.length;
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier());
    const run = await turn();
    expect(run.outcome.result).toBe('answered');
    requestsOfATurn = proxy.arrivals.length - before;
  });

  test('an outage (HTTP 500) from each request of the turn on: one final frame every time, and nothing thrown', async () => {
    expect(requestsOfATurn).toBeGreaterThanOrEqual(6);
    const finals: string[] = [];
    for (let k = 0; k < requestsOfATurn; k++) {
      proxy.failAfter(k, Number.POSITIVE_INFINITY);
      const run = await turn();
      finals.push(`${k}:${expectOneFinalFrame(run.frames).type}`);
    }
    // The first request stores the question: when it fails, the turn says so; the last ones settle after `done`.
    expect(finals[0]).toBe('0:error');
    expect(finals.at(-1)).toBe(`${requestsOfATurn - 1}:done`);
  }, 120_000);

  test('a store that never answers: one error frame (deadline_exceeded) before the function\'s timeout', async () => {
    proxy.failAfter(0, Number.POSITIVE_INFINITY, 'hang');
    const run = await turn();
    const final = expectOneFinalFrame(run.frames);
    expect(final).toMatchObject({ type: 'error', code: 'deadline_exceeded' });
    expect(run.ms).toBeLessThan(deadlineMs + 5000);
  });
});

describe('faults at the settings (AppConfig\'s data plane)', () => {
  let blackhole: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    blackhole = createServer((socket) => { sockets.add(socket); });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  function appConfigAt(endpoint: string): () => Promise<ReturnType<SettingsSource['current']> extends Promise<infer A> ? A : never> {
    const client = new AppConfigDataClient({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    const provider = new AppConfigProvider({ application: 'support-chat', environment: 'live', awsSdkV3Client: client });
    const source = new SettingsSource({ fetch: () => provider.get('settings', { transform: 'json' }), allowedProfiles, defaults });
    return () => source.current();
  }

  test('AppConfig refusing connections: the defaults answer', async () => {
    const run = await turn({ settings: appConfigAt('http://127.0.0.1:1') });
    expect([expectOneFinalFrame(run.frames).type, run.outcome.settings?.source]).toEqual(['done', 'defaults']);
  });

  test('a deployed version the handler rejects (a profile outside the approved list): the defaults answer, the outcome says rejected', async () => {
    const invalid = { ...defaults, models: { ...defaults.models, fast: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' } };
    const source = new SettingsSource({ fetch: async () => invalid, allowedProfiles, defaults });
    const run = await turn({ settings: (timeoutMs) => source.current(timeoutMs) });
    expect([expectOneFinalFrame(run.frames).type, run.outcome.settings?.source, run.outcome.settings?.rejected]).toEqual(['done', 'defaults', true]);
  });

  test('AppConfig accepting and never answering: cut at the settings timeout, the defaults answer in time', async () => {
    const run = await turn({ settings: appConfigAt(`http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`) });
    expect([expectOneFinalFrame(run.frames).type, run.outcome.settings?.source]).toEqual(['done', 'defaults']);
    expect(run.ms).toBeLessThan(deadlineMs);
  });
});

describe('the guardrail evaluates the new message only (guardContent), on the Bedrock emulator\'s input policy', () => {
  const CARD = /\b4111 1111 1111 1111\b/;
  const streamsOf = () => bedrockEmulator.requests.filter((r) => r.operation === 'ConverseStream');
  const textOf = (frames: Frame[]) => frames.map((f) => (f.type === 'chunk' ? f.text : '')).join('');

  test('a message the guardrail blocked (a pasted card number) does not block the next clean one in the same conversation', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ inputPolicy: { blocks: CARD, message: 'Please do not share card numbers.' } })));
    // Bedrock streams the guardrail's blocked-input message as the answer (stopReason guardrail_intervened).
    const blocked = await turn({}, 'My card is 4111 1111 1111 1111, is my refund on it?', 'guarded');
    expect([expectOneFinalFrame(blocked.frames).type, textOf(blocked.frames), streamsOf().at(-1)?.outcome])
      .toEqual(['done', 'Please do not share card numbers.', 'guardrail-intervened']);
    const clean = await turn({}, 'Where is my order 40412? It was damaged, I want a refund.', 'guarded');
    expect([expectOneFinalFrame(clean.frames).type, streamsOf().at(-1)?.outcome]).toEqual(['done', 'completed']);
    expect(textOf(clean.frames)).toContain('Where is my order 40412?');
    // The blocked question is still in the history the model reads; only the new one is in a guardContent block.
    const sent = streamsOf().at(-1)!.messages;
    expect(sent.map((m) => m.content.map((b) => Object.keys(b)[0]))).toEqual([['text'], ['text'], ['guardContent']]);
    expect(sent[0].content[0].text).toContain('4111 1111 1111 1111');
  });

  test('a new message with a card number is still blocked, after clean history', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ inputPolicy: { blocks: CARD } })));
    await turn({}, 'Where is my order 40412? It was damaged.', 'guarded-2');
    await turn({}, 'Charge 4111 1111 1111 1111 please, I want a refund.', 'guarded-2');
    expect(streamsOf().map((r) => r.outcome)).toEqual(['completed', 'guardrail-intervened']);
  });
});

describe('PII redacted before the message is stored or sent (ApplyGuardrail on the Bedrock emulator: regexes for e-mail, phone and card, not Bedrock\'s detectors)', () => {
  const EMAIL = 'anna.kowalska@example.org';
  const CARD = '4111 1111 1111 1111';
  const PII = `Please refund to my card ${CARD}, and write to ${EMAIL} when it is done.`;
  /** The example config's PII entities for the three types the emulator finds. */
  const configured = config.bedrock.guardrail.piiEntities
    .filter((p): p is EmulatedPiiEntity => ['EMAIL', 'PHONE', 'CREDIT_DEBIT_CARD_NUMBER'].includes(p.type));
  // The suite's one user has sent many messages this minute by now: room for these (a quiet machine runs the suite
  // inside one minute, and the per-user limit then refuses them).
  const roomy = { ...defaults, limits: { ...defaults.limits, messagesPerUserPerMinute: 600 } };
  const redacting = (overrides: Partial<TurnDependencies> = {}): Partial<TurnDependencies> => ({
    redactInput: true, settings: async () => ({ settings: roomy, source: 'defaults' as const }), ...overrides,
  });
  /** Every text the model calls carried (messages and system prompts). */
  const modelTexts = () => bedrockEmulator.requests.flatMap((r) => [...r.messages.flatMap((m) => m.content), ...(r.system ?? [])])
    .map((b) => JSON.stringify(b)).join('\n');
  const stored = async (_run: Run) => emulators.store.find(SUB, `c${messages}`, `m${messages}`).then((found) => found?.message.text);

  test('with card numbers ANONYMIZE: the e-mail and the card are stored and sent to every model call as {EMAIL} and {CREDIT_DEBIT_CARD_NUMBER}', async () => {
    bedrockEmulator.guardrailPii(configured.map((p) => (p.type === 'CREDIT_DEBIT_CARD_NUMBER' ? { ...p, action: 'ANONYMIZE' as const } : p)));
    const run = await turn(redacting(), PII);
    expect(expectOneFinalFrame(run.frames).type).toBe('done');
    const text = await stored(run);
    expect([text?.includes('{EMAIL}'), text?.includes('{CREDIT_DEBIT_CARD_NUMBER}'), text?.includes(EMAIL), text?.includes(CARD)]).toEqual([true, true, false, false]);
    const [applied] = bedrockEmulator.guardrailRequests;
    expect([bedrockEmulator.guardrailRequests.length, applied.source, applied.texts, applied.outcome]).toEqual([1, 'INPUT', [PII], 'anonymized']);
    expect(applied.guardrailIdentifier).toBe(deps().guardrail.identifier);
    // The classifier and the answer got the stored text, never the raw one.
    expect(bedrockEmulator.requests.map((r) => r.operation)).toEqual(['Converse', 'ConverseStream']);
    expect(modelTexts()).toContain(JSON.stringify(text).slice(1, -1));
    expect([modelTexts().includes(EMAIL), modelTexts().includes(CARD)]).toEqual([false, false]);
  });

  test('the example config\'s guardrail (card numbers BLOCK): guardrail_intervened as before, nothing stored, no model called', async () => {
    bedrockEmulator.guardrailPii(configured);
    const run = await turn(redacting(), PII);
    expect(expectOneFinalFrame(run.frames)).toMatchObject({ type: 'error', code: 'guardrail_intervened' });
    expect([await stored(run), bedrockEmulator.requests.length, bedrockEmulator.guardrailRequests[0].outcome]).toEqual([undefined, 0, 'blocked']);
  });

  test('a message without PII is stored as written', async () => {
    const run = await turn(redacting());
    expect([expectOneFinalFrame(run.frames).type, await stored(run), bedrockEmulator.guardrailRequests[0].outcome]).toEqual(['done', COMPLAINT, 'none']);
  });

  test('ApplyGuardrail failing (503, 429): one error frame (model_unavailable), nothing stored, no model called', async () => {
    for (const fault of [BEDROCK_FAULTS.serviceUnavailable, BEDROCK_FAULTS.throttling]) {
      bedrockEmulator.reset();
      bedrockEmulator.queueGuardrail({ fault });
      const run = await turn(redacting(), PII);
      expect(expectOneFinalFrame(run.frames)).toMatchObject({ type: 'error', code: 'model_unavailable' });
      expect([run.outcome.result, await stored(run), bedrockEmulator.requests.length]).toEqual(['failed', undefined, 0]);
    }
  });

  test('ApplyGuardrail hanging: cut at the classifier\'s share of the deadline, one error frame (deadline_exceeded), nothing stored, in time', async () => {
    bedrockEmulator.queueGuardrail({ delayMs: 60_000 });
    const run = await turn(redacting(), PII);
    expect(expectOneFinalFrame(run.frames)).toMatchObject({ type: 'error', code: 'deadline_exceeded' });
    expect([await stored(run), bedrockEmulator.requests.length, bedrockEmulator.guardrailRequests[0].outcome]).toEqual([undefined, 0, 'client-closed']);
    expect(run.ms).toBeLessThan(deadlineMs);
  });

  test('an answer the redaction cannot read fails closed: an unknown action, an intervention without a mask or a block, two outputs', () => {
    const masked = { sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL' as const, match: EMAIL, action: 'ANONYMIZED' as const, detected: true }], regexes: [] } };
    const read = (response: Parameters<typeof readRedaction>[1]) => readRedaction(PII, response).kind;
    expect([
      read({ action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'x {EMAIL}' }], assessments: [masked] }),
      read({ action: 'NONE', outputs: [], assessments: [{}] }),
      read({ action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'blocked' }], assessments: [{ contentPolicy: { filters: [{ type: 'INSULTS', confidence: 'HIGH', action: 'BLOCKED' }] } }] }),
      read({ action: 'SOMETHING_NEW' as never, outputs: [], assessments: [] }),
      read({ action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'x' }], assessments: [{}] }),
      read({ action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'a {EMAIL}' }, { text: 'b' }], assessments: [masked] }),
    ]).toEqual(['redacted', 'redacted', 'blocked', 'failed', 'failed', 'failed']);
  });

  test('a resume of a redacted message needs no redaction: the stored answer is replayed', async () => {
    const first = await turn(redacting(), `Write to ${EMAIL}`);
    const frames: Frame[] = [];
    const outcome = await runTurn({ action: 'resume', sub: SUB, conversationId: `c${messages}`, messageId: `m${messages}` }, deps(redacting()),
      async (data) => { frames.push(JSON.parse(data) as Frame); });
    expect([expectOneFinalFrame(first.frames).type, outcome.result, bedrockEmulator.guardrailRequests.length]).toEqual(['done', 'replayed', 1]);
  });
});

describe('faults at the knowledge base (the knowledge-base emulator over the example corpus, through BedrockKnowledgeSource)', () => {
  let knowledgeBase: RunningKnowledgeEmulator;
  let client: BedrockAgentRuntimeClient;
  let knowledge: BedrockKnowledgeSource;
  const RETURNS = 'How many days do I have to return an item for a refund?';
  // The suite's one user has sent many messages this minute by now: room for these.
  const roomy = { ...defaults, limits: { ...defaults.limits, messagesPerUserPerMinute: 600 } };
  const settings = async () => ({ settings: roomy, source: 'defaults' as const });
  beforeAll(async () => {
    knowledgeBase = await startKnowledgeEmulator({ corpusDir: 'workloads/support-chat/local/corpus' });
    client = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig(knowledgeBase.endpoint, REGION), maxAttempts: 1 });
    knowledge = new BedrockKnowledgeSource({ client, knowledgeBaseId: knowledgeBase.knowledgeBaseId });
  });
  afterAll(async () => {
    client?.destroy();
    await knowledgeBase?.stop();
  });
  beforeEach(() => knowledgeBase.emulator.reset());

  test('a healthy knowledge base: the answer is grounded and its done frame cites the corpus', async () => {
    const run = await turn({ knowledge, settings }, RETURNS);
    const final = expectOneFinalFrame(run.frames);
    expect([final.type, run.outcome.knowledge?.state]).toEqual(['done', 'grounded']);
    expect((final as { citations?: { documentId: string }[] }).citations?.[0]?.documentId).toMatch(/\.en\.md$/);
  });

  test('a retrieval that hangs: cut at its timeout, one final frame (the tenant cannot look it up), no answer model called, in time', async () => {
    knowledgeBase.emulator.queue({ hang: true });
    const run = await turn({ knowledge, settings }, RETURNS);
    const final = expectOneFinalFrame(run.frames);
    expect([final.type, run.outcome.result, run.outcome.code]).toEqual(['done', 'degraded', 'knowledge_unavailable']);
    expect(run.frames.filter((f) => f.type === 'chunk').map((f) => (f as { text: string }).text).join('')).toBe(tenantMessage('knowledge_unavailable', 'en'));
    expect(bedrockEmulator.requests.filter((r) => r.operation === 'ConverseStream')).toEqual([]);
    expect(run.ms).toBeLessThan(deadlineMs);
  });

  test('a retrieval error (throttling, 5xx, access denied): one final frame each, no answer model called', async () => {
    for (const fault of [KNOWLEDGE_FAULTS.throttling, KNOWLEDGE_FAULTS.internal, KNOWLEDGE_FAULTS.accessDenied]) {
      knowledgeBase.emulator.queue({ fault });
      const run = await turn({ knowledge, settings }, RETURNS);
      expect([expectOneFinalFrame(run.frames).type, run.outcome.code]).toEqual(['done', 'knowledge_unavailable']);
    }
    expect(bedrockEmulator.requests.filter((r) => r.operation === 'ConverseStream')).toEqual([]);
  });

  test('the knowledge base unreachable (a port that refuses): one final frame', async () => {
    const nowhere = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig('http://127.0.0.1:1', REGION), maxAttempts: 1 });
    const run = await turn({ knowledge: new BedrockKnowledgeSource({ client: nowhere, knowledgeBaseId: 'KBLOCAL001' }), settings }, RETURNS);
    nowhere.destroy();
    expect([expectOneFinalFrame(run.frames).type, run.outcome.code]).toEqual(['done', 'knowledge_unavailable']);
  });

  test('a retrieval that hangs while the store then fails: still exactly one final frame', async () => {
    // A turn the knowledge base cannot serve ends with the answer's store write and the two settlements: count its requests.
    knowledgeBase.emulator.queue({ fault: KNOWLEDGE_FAULTS.internal });
    const before = proxy.arrivals.length;
    expect((await turn({ knowledge, settings }, RETURNS)).outcome.code).toBe('knowledge_unavailable');
    const beforeTheAnswer = proxy.arrivals.length - before - 3;
    knowledgeBase.emulator.queue({ hang: true });
    proxy.failAfter(beforeTheAnswer, Number.POSITIVE_INFINITY);
    const run = await turn({ knowledge, settings }, RETURNS);
    expect(proxy.arrivals.length - before).toBeGreaterThan(beforeTheAnswer);
    expect(expectOneFinalFrame(run.frames)).toMatchObject({ type: 'error', code: 'internal' });
  });
});
