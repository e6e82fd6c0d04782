import { request as httpRequest } from 'node:http';
import {
  ApplyGuardrailCommand, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseStreamCommandInput, type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import {
  BEDROCK_FAULTS, BedrockEmulator, defaultAnswer, emulatorClientConfig, type RunningBedrockEmulator, THROTTLE,
} from '../../emulators/bedrock-runtime/bedrock-emulator';

const PROFILE = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const REGION = 'eu-central-1';

let emulator: BedrockEmulator;
let running: RunningBedrockEmulator;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  emulator = new BedrockEmulator();
  running = await emulator.start();
  client = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, REGION), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await running.close();
});

beforeEach(() => emulator.reset());

function input(text: string, extra: Partial<ConverseStreamCommandInput> = {}): ConverseStreamCommandInput {
  return { modelId: PROFILE, messages: [{ role: 'user', content: [{ text }] }], ...extra };
}

/** Every event of a ConverseStream answer, with the time (ms after the send) each arrived. */
async function streamAll(params: ConverseStreamCommandInput, on: BedrockRuntimeClient = client) {
  const sentAt = performance.now();
  const response = await on.send(new ConverseStreamCommand(params));
  const events: { event: ConverseStreamOutput; at: number }[] = [];
  for await (const event of response.stream!) events.push({ event, at: performance.now() - sentAt });
  return { response, events, types: events.map((e) => Object.keys(e.event)[0]) };
}

