import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import {
  PROFILE_METRICS, SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_PROFILE_DIMENSION, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES,
  TURN_METRICS,
} from '../../../../contracts/support-chat-metrics';
import { METRIC_CATALOG } from '../../../../dashboards/metrics/catalog';
import { LocalJwtIssuer } from '../../../../emulators/token-issuer/jwt-issuer';
import { handler as authorizerHandler } from '../../../../workloads/support-chat/chat/handlers/authorizer';
import {
  createTelemetry, recordAuthorization, recordRelay, recordTurn, recordTurnThrew, RESULT_METRICS,
} from '../../../../workloads/support-chat/chat/handlers/lib/telemetry';
import { instrumentedRelay, type RelayLambdaEvent } from '../../../../workloads/support-chat/chat/handlers/relay';
import type { TurnInvoker } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import { instrumentedTurn } from '../../../../workloads/support-chat/chat/handlers/turn';
import type { TurnDependencies, TurnLimits, TurnOutcome, TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { turnDependencies } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';
import { recordSync } from '../../../../workloads/support-chat/knowledge/handlers/knowledge-sync';

/**
 * The tenant's telemetry with the real Powertools Logger, Metrics and Tracer: what the handlers print to stdout (JSON log
 * lines and EMF documents, which CloudWatch Logs turns into metrics) is captured and parsed, never mocked.
 */

/** An embedded-metric-format document as Powertools prints it (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html). */
interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  readonly [key: string]: unknown;
}
type Printed = Record<string, unknown>;

/** Runs `work` and returns every JSON line it printed to stdout and stderr (Powertools writes errors there), parsed, in order. */
async function printed(work: () => Promise<unknown> | unknown): Promise<Printed[]> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks.join('').split('\n').filter((line) => line.trim().startsWith('{')).map((line) => JSON.parse(line) as Printed);
}

const emf = (lines: Printed[]) => lines.filter((l): l is EmfDocument => typeof l._aws === 'object');
const logs = (lines: Printed[]) => lines.filter((l) => typeof l._aws !== 'object');
const directive = (doc: EmfDocument) => doc._aws.CloudWatchMetrics[0];
/** The metric values of a document, by name. */
const values = (doc: EmfDocument) => Object.fromEntries(directive(doc).Metrics.map((m) => [m.Name, doc[m.Name]]));
const units = (doc: EmfDocument) => Object.fromEntries(directive(doc).Metrics.map((m) => [m.Name, m.Unit]));

const SUB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PROFILE = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
const CONTEXT: Context = {
  awsRequestId: '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  functionName: 'support-chat-turn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:741852096357:function:support-chat-turn',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/support-chat-turn',
  logStreamName: '2026/11/30/[$LATEST]0123456789abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const ANSWERED: TurnOutcome = {
  result: 'answered',
  profile: PROFILE,
  questionClass: 'simple',
  fallback: false,
  usage: { inputTokens: 61, outputTokens: 38, totalTokens: 99 },
  firstTokenMs: 322,
  timing: { totalMs: 1410, modelMs: 1290, backoffMs: 0, overheadMs: 120, throttles: 0, retries: 0, breakerOpen: 0 },
};