/** Reads the stream event by event into `seen`, and returns the error that ends it (or undefined if it ends normally). */
async function iterateUntilError(params: ConverseStreamCommandInput, seen: ConverseStreamOutput[]): Promise<unknown> {
  try {
    const response = await client.send(new ConverseStreamCommand(params));
    for await (const event of response.stream!) seen.push(event);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** `promise`, or the string 'timeout' after `ms`: a hang fails the test instead of stalling it. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Headers shaped like a SigV4 signature for `service` (the emulator checks the shape, not the signature). */
function fakeSigV4Headers(service: string): Record<string, string> {
  return {
    'x-amz-date': '20260101T000000Z',
    'authorization': `AWS4-HMAC-SHA256 Credential=AKID/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  };
}

function deltas(events: ConverseStreamOutput[]): string[] {
  return events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta!.delta!.text!);
}

describe('Bedrock emulator: ConverseStream through the real SDK client', () => {
  test('the text arrives in order as contentBlockDelta events, then messageStop and metadata with the usage', async () => {
    const answer = 'Your order 4711 shipped on Monday; it should arrive by Thursday. Ünïcödé stays whole: 日本語のテキスト.';
    emulator.queue({ answer, chunkSize: 7, usage: { inputTokens: 321, outputTokens: 54 } });
    const { events, types } = await streamAll(input('Where is my order 4711?'));
    const texts = deltas(events.map((e) => e.event));
    expect(texts.join('')).toBe(answer);
    expect(texts).toHaveLength(Math.ceil(Array.from(answer).length / 7));
    expect(texts.every((t) => Array.from(t).length <= 7)).toBe(true);
    expect(types).toEqual(['messageStart', ...texts.map(() => 'contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
    const byType = Object.fromEntries(events.map(({ event }) => [Object.keys(event)[0], Object.values(event)[0]]));
    expect(byType.messageStart).toEqual({ role: 'assistant' });
    expect(byType.contentBlockStop).toEqual({ contentBlockIndex: 0 });
    expect(byType.messageStop.stopReason).toBe('end_turn');
    expect(byType.metadata.usage).toEqual({ inputTokens: 321, outputTokens: 54, totalTokens: 375 });
    expect(typeof byType.metadata.metrics.latencyMs).toBe('number');
    expect(emulator.requests[0]).toMatchObject({ operation: 'ConverseStream', outcome: 'completed', chunksSent: texts.length });
  });

  test('without a script the answer is generated from the prompt, deterministically, with estimated usage', async () => {
    const first = await streamAll(input('Can I return shoes after 30 days?'));
    const second = await streamAll(input('Can I return shoes after 30 days?'));
    const other = await streamAll(input('Do you ship to Norway?'));
    const text = (r: typeof first) => deltas(r.events.map((e) => e.event)).join('');
    expect(text(first)).toBe(defaultAnswer(emulator.requests[0]));
    expect(text(first)).toContain('Can I return shoes after 30 days?');
    expect(text(second)).toBe(text(first));
    expect(text(other)).not.toBe(text(first));
    const usage = first.events.find((e) => e.event.metadata)!.event.metadata!.usage!;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(Math.ceil(text(first).length / 4));
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
  });

  test('the first-token delay and the inter-token delay are honoured', async () => {
    emulator.queue({ answer: 'abcdefghij', chunkSize: 2, firstTokenDelayMs: 300, interTokenDelayMs: 40 });
    const slow = await streamAll(input('hello'));
    const arrivals = slow.events.filter((e) => e.event.contentBlockDelta).map((e) => e.at);
    expect(arrivals).toHaveLength(5);
    expect(arrivals[0]).toBeGreaterThanOrEqual(290);
    expect(arrivals[0]).toBeLessThan(1_300);
    expect(arrivals[4] - arrivals[0]).toBeGreaterThanOrEqual(4 * 40 - 10);
    const record = emulator.requests[0];
    expect(record.firstTokenAt! - record.receivedAt).toBeGreaterThanOrEqual(295);

    const quick = await streamAll(input('hello'));
    expect(quick.events.find((e) => e.event.contentBlockDelta)!.at).toBeLessThan(arrivals[0] - 200);
  });

  test('throttling before the stream surfaces as ThrottlingException with status 429, and nothing is retried', async () => {
    emulator.queue(THROTTLE);
    const error = await client.send(new ConverseStreamCommand(input('hi'))).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ThrottlingException', message: BEDROCK_FAULTS.throttling.message, $fault: 'client', $metadata: { httpStatusCode: 429 },
    });
    expect((error as { $metadata: { requestId?: string } }).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.requests.map((r) => r.outcome)).toEqual(['fault']);
  });

  test('the client\'s own retries are real requests: two throttles then an answer take three calls', async () => {
    const retrying = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, REGION), maxAttempts: 3 });
    try {
      emulator.queue(THROTTLE, { times: 2 }).queue({ answer: 'third time lucky' });
      const { events } = await streamAll(input('hi'), retrying);
      expect(deltas(events.map((e) => e.event)).join('')).toBe('third time lucky');
      expect(emulator.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'completed']);
    } finally {
      retrying.destroy();
    }
  });

  test('a 503 surfaces as ServiceUnavailableException, a 500 as InternalServerException, both server faults', async () => {
    emulator.queue({ fault: BEDROCK_FAULTS.serviceUnavailable }).queue({ fault: BEDROCK_FAULTS.internal });
    const unavailable = await client.send(new ConverseStreamCommand(input('hi'))).catch((e: unknown) => e);
    expect(unavailable).toMatchObject({ name: 'ServiceUnavailableException', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    const internal = await client.send(new ConverseStreamCommand(input('hi'))).catch((e: unknown) => e);
    expect(internal).toMatchObject({ name: 'InternalServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  test.each([
    ['modelStreamErrorException', 'ModelStreamErrorException'],
    ['throttlingException', 'ThrottlingException'],
    ['serviceUnavailableException', 'ServiceUnavailableException'],
    ['internalServerException', 'InternalServerException'],
    ['validationException', 'ValidationException'],
  ] as const)('a %s sent mid-stream surfaces as %s while iterating, after the text before it', async (type, name) => {
    emulator.queue({ answer: 'one two three four five six', chunkSize: 4, streamException: { afterChunks: 3, type, message: `boom: ${type}` } });
    const seen: ConverseStreamOutput[] = [];
    const error = await within(iterateUntilError(input('hi'), seen), 5_000);
    expect(error).toMatchObject({ name, message: `boom: ${type}` });
    expect(deltas(seen)).toEqual(['one ', 'two ', 'thre']);
    expect(seen.some((e) => e.messageStop)).toBe(false);
    expect(emulator.requests[0].outcome).toBe('stream-exception');
  });

  // Over HTTP/2, the SDK's default, the SDK ends the iteration without an error when the connection goes between two
  // event frames (Node's ClientHttp2Stream just ends, whatever closed it: FIN, RST, RST_STREAM, GOAWAY); only a frame
  // torn in two raises ("Truncated event message received."). A caller must treat a stream without messageStop as failed.
  test('a connection cut between frames ends the iteration with no messageStop (not a hang, and no error from the SDK)', async () => {
    emulator.queue({ answer: 'a'.repeat(40), chunkSize: 5, interTokenDelayMs: 5, cut: { afterChunks: 3 } });
    const seen: ConverseStreamOutput[] = [];
    const error = await within(iterateUntilError(input('hi'), seen), 5_000);
    expect(error).toBeUndefined();
    expect(deltas(seen)).toEqual(['aaaaa', 'aaaaa', 'aaaaa']);
    expect(seen.some((e) => e.messageStop || e.metadata)).toBe(false);
    expect(emulator.requests[0].outcome).toBe('cut');
  });

  test('a connection cut through a frame surfaces as an error while iterating, not a hang', async () => {
    emulator.queue({ answer: 'b'.repeat(40), chunkSize: 5, interTokenDelayMs: 5, cut: { afterChunks: 2, partialFrame: true } });
    const seen: ConverseStreamOutput[] = [];
    const error = await within(iterateUntilError(input('hi'), seen), 5_000);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/truncated/i);
    expect(deltas(seen)).toEqual(['bbbbb', 'bbbbb']);
    expect(emulator.requests[0].outcome).toBe('cut');
  });

  test('over HTTP/1.1 a cut between frames aborts the chunked response', async () => {
    emulator.queue({ answer: 'c'.repeat(40), chunkSize: 5, cut: { afterChunks: 3 } });
    const outcome = await within(new Promise<string>((resolve) => {
      const body = JSON.stringify(input('hi'));
      const req = httpRequest(`${running.endpoint}/model/${encodeURIComponent(PROFILE)}/converse-stream`, {
        method: 'POST', headers: { ...fakeSigV4Headers('bedrock'), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
        res.on('error', (e: NodeJS.ErrnoException) => resolve(`${res.statusCode} ${res.headers['content-type']} error ${e.code} after ${bytes > 0}`));
        res.on('end', () => resolve('end'));
      });
      req.end(body);
    }), 5_000);
    expect(outcome).toBe('200 application/vnd.amazon.eventstream error ECONNRESET after true');
    expect(emulator.requests[0].outcome).toBe('cut');
  });

  test('a guardrail intervention streams the guardrail\'s message with stopReason guardrail_intervened and the trace asked for', async () => {
    const guardrailConfig = { guardrailIdentifier: 'gr-support-1', guardrailVersion: '3', trace: 'enabled' as const };
    emulator.queue({ guardrail: { message: 'I can only help with questions about your orders.' } });
    const { events } = await streamAll(input('Tell me how to pick a lock', { guardrailConfig }));
    const all = events.map((e) => e.event);
    expect(deltas(all).join('')).toBe('I can only help with questions about your orders.');
    expect(all.find((e) => e.messageStop)!.messageStop!.stopReason).toBe('guardrail_intervened');
    const trace = all.find((e) => e.metadata)!.metadata!.trace!.guardrail!;
    expect(trace.inputAssessment!['gr-support-1'].topicPolicy!.topics![0]).toMatchObject({ type: 'DENY', action: 'BLOCKED' });
    expect(emulator.requests[0].outcome).toBe('guardrail-intervened');
  });

  test('no trace is sent when the request did not ask for one', async () => {
    emulator.queue({ guardrail: { source: 'output' } });
    const { events } = await streamAll(input('hi', { guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1' } }));
    const metadata = events.find((e) => e.event.metadata)!.event.metadata!;
    expect(metadata.trace).toBeUndefined();
  });

  test('profile ids and ARNs (URL-encoded by the SDK), the guardrailConfig, system and inferenceConfig are recorded as sent', async () => {
    const arn = 'arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile/support-chat-fast';
    const guardrailConfig = {
      guardrailIdentifier: 'arn:aws:bedrock:eu-central-1:111122223333:guardrail/abc123',
      guardrailVersion: '7',
      trace: 'disabled' as const,
      streamProcessingMode: 'async' as const,
    };
    const system = [{ text: 'You are the support assistant of Example Shop.' }];
    const inferenceConfig = { maxTokens: 512, temperature: 0.2 };
    await streamAll(input('first', { guardrailConfig, system, inferenceConfig }));
    await streamAll(input('second', { modelId: arn }));
    const [profileCall, arnCall] = emulator.requests;
    expect(profileCall.modelId).toBe(PROFILE);
    expect(profileCall.path).toContain(encodeURIComponent(PROFILE));
    expect(profileCall.guardrailConfig).toEqual(guardrailConfig);
    expect(profileCall.system).toEqual(system);
    expect(profileCall.inferenceConfig).toEqual(inferenceConfig);
    expect(profileCall.messages).toEqual([{ role: 'user', content: [{ text: 'first' }] }]);
    expect(profileCall.httpVersion).toBe('2.0');
    expect(profileCall.signingRegion).toBe(REGION);
    expect(profileCall.accessKeyId).toBe(emulatorClientConfig('').credentials.accessKeyId);
    expect(profileCall.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/eu-central-1\/bedrock\/aws4_request/);
    expect(arnCall.modelId).toBe(arn);
    expect(arnCall.path).not.toContain('/application-inference-profile/');
    expect(arnCall.guardrailConfig).toBeUndefined();
  });

  test('a script picks behaviours by model id and call order; queued behaviours go first', async () => {
    emulator.script((r) => (r.modelId === 'fast-model' && r.modelSequence === 0 ? THROTTLE : { answer: `#${r.sequence} ${r.modelId}` }));
    emulator.queue({ answer: 'queued for capable' }, { modelId: 'capable-model' });
    const run = (modelId: string) => streamAll(input('q', { modelId }))
      .then((r) => deltas(r.events.map((e) => e.event)).join(''), (e: Error) => e.name);
    expect(await run('capable-model')).toBe('queued for capable');
    expect(await run('fast-model')).toBe('ThrottlingException');
    expect(await run('fast-model')).toBe('#2 fast-model');
    expect(await run('capable-model')).toBe('#3 capable-model');
  });

  test('concurrent streams are counted, and a client that goes away mid-stream stops the answer', async () => {
    emulator.script(() => ({ answer: 'x'.repeat(20), chunkSize: 2, interTokenDelayMs: 15 }));
    await Promise.all(Array.from({ length: 6 }, () => streamAll(input('hi'))));
    expect(emulator.peakStreams).toBe(6);
    expect(emulator.activeStreams).toBe(0);

    const abort = new AbortController();
    const response = await client.send(new ConverseStreamCommand(input('hi')), { abortSignal: abort.signal });
    const iteration = (async () => {
      for await (const event of response.stream!) if (event.contentBlockDelta) abort.abort();
    })().catch((e: Error) => e);
    expect(await within(iteration, 5_000)).not.toBe('timeout');
    for (const deadline = Date.now() + 5_000; emulator.activeStreams > 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 5));
    expect(emulator.activeStreams).toBe(0);
    expect(emulator.requests.at(-1)!.outcome).toBe('client-closed');
  });
});

describe('Bedrock emulator: Converse (the fallback path) through the real SDK client', () => {
  test('answers with output.message, stopReason, usage and metrics', async () => {
    emulator.queue({ answer: 'Fallback answer.', usage: { inputTokens: 10, outputTokens: 3 } });
    const out = await client.send(new ConverseCommand(input('hi')));
    expect(out.output?.message).toEqual({ role: 'assistant', content: [{ text: 'Fallback answer.' }] });
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage).toEqual({ inputTokens: 10, outputTokens: 3, totalTokens: 13 });
    expect(typeof out.metrics?.latencyMs).toBe('number');
    expect(emulator.requests[0]).toMatchObject({ operation: 'Converse', modelId: PROFILE, outcome: 'completed' });
  });

  test('throttling, a guardrail intervention and a stream exception map to what Converse answers', async () => {
    emulator.queue(THROTTLE)
      .queue({ guardrail: { message: 'Blocked.' } })
      .queue({ streamException: { afterChunks: 0, type: 'modelStreamErrorException' } });
    const throttled = await client.send(new ConverseCommand(input('hi'))).catch((e: unknown) => e);
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    const blocked = await client.send(new ConverseCommand(input('hi', {
      guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '2', trace: 'enabled' },
    })));
    expect(blocked.stopReason).toBe('guardrail_intervened');
    expect(blocked.output?.message?.content?.[0].text).toBe('Blocked.');
    expect(blocked.trace?.guardrail?.inputAssessment?.['gr-1']).toBeDefined();
    const modelError = await client.send(new ConverseCommand(input('hi'))).catch((e: unknown) => e);
    expect(modelError).toMatchObject({ name: 'ModelErrorException', $metadata: { httpStatusCode: 424 } });
  });
});