describe('recordTurn: a turn\'s outcome as EMF metrics (namespace SupportChat, dimension service)', () => {
  const turnDocs = async (outcome: TurnOutcome) => emf(await printed(() => recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, outcome)));
  const results = (doc: EmfDocument) => Object.fromEntries(Object.values(RESULT_METRICS).map((name) => [name, values(doc)[name]]));

  test('a turn that failed for the model is an error; one the guardrail stopped is failed but not an error', async () => {
    const timing = { totalMs: 25_000, modelMs: 24_100, backoffMs: 700, overheadMs: 200, throttles: 2, retries: 3, breakerOpen: 1 };
    const [unavailable] = await turnDocs({ result: 'failed', code: 'model_unavailable', questionClass: 'complex', timing });
    expect(values(unavailable)).toMatchObject({
      Turns: 1, TurnsFailed: 1, Errors: 1, TurnLatency: 25_000, Throttles: 2, Retries: 3, BreakerOpen: 1, BackoffTime: 700,
    });
    const [guardrail] = await turnDocs({ result: 'failed', code: 'guardrail_intervened', questionClass: 'simple', timing });
    expect(values(guardrail)).toMatchObject({ Turns: 1, TurnsFailed: 1, Errors: 0 });
  });

  test('a turn whose handler threw counts as a turn and an error, in no result', async () => {
    const docs = emf(await printed(() => recordTurnThrew(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics)));
    expect(docs).toHaveLength(1);
    expect(values(docs[0])).toMatchObject({ Turns: 1, Errors: 1 });
    expect(Object.values(results(docs[0]))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  test('a refused or replayed turn publishes counts only: no latency, no tokens, no per-profile document', async () => {
    for (const outcome of [{ result: 'refused', code: 'budget_exhausted' }, { result: 'replayed' }] as TurnOutcome[]) {
      const docs = await turnDocs(outcome);
      expect(docs).toHaveLength(1);
      expect(Object.keys(values(docs[0])).sort()).toEqual(
        ['Turns', ...Object.values(RESULT_METRICS), 'Errors', 'Throttles', 'Retries', 'BreakerOpen', 'Fallbacks', 'SettingsRejected', 'Unsupported'].sort());
      expect(values(docs[0])[RESULT_METRICS[outcome.result as keyof typeof RESULT_METRICS]]).toBe(1);
      expect(values(docs[0]).Errors).toBe(0);
    }
  });

  test('a degraded turn (every profile failed) is counted as degraded, not as a fallback or an error', async () => {
    const [doc, ...rest] = await turnDocs({ result: 'degraded', questionClass: 'complex', timing: { ...ANSWERED.timing!, retries: 4, breakerOpen: 2 } });
    expect(rest).toEqual([]);
    expect(values(doc)).toMatchObject({ TurnsDegraded: 1, TurnsAnswered: 0, Fallbacks: 0, Errors: 0, Retries: 4, BreakerOpen: 2 });
  });

  test('an answered turn: every count and duration under service, then time to first token and tokens again under service and Profile', async () => {
    const docs = await turnDocs({ ...ANSWERED, fallback: true });
    expect(docs).toHaveLength(2);
    const [perTurn, perProfile] = docs;
    expect(directive(perTurn)).toMatchObject({ Namespace: 'SupportChat', Dimensions: [['service']] });
    expect(perTurn.service).toBe('support-chat-turn');
    expect(values(perTurn)).toEqual({
      Turns: 1,
      TurnsAnswered: 1,
      TurnsReplayed: 0,
      TurnsDegraded: 0,
      TurnsRefused: 0,
      TurnsFailed: 0,
      TurnsGone: 0,
      TurnsHandedOff: 0,
      Errors: 0,
      TurnLatency: 1410,
      Overhead: 120,
      ModelTime: 1290,
      BackoffTime: 0,
      Throttles: 0,
      Retries: 0,
      BreakerOpen: 0,
      Fallbacks: 1,
      SettingsRejected: 0,
      Unsupported: 0,
      TimeToFirstToken: 322,
      InputTokens: 61,
      OutputTokens: 38,
    });
    expect(units(perTurn)).toMatchObject({ TurnLatency: 'Milliseconds', TimeToFirstToken: 'Milliseconds', Overhead: 'Milliseconds', Turns: 'Count', InputTokens: 'Count' });
    expect(directive(perProfile)).toMatchObject({ Namespace: 'SupportChat', Dimensions: [['service', 'Profile']] });
    expect(perProfile).toMatchObject({ service: 'support-chat-turn', Profile: PROFILE });
    expect(values(perProfile)).toEqual({ TimeToFirstToken: 322, InputTokens: 61, OutputTokens: 38 });
  });

  test('a turn that rejected the deployed settings version (invalid) counts SettingsRejected; one that could not read it does not', async () => {
    const rejected = { source: 'last-good', problem: 'AppConfig version invalid: models.fast: not an allowed profile', rejected: true } as const;
    const [doc] = await turnDocs({ ...ANSWERED, settings: rejected });
    expect(values(doc)).toMatchObject({ TurnsAnswered: 1, SettingsRejected: 1, Errors: 0 });
    const [unreadable] = await turnDocs({ ...ANSWERED, settings: { source: 'defaults', problem: 'AppConfig unreadable: TimeoutError' } });
    expect(values(unreadable).SettingsRejected).toBe(0);
  });

  test('the knowledge base had nothing, or the grounding check blocked the answer: Unsupported, answered and no error; a knowledge base down is degraded', async () => {
    for (const state of ['unsupported', 'grounding_blocked'] as const) {
      const [doc] = await turnDocs({ result: 'answered', code: state, knowledge: { state } });
      expect(values(doc)).toMatchObject({ TurnsAnswered: 1, Unsupported: 1, Errors: 0 });
    }
    const [grounded] = await turnDocs({ ...ANSWERED, knowledge: { state: 'grounded', citations: 2 } });
    expect(values(grounded)).toMatchObject({ TurnsAnswered: 1, Unsupported: 0 });
    const [down] = await turnDocs({ result: 'degraded', code: 'knowledge_unavailable', knowledge: { state: 'unavailable' } });
    expect(values(down)).toMatchObject({ TurnsDegraded: 1, Unsupported: 0, Errors: 0 });
  });

  test('a turn the client left (gone) is counted as gone', async () => {
    const [doc] = await turnDocs({ result: 'gone' });
    expect(values(doc)).toMatchObject({ TurnsGone: 1, Errors: 0 });
  });
});

describe('the turn\'s entry point (instrumentedTurn) with the real Powertools', () => {
  const LIMITS: TurnLimits = {
    maxInputCharacters: 20,
    historyMessages: 10,
    historyTokens: 6000,
    dailyTokensPerUser: 200_000,
    dailyTokensPerTenant: 50_000_000,
    turnDeadlineSeconds: 25,
  };
  // The validation runs before the turn touches anything else: `limits` is all a refused turn reads.
  const refusingDependencies = () => ({ limits: LIMITS }) as unknown as TurnDependencies;
  const request = (over: Partial<TurnRequest> = {}): TurnRequest => ({
    action: 'sendMessage', sub: SUB, conversationId: 'conv-7Qx', messageId: 'msg-0001', text: 'Where is my order 40412?', correlationId: 'Zk3b1H4kFiAFexQ=', ...over,
  });
  function stream() {
    const frames: string[] = [];
    const writable = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        frames.push(chunk.toString());
        callback();
      },
    });
    return { writable, frames: () => frames.join('') };
  }

  test('a turn that throws after two chunks: Errors 1, an ERROR line with the error, one internal error frame with the next seq, the stream ended', async () => {
    const out = stream();
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), refusingDependencies, async (req, _deps, send) => {
      await send(JSON.stringify({ type: 'chunk', conversationId: req.conversationId, messageId: req.messageId, seq: 0, text: 'Your parcel' }));
      await send(JSON.stringify({ type: 'chunk', conversationId: req.conversationId, messageId: req.messageId, seq: 1, text: ' left.' }));
      throw Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    });
    const lines = await printed(() => handler(request(), out.writable, CONTEXT));
    expect(out.writable.writableEnded).toBe(true);
    const frames = out.frames().split('\n').filter(Boolean).map((f) => JSON.parse(f));
    expect(frames.map((f) => [f.type, f.seq])).toEqual([['chunk', 0], ['chunk', 1], ['error', 2]]);
    expect(frames[2]).toMatchObject({ conversationId: 'conv-7Qx', messageId: 'msg-0001', code: 'internal' });
    expect(values(emf(lines)[0])).toMatchObject({ Turns: 1, Errors: 1 });
    expect(logs(lines)).toEqual([expect.objectContaining({
      level: 'ERROR',
      message: 'the turn threw',
      service: 'support-chat-turn',
      function_request_id: CONTEXT.awsRequestId,
      correlation_id: 'Zk3b1H4kFiAFexQ=',
      conversationId: 'conv-7Qx',
      messageId: 'msg-0001',
      error: expect.objectContaining({ name: 'ExpiredTokenException', message: 'The security token included in the request is expired' }),
    })]);
  });

  test('dependencies that cannot be built (a missing environment variable): one internal error frame, the stream ended', async () => {
    const out = stream();
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), () => turnDependencies({}));
    const lines = await printed(() => handler(request(), out.writable, CONTEXT));
    expect(out.writable.writableEnded).toBe(true);
    expect(out.frames().split('\n').filter(Boolean).map((f) => JSON.parse(f))).toEqual([expect.objectContaining({ type: 'error', seq: 0, code: 'internal' })]);
    expect(values(emf(lines)[0])).toMatchObject({ Turns: 1, Errors: 1 });
  });

  test('a turn that throws after its final frame: no second final frame', async () => {
    const out = stream();
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), refusingDependencies, async (req, _deps, send) => {
      await send(JSON.stringify({ type: 'done', conversationId: req.conversationId, messageId: req.messageId, seq: 0 }));
      throw new Error('settling failed');
    });
    await printed(() => handler(request(), out.writable, CONTEXT));
    expect(out.frames().split('\n').filter(Boolean).map((f) => JSON.parse(f).type)).toEqual(['done']);
    expect(out.writable.writableEnded).toBe(true);
  });

  test('a refused turn through the real runTurn: its error frame on the stream, the log line with the ids, the EMF of a refusal', async () => {
    const out = stream();
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), refusingDependencies);
    const lines = await printed(() => handler(request({ text: 'x'.repeat(21) }), out.writable, CONTEXT));
    expect(out.writable.writableEnded).toBe(true);
    expect(out.frames().endsWith('\n')).toBe(true);
    expect(JSON.parse(out.frames())).toMatchObject({ type: 'error', code: 'input_too_long', conversationId: 'conv-7Qx', messageId: 'msg-0001' });
    const docs = emf(lines);
    expect(docs).toHaveLength(1);
    expect(values(docs[0])).toMatchObject({ Turns: 1, TurnsRefused: 1, Errors: 0 });
    expect(logs(lines)).toEqual([expect.objectContaining({
      level: 'INFO',
      message: 'turn ended',
      service: 'support-chat-turn',
      function_request_id: CONTEXT.awsRequestId,
      cold_start: expect.any(Boolean),
      correlation_id: 'Zk3b1H4kFiAFexQ=',
      conversationId: 'conv-7Qx',
      messageId: 'msg-0001',
      action: 'sendMessage',
      outcome: { result: 'refused', code: 'input_too_long' },
    })]);
  });

  test('an answered turn: frames newline-delimited and the stream ended; logs and metrics carry no user id and no text', async () => {
    const out = stream();
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), refusingDependencies, async (req, _deps, send) => {
      await send(JSON.stringify({ type: 'chunk', conversationId: req.conversationId, messageId: req.messageId, seq: 0, text: 'Your parcel left our' }));
      await send(JSON.stringify({ type: 'chunk', conversationId: req.conversationId, messageId: req.messageId, seq: 1, text: ' warehouse today.' }));
      await send(JSON.stringify({ type: 'done', conversationId: req.conversationId, messageId: req.messageId, seq: 2, usage: ANSWERED.usage }));
      return ANSWERED;
    });
    const lines = await printed(() => handler(request(), out.writable, CONTEXT));
    expect(out.frames().split('\n').filter(Boolean).map((f) => JSON.parse(f).type)).toEqual(['chunk', 'chunk', 'done']);
    expect(out.writable.writableEnded).toBe(true);
    expect(emf(lines).map((d) => directive(d).Dimensions)).toEqual([[['service']], [['service', 'Profile']]]);
    expect(logs(lines)).toEqual([expect.objectContaining({ message: 'turn ended', outcome: ANSWERED })]);
    const everything = JSON.stringify(lines);
    for (const secret of [SUB, 'Where is my order', 'warehouse today']) expect(everything).not.toContain(secret);
  });

  test('ids that are not the protocol\'s are logged as "invalid", not reflected', async () => {
    const handler = instrumentedTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn), refusingDependencies);
    const lines = await printed(() => handler(request({ conversationId: '<script>'.repeat(20), correlationId: 'a b' }), stream().writable));
    expect(logs(lines)[0]).toMatchObject({ conversationId: 'invalid', messageId: 'msg-0001', correlation_id: 'invalid', outcome: { result: 'refused', code: 'bad_ids' } });
  });
});

describe('the relay\'s entry point (instrumentedRelay) with the real Powertools', () => {
  const event = (routeKey: string, body?: object): RelayLambdaEvent => ({
    requestContext: {
      routeKey, connectionId: 'Zk3abcDEFgoCFtw=', requestId: 'Zk3b1H4kFiAFexQ=', authorizer: { sub: SUB, groups: 'customer', exp: String(Math.floor(Date.now() / 1000) + 3600) },
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const message = { action: 'sendMessage', conversationId: 'conv-7Qx', messageId: 'msg-0001', text: 'Where is my order 40412?' };
  const frame = (type: string, seq: number) => JSON.stringify({ type, conversationId: 'conv-7Qx', messageId: 'msg-0001', seq, ...(type === 'chunk' && { text: 'Hello' }) });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const disconnect = async () => undefined;

  test('the turn\'s invocation failing: Errors 1, an ERROR line, the client gets internal and the invocation answers 200', async () => {
    const invokeTurn: TurnInvoker = async function* () {
      yield frame('chunk', 0);
      throw new Error('the turn failed: Unhandled Runtime.ExitError');
    };
    const posted: string[] = [];
    const post = async (_: string, f: string) => { posted.push(f); };
    const relay = instrumentedRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay), { invokeTurn, post, disconnect });
    const lines = await printed(async () => expect(await relay(event('$default', message))).toEqual({ statusCode: 200 }));
    expect(posted.map((f) => (JSON.parse(f) as { type: string; code?: string }).code ?? 'chunk')).toEqual(['chunk', 'internal']);
    expect(values(emf(lines)[0])).toMatchObject({ Errors: 1, Messages: 1, ClientGone: 0 });
    expect(logs(lines).map((l) => [l.level, l.message])).toEqual([['ERROR', 'the relay failed'], ['INFO', 'message relayed']]);
  });

  test('a client that left (GoneException) is counted as gone, not as an error', async () => {
    const gone = Object.assign(new Error('Gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    const invokeTurn: TurnInvoker = async function* () {
      yield frame('chunk', 0);
      yield frame('chunk', 1);
      yield frame('done', 2);
    };
    let posts = 0;
    const post = async () => { if (++posts === 2) throw gone; };
    const relay = instrumentedRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay), { invokeTurn, post, disconnect });
    const lines = await printed(async () => expect(await relay(event('$default', message))).toEqual({ statusCode: 200 }));
    expect(values(emf(lines)[0])).toMatchObject({ Errors: 0, Messages: 1, ClientGone: 1 });
  });

  test('passes API Gateway\'s request id to the turn as correlationId, logs it as correlation_id, and times the first text frame', async () => {
    const requests: TurnRequest[] = [];
    const invokeTurn: TurnInvoker = async function* (request) {
      requests.push(request);
      await sleep(30);
      yield frame('chunk', 0);
      yield frame('done', 1);
    };
    const posted: string[] = [];
    const post = async (_: string, f: string) => { posted.push(f); };
    const relay = instrumentedRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay), { invokeTurn, post, disconnect });
    const lines = await printed(() => relay(event('$default', message), { ...CONTEXT, functionName: 'support-chat-relay' }));
    expect(requests).toEqual([{ action: 'sendMessage', sub: SUB, conversationId: 'conv-7Qx', messageId: 'msg-0001', text: message.text, correlationId: 'Zk3b1H4kFiAFexQ=' }]);
    expect(posted).toHaveLength(2);
    const [doc] = emf(lines);
    expect(directive(doc)).toMatchObject({ Namespace: 'SupportChat', Dimensions: [['service']] });
    expect(doc.service).toBe('support-chat-relay');
    expect(values(doc)).toMatchObject({ Errors: 0, Messages: 1, ClientGone: 0 });
    expect(values(doc).TimeToFirstChunk).toBeGreaterThanOrEqual(25);
    expect(logs(lines)).toEqual([expect.objectContaining({
      message: 'message relayed',
      service: 'support-chat-relay',
      correlation_id: 'Zk3b1H4kFiAFexQ=',
      connectionId: 'Zk3abcDEFgoCFtw=',
      routeKey: '$default',
      function_request_id: CONTEXT.awsRequestId,
    })]);
  });

  test('$connect publishes Errors 0 and no message metrics', async () => {
    const neverInvoked: TurnInvoker = async function* () { /* $connect does not run a turn */ };
    const post = async () => undefined;
    const relay = instrumentedRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay), { invokeTurn: neverInvoked, post, disconnect });
    const lines = await printed(() => relay(event('$connect')));
    expect(values(emf(lines)[0])).toEqual({ Errors: 0 });
    expect(logs(lines)).toEqual([]);
  });
});