describe('Bedrock emulator: requests AWS would refuse', () => {
  test('an unsigned request is refused with 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${running.endpoint}/model/${encodeURIComponent(PROFILE)}/converse-stream`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input('hi')),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')?.split(':')[0]).toBe('MissingAuthenticationTokenException');
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(emulator.requests[0]).toMatchObject({ outcome: 'refused', httpVersion: '1.1' });
  });

  test('the SDK surfaces the refusal of a request sent without its signature', async () => {
    const unsigned = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, REGION), maxAttempts: 1 });
    unsigned.middlewareStack.add((next) => async (args) => {
      delete (args.request as { headers: Record<string, string> }).headers.authorization;
      return next(args);
    }, { step: 'deserialize', name: 'stripAuthorization' });
    try {
      const error = await unsigned.send(new ConverseStreamCommand(input('hi'))).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'MissingAuthenticationTokenException', $metadata: { httpStatusCode: 403 } });
    } finally {
      unsigned.destroy();
    }
  });

  test('a signature scoped to another service is refused', async () => {
    const res = await fetch(`${running.endpoint}/model/m/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fakeSigV4Headers('s3') },
      body: JSON.stringify(input('hi')),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')?.split(':')[0]).toBe('InvalidSignatureException');
  });

  test('a conversation that does not start with a user message is a ValidationException', async () => {
    const error = await client.send(new ConverseStreamCommand({ modelId: PROFILE, messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('Bedrock emulator: the guardrail\'s input policy reads what Bedrock documents (guardContent)', () => {
  const CARD = /\b4111 1111 1111 1111\b/;
  const guardrailConfig = { guardrailIdentifier: 'arn:aws:bedrock:eu-central-1:123456789012:guardrail/emulated01', guardrailVersion: '1' };
  const history = [
    { role: 'user' as const, content: [{ text: 'My card is 4111 1111 1111 1111, charge it.' }] },
    { role: 'assistant' as const, content: [{ text: 'I cannot take card numbers here.' }] },
  ];

  test('without guardContent every message is evaluated: a card number earlier in the history blocks the request', async () => {
    emulator.queue({ inputPolicy: { blocks: CARD } });
    const { events } = await streamAll({ modelId: PROFILE, guardrailConfig, messages: [...history, { role: 'user', content: [{ text: 'Where is my order?' }] }] });
    expect(events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('guardrail_intervened');
    expect(emulator.requests[0].outcome).toBe('guardrail-intervened');
  });

  test('with guardContent only the guarded blocks are evaluated: the same history passes, a guarded card number is blocked', async () => {
    emulator.queue({ inputPolicy: { blocks: CARD } }, { times: 2 });
    const clean = await streamAll({ modelId: PROFILE, guardrailConfig, messages: [...history, { role: 'user', content: [{ guardContent: { text: { text: 'Where is my order?' } } }] }] });
    expect(clean.events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('end_turn');
    // The model reads the guarded text as part of the message.
    expect(clean.events.map((e) => e.event.contentBlockDelta?.delta?.text ?? '').join('')).toContain('Where is my order?');
    const blocked = await streamAll({ modelId: PROFILE, guardrailConfig, messages: [{ role: 'user', content: [{ guardContent: { text: { text: 'Card 4111 1111 1111 1111' } } }] }] });
    expect(blocked.events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('guardrail_intervened');
  });

  test('a request without a guardrailConfig is not evaluated', async () => {
    emulator.queue({ inputPolicy: { blocks: CARD } });
    const { events } = await streamAll({ modelId: PROFILE, messages: [{ role: 'user', content: [{ text: 'Card 4111 1111 1111 1111' }] }] });
    expect(events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('end_turn');
  });
});

describe('Bedrock emulator: guardContent qualifiers and the contextual grounding check', () => {
  const CARD = /\b4111 1111 1111 1111\b/;
  const guardrailConfig = { guardrailIdentifier: 'emulated02', guardrailVersion: '1', trace: 'enabled' as const };
  const grounded = (source: string, question: string, questionQualifiers: ('query' | 'guard_content')[] = ['query', 'guard_content']) => ({
    modelId: PROFILE,
    guardrailConfig,
    messages: [{
      role: 'user' as const,
      content: [
        { guardContent: { text: { text: source, qualifiers: ['grounding_source' as const] } } },
        { guardContent: { text: { text: question, qualifiers: questionQualifiers } } },
      ],
    }],
  });

  test('a block qualified only grounding_source or query is outside the input policy; guard_content is inside', async () => {
    emulator.queue({ inputPolicy: { blocks: CARD } }, { times: 3 });
    const stop = async (params: ConverseStreamCommandInput) =>
      (await streamAll(params)).events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason;
    expect(await stop(grounded('Never send 4111 1111 1111 1111 in the chat.', 'Is my card safe?'))).toBe('end_turn');
    expect(await stop(grounded('[1] Cards\nWe accept cards.', 'Card 4111 1111 1111 1111 ok?', ['query']))).toBe('end_turn');
    expect(await stop(grounded('[1] Cards\nWe accept cards.', 'Card 4111 1111 1111 1111 ok?'))).toBe('guardrail_intervened');
  });

  test('a scripted grounding intervention: the guardrail\'s message, guardrail_intervened, and a contextualGroundingPolicy output assessment', async () => {
    emulator.queue({ guardrail: { message: 'Withheld.', grounding: { groundingScore: 0.2, relevanceScore: 0.95, threshold: 0.7 } } });
    const { events } = await streamAll(grounded('[1] Returns\nReturns within 30 days.', 'How long to return?'));
    expect(deltas(events.map((e) => e.event)).join('')).toBe('Withheld.');
    expect(events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('guardrail_intervened');
    const trace = events.find((e) => e.event.metadata)?.event.metadata?.trace?.guardrail;
    expect(trace?.outputAssessments?.emulated02?.[0]?.contextualGroundingPolicy?.filters).toEqual([
      { type: 'GROUNDING', threshold: 0.7, score: 0.2, action: 'BLOCKED', detected: true },
      { type: 'RELEVANCE', threshold: 0.7, score: 0.95, action: 'NONE', detected: false },
    ]);
  });

  test('no grounding check without a grounding source and a query: the scripted intervention does not apply', async () => {
    emulator.queue({ guardrail: { grounding: {} } });
    const { events } = await streamAll({ ...input('How long to return?'), guardrailConfig });
    expect(events.find((e) => e.event.messageStop)?.event.messageStop?.stopReason).toBe('end_turn');
  });

  test('the default answer of a grounded request quotes its first source\'s first sentence (no markdown heading) and cites it', async () => {
    const { events } = await streamAll(grounded('[1] Returns\n# Returns\nReturns are free within 30 days. Labels are prepaid.', 'How long?'));
    expect(deltas(events.map((e) => e.event)).join('')).toBe(`[${PROFILE}] Returns are free within 30 days. [1]`);
  });
});

describe('Bedrock emulator: ApplyGuardrail through the real SDK client (regexes for e-mail, phone and card entities, not Bedrock\'s detectors)', () => {
  const GUARDRAIL = `arn:aws:bedrock:${REGION}:123456789012:guardrail/emul4t0r0001`;
  const apply = (text: string, source: 'INPUT' | 'OUTPUT' = 'INPUT') =>
    client.send(new ApplyGuardrailCommand({ guardrailIdentifier: GUARDRAIL, guardrailVersion: '3', source, content: [{ text: { text } }] }));

  test('ANONYMIZE entities come back masked as {TYPE}, with the assessment, the usage and the path the SDK sends', async () => {
    const text = 'Mail me at jo.doe@example.com or call +44 20 7946 0958.';
    const response = await apply(text);
    expect([response.action, response.outputs?.map((o) => o.text)]).toEqual(['GUARDRAIL_INTERVENED', ['Mail me at {EMAIL} or call {PHONE}.']]);
    expect(response.assessments?.[0].sensitiveInformationPolicy?.piiEntities?.map((e) => [e.type, e.action, e.match]))
      .toEqual([['EMAIL', 'ANONYMIZED', 'jo.doe@example.com'], ['PHONE', 'ANONYMIZED', '+44 20 7946 0958']]);
    expect([response.usage?.sensitiveInformationPolicyUnits, response.guardrailCoverage?.textCharacters?.guarded]).toEqual([1, text.length]);
    expect(emulator.guardrailRequests).toEqual([{ guardrailIdentifier: GUARDRAIL, guardrailVersion: '3', source: 'INPUT', texts: [text], outcome: 'anonymized' }]);
  });

  test('a BLOCK entity replaces the whole output with the blocked message; no entity is action NONE with no outputs', async () => {
    emulator.guardrailPii([{ type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' }]);
    const blocked = await apply('Card 5500 0000 0000 0004 please');
    expect([blocked.action, blocked.outputs?.length, blocked.assessments?.[0].sensitiveInformationPolicy?.piiEntities?.[0].action]).toEqual(['GUARDRAIL_INTERVENED', 1, 'BLOCKED']);
    const none = await apply('Where is order 4711, sent on 2026-12-07?');
    expect([none.action, none.outputs]).toEqual(['NONE', []]);
  });

  test('a body AWS would refuse is a ValidationException; a queued fault answers once', async () => {
    const wrong = await client.send(new ApplyGuardrailCommand({ guardrailIdentifier: GUARDRAIL, guardrailVersion: '3', source: 'INPUT', content: [] }))
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    emulator.queueGuardrail({ fault: THROTTLE.fault });
    expect(await apply('hi').catch((e: unknown) => e)).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect((await apply('hi')).action).toBe('NONE');
  });
});