describe('the authorizer\'s entry point with the real Powertools', () => {
  let issuer: LocalJwtIssuer;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    issuer = await LocalJwtIssuer.start({ region: 'eu-central-1', userPoolId: 'eu-central-1_ChatPool1' });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await issuer.close();
  });
  const connect = (token?: string) => ({
    methodArn: 'arn:aws:execute-api:eu-central-1:741852096357:abcdef1234/live/$connect',
    headers: {},
    queryStringParameters: token ? { token } : null,
    requestContext: { connectionId: 'Zk3abcDEFgoCFtw=', requestId: 'Zk3aZH4kFiAFexQ=' },
  });

  test('without its settings it fails (Errors 1, ERROR line); with them it refuses a missing token and authorizes a valid one', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    delete process.env.USER_POOL_ID;
    const broken = await printed(() => authorizerHandler(connect('x')).catch(() => undefined));
    expect(values(emf(broken)[0])).toEqual({ ConnectionsAuthorized: 0, ConnectionsRefused: 0, Errors: 1 });
    expect(logs(broken)).toEqual([expect.objectContaining({ level: 'ERROR', service: 'support-chat-authorizer', correlation_id: 'Zk3aZH4kFiAFexQ=' })]);

    Object.assign(process.env, { USER_POOL_ID: issuer.userPoolId, CLIENT_ID: issuer.clientId, TOKEN_USE: 'id', JWKS_URL: issuer.jwksUrl });
    const refused = await printed(() => authorizerHandler(connect()).catch(() => undefined));
    expect(values(emf(refused)[0])).toEqual({ ConnectionsAuthorized: 0, ConnectionsRefused: 1, Errors: 0 });
    const authorized = await printed(() => authorizerHandler(connect(issuer.mintIdToken({ username: 'ana', sub: SUB, groups: ['customer'] }))));
    expect(values(emf(authorized)[0])).toEqual({ ConnectionsAuthorized: 1, ConnectionsRefused: 0, Errors: 0 });
    expect(directive(emf(authorized)[0]).Dimensions).toEqual([['service']]);
    expect(emf(authorized)[0].service).toBe('support-chat-authorizer');
    jest.restoreAllMocks();
  });
});

describe('the metric catalog names exactly what the handlers publish', () => {
  test('every SupportChat entry is printed with its dimension sets and a unit of its kind, and nothing else is printed', async () => {
    const lines = await printed(() => {
      recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, { ...ANSWERED, costUsd: 0.00231 });
      recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, { result: 'rated', rating: { result: 'rated', score: 5 } });
      recordRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay).metrics, { invokedTurn: true, clientGone: false, threw: false, firstChunkMs: 410 });
      recordAuthorization(createTelemetry(SUPPORT_CHAT_SERVICES.authorizer).metrics, 'authorized');
      recordSync(createTelemetry(SUPPORT_CHAT_SERVICES.knowledgeSync).metrics, { started: 'KNOWLEDGEJOB1', failures: 0, reasons: [] });
    });
    const published = new Map<string, string>();
    for (const doc of emf(lines)) {
      const { Namespace, Dimensions, Metrics } = directive(doc);
      expect(Namespace).toBe(SUPPORT_CHAT_METRICS_NAMESPACE);
      for (const set of Dimensions) for (const m of Metrics) published.set(`${m.Name} [${[...set].sort().join(',')}]`, m.Unit);
    }
    const tenantEntries = METRIC_CATALOG.filter((m) => m.namespace === SUPPORT_CHAT_METRICS_NAMESPACE);
    const catalogued = new Map<string, string>(tenantEntries.flatMap((m) => m.dimensionSets.map((set) =>
      [`${m.metricName} [${[...set].sort().join(',')}]`, m.kind === 'duration' ? 'Milliseconds' : 'Count'] as [string, string])));
    expect(Object.fromEntries([...published].sort())).toEqual(Object.fromEntries([...catalogued].sort()));
    // Only the service and the profile are dimensions: no user, conversation or connection ever becomes one.
    const dimensions = new Set(emf(lines).flatMap((d) => directive(d).Dimensions.flat()));
    expect(dimensions).toEqual(new Set([SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_PROFILE_DIMENSION]));
    expect(Object.keys(TURN_METRICS)).toEqual(expect.arrayContaining([...PROFILE_METRICS]));
  });
});

describe('the turn\'s AWS clients go through the instrument (Tracer\'s captureAWSv3Client in Lambda)', () => {
  test('Bedrock, STS, DynamoDB and the AppConfig data client are each passed to it once built', async () => {
    const seen: string[] = [];
    const deps = turnDependencies({
      TABLE_NAME: 't',
      TABLE_ARN: 'arn:aws:dynamodb:eu-central-1:123456789012:table/t',
      DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/d',
      GUARDRAIL_ARN: 'arn:aws:bedrock:eu-central-1:123456789012:guardrail/g',
      GUARDRAIL_VERSION: '1',
      RETENTION_DAYS: '90',
      MODELS: JSON.stringify({ classifier: 'eu.a', fast: 'eu.a', capable: 'eu.b', fallback: [] }),
      ALLOWED_PROFILES: JSON.stringify(['eu.a', 'eu.b']),
      LIMITS: JSON.stringify({}),
      APPCONFIG_APPLICATION: 'app',
      APPCONFIG_ENVIRONMENT: 'env',
      APPCONFIG_PROFILE: 'profile',
    }, 'eu-central-1', (client) => {
      seen.push(client.constructor.name);
      return client;
    });
    expect(seen.sort()).toEqual(['AppConfigDataClient', 'BedrockRuntimeClient', 'DynamoDBClient', 'STSClient']);
    deps.bedrock.destroy();
  });
});
