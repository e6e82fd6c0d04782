import { relayRefusal } from '../../../../workloads/support-chat/chat/handlers/lib/error-frames';
import { encodeFrame, type ErrorFrame, type Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { createRelay, type RelayDependencies, type RelayEvent, type TurnInvoker } from '../../../../workloads/support-chat/chat/handlers/relay-core';
import type { TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';

/*
 * The relay's own decisions, in process: which frames it posts for a message it refuses, a turn that fails or ends without
 * a final frame, an expired token, a user over the rate. The turn is a generator of frames (the shape of the deployed
 * turn's response stream); the local flow (chat-flow.test.ts) runs the same relay against the gateway emulator.
 */

const SUB = '0b4e6b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
const NOW = Date.parse('2026-12-07T08:00:00Z');
const FRESH_EXP = String(NOW / 1000 + 600);

class GoneException extends Error {
  constructor() {
    super('gone');
    this.name = 'GoneException';
  }
}

const chunk = (seq: number, text = 'hello'): string => encodeFrame({ type: 'chunk', conversationId: 'c1', messageId: 'm1', seq, text });
const done = (seq: number): string => encodeFrame({ type: 'done', conversationId: 'c1', messageId: 'm1', seq });
const failed = (seq: number): string => encodeFrame({ type: 'error', conversationId: 'c1', messageId: 'm1', seq, code: 'model_unavailable', message: 'x' });

function harness(turn: TurnInvoker, overrides: Partial<RelayDependencies> = {}) {
  const posted: Frame[] = [];
  const invoked: TurnRequest[] = [];
  const closed: string[] = [];
  const relay = createRelay({
    invokeTurn: (request) => {
      invoked.push(request);
      return turn(request);
    },
    post: async (_id, frame) => {
      posted.push(JSON.parse(frame) as Frame);
    },
    disconnect: async (id) => {
      closed.push(id);
    },
    now: () => NOW,
    ...overrides,
  });
  return { relay, posted, invoked, closed };
}

function message(body: unknown, authorizer: RelayEvent['requestContext']['authorizer'] = { sub: SUB, groups: 'customer', exp: FRESH_EXP }): RelayEvent {
  return { body: typeof body === 'string' ? body : JSON.stringify(body), requestContext: { routeKey: '$default', connectionId: 'conn-1', authorizer } };
}

const SEND = { action: 'sendMessage', conversationId: 'c1', messageId: 'm1', text: 'Where is my order?' };

describe('the relay always ends a message with exactly one final frame', () => {
  test('a turn whose invocation throws gets one internal error frame, and the relay answers 200', async () => {
    const { relay, posted } = harness(() => (async function* () {
      throw new Error('the turn failed: Unhandled');
    })());
    await expect(relay(message(SEND))).resolves.toEqual({ statusCode: 200 });
    expect(posted).toEqual([{ type: 'error', conversationId: 'c1', messageId: 'm1', seq: 0, ...relayRefusal('internal') }]);
  });

  test('a stream that breaks after two chunks: the chunks, then internal with the next seq', async () => {
    const { relay, posted } = harness(() => (async function* () {
      yield chunk(0);
      yield chunk(1);
      throw new Error('the turn failed: Runtime.ExitError');
    })());
    await expect(relay(message(SEND))).resolves.toEqual({ statusCode: 200 });
    expect(posted.map((f) => [f.type, f.seq])).toEqual([['chunk', 0], ['chunk', 1], ['error', 2]]);
    expect((posted[2] as ErrorFrame).code).toBe('internal');
  });

  test('a stream that ends without done or error gets internal', async () => {
    const { relay, posted } = harness(() => (async function* () {
      yield chunk(0);
    })());
    await relay(message(SEND));
    expect(posted.map((f) => f.type)).toEqual(['chunk', 'error']);
    expect((posted[1] as ErrorFrame).code).toBe('internal');
  });

  test.each([
    ['done', done(1)],
    ['error', failed(1)],
  ])('a turn that sent its %s frame and then failed gets nothing more', async (_name, last) => {
    const { relay, posted } = harness(() => (async function* () {
      yield chunk(0);
      yield last;
      throw new Error('the turn failed after its last frame');
    })());
    await relay(message(SEND));
    expect(posted).toHaveLength(2);
  });

  test('a GoneException ends the posting: no further frame is tried, nothing thrown', async () => {
    let posts = 0;
    const { relay } = harness(() => (async function* () {
      yield chunk(0);
      yield chunk(1);
      throw new Error('never reached by the relay');
    })(), {
      post: async () => {
        posts += 1;
        throw new GoneException();
      },
    });
    await expect(relay(message(SEND))).resolves.toEqual({ statusCode: 200 });
    expect(posts).toBe(1);
  });

  test('a post that fails otherwise: one internal frame is tried, and the relay still answers 200', async () => {
    const tried: string[] = [];
    const { relay } = harness(() => (async function* () {
      yield chunk(0);
    })(), {
      post: async (_id, frame) => {
        tried.push((JSON.parse(frame) as Frame).type);
        throw new Error('socket hang up');
      },
    });
    await expect(relay(message(SEND))).resolves.toEqual({ statusCode: 200 });
    expect(tried).toEqual(['chunk', 'error']);
  });

  test('the failure is reported to onTurnFailed, once', async () => {
    const failures: unknown[] = [];
    const { relay } = harness(() => (async function* () {
      throw new Error('boom');
    })(), { onTurnFailed: (error) => failures.push(error) });
    await relay(message(SEND));
    expect(failures).toHaveLength(1);
  });
});

describe('the relay refuses a malformed message with bad_request and does not invoke the turn', () => {
  test.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"x"'],
    ['an array', '[]'],
    ['an array of a message', JSON.stringify([SEND])],
    ['not JSON', '{"action":'],
    ['empty', ''],
    ['an object without action', '{}'],
    ['another action', JSON.stringify({ ...SEND, action: 'deleteEverything' })],
    ['a numeric conversationId', JSON.stringify({ ...SEND, conversationId: 7 })],
    ['a conversationId with #', JSON.stringify({ ...SEND, conversationId: 'c#1' })],
    ['a 65-character messageId', JSON.stringify({ ...SEND, messageId: 'm'.repeat(65) })],
    ['sendMessage without text', JSON.stringify({ ...SEND, text: undefined })],
    ['sendMessage with an empty text', JSON.stringify({ ...SEND, text: '  ' })],
    ['sendMessage with an object as text', JSON.stringify({ ...SEND, text: { toString: 'x' } })],
  ])('%s', async (_name, body) => {
    const { relay, posted, invoked } = harness(() => (async function* () {
      yield done(0);
    })());
    await expect(relay(message(body))).resolves.toEqual({ statusCode: 200 });
    expect(invoked).toEqual([]);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ type: 'error', code: 'bad_request', seq: 0 });
  });

  test('a text over maxInputCharacters (counted in code points, as the turn counts them) is input_too_long, before the rate is counted', async () => {
    const admitted: string[] = [];
    const { relay, posted, invoked } = harness(() => (async function* () {
      yield done(0);
    })(), { maxInputCharacters: 5, admit: async (sub) => { admitted.push(sub); return { granted: true, limit: 20 }; } });
    await relay(message({ ...SEND, text: 'abcdef' }));
    expect(posted).toEqual([expect.objectContaining({ type: 'error', code: 'input_too_long', conversationId: 'c1', messageId: 'm1', seq: 0 })]);
    await relay(message({ ...SEND, text: '😀😀😀😀😀' }));
    expect(invoked).toHaveLength(1);
    expect(admitted).toEqual([SUB]);
  });

  test('a bad id is reported as invalid, never reflected; a good one is echoed', async () => {
    const { relay, posted } = harness(() => (async function* () {
      yield done(0);
    })());
    await relay(message({ ...SEND, conversationId: '<script>', text: undefined }));
    expect(posted[0]).toMatchObject({ conversationId: 'invalid', messageId: 'm1' });
  });

  test('a resume needs no text', async () => {
    const { relay, invoked } = harness(() => (async function* () {
      yield done(0);
    })());
    await relay(message({ action: 'resume', conversationId: 'c1', messageId: 'm1' }));
    expect(invoked).toEqual([{ action: 'resume', sub: SUB, conversationId: 'c1', messageId: 'm1' }]);
  });
});

describe('a connection does not outlive its token', () => {
  const turn = () => (async function* () {
    yield done(0);
  })();

  test('a message after the token\'s exp: token_expired, the connection is closed, the turn is not invoked', async () => {
    const { relay, posted, invoked, closed } = harness(turn);
    await relay(message(SEND, { sub: SUB, groups: 'customer', exp: String(NOW / 1000 - 1) }));
    expect(invoked).toEqual([]);
    expect(posted).toEqual([{ type: 'error', conversationId: 'c1', messageId: 'm1', seq: 0, ...relayRefusal('tokenExpired') }]);
    expect(closed).toEqual(['conn-1']);
  });

  test('at exp exactly the token is expired (JWT exp: on or after it, the token must not be accepted)', async () => {
    const { relay, invoked, closed } = harness(turn);
    await relay(message(SEND, { sub: SUB, groups: 'customer', exp: String(NOW / 1000) }));
    expect(invoked).toEqual([]);
    expect(closed).toEqual(['conn-1']);
  });

  test.each([['missing', undefined], ['not a number', 'soon'], ['a number as API Gateway may pass it', NOW / 1000 - 60]])(
    'an exp that is %s and not in the future closes the connection', async (_name, exp) => {
      const { relay, invoked, closed } = harness(turn);
      await relay(message(SEND, { sub: SUB, groups: 'customer', ...(exp === undefined ? {} : { exp: exp as string }) }));
      expect(invoked).toEqual([]);
      expect(closed).toEqual(['conn-1']);
    });

  test('a client already gone when the relay closes its connection: nothing thrown', async () => {
    const { relay } = harness(turn, {
      post: async () => {
        throw new GoneException();
      },
      disconnect: async () => {
        throw new GoneException();
      },
    });
    await expect(relay(message(SEND, { sub: SUB, exp: '1' }))).resolves.toEqual({ statusCode: 200 });
  });

  test('an unexpired token: the turn runs', async () => {
    const { relay, invoked, closed } = harness(turn);
    await relay(message(SEND));
    expect(invoked).toHaveLength(1);
    expect(closed).toEqual([]);
  });
});

describe('the per-user rate is checked at the relay, before anything is stored', () => {
  test('over the rate: rate_limited, the turn is not invoked; the rate is checked only for a well-formed message', async () => {
    const admitted: string[] = [];
    const { relay, posted, invoked } = harness(() => (async function* () {
      yield done(0);
    })(), {
      admit: async (sub) => {
        admitted.push(sub);
        return { granted: false, limit: 20 };
      },
    });
    await relay(message('null'));
    expect(admitted).toEqual([]);
    await relay(message(SEND));
    expect(admitted).toEqual([SUB]);
    expect(invoked).toEqual([]);
    expect(posted[1]).toMatchObject({ type: 'error', code: 'rate_limited', conversationId: 'c1', messageId: 'm1', seq: 0 });
    expect((posted[1] as ErrorFrame).message).toContain('not sent');
  });

  test('within the rate: the turn runs', async () => {
    const { relay, invoked } = harness(() => (async function* () {
      yield done(0);
    })(), { admit: async () => ({ granted: true, limit: 20 }) });
    await relay(message(SEND));
    expect(invoked).toHaveLength(1);
  });

  test('a failing rate check is an internal error frame, not a turn', async () => {
    const { relay, posted, invoked } = harness(() => (async function* () {
      yield done(0);
    })(), {
      admit: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    });
    await expect(relay(message(SEND))).resolves.toEqual({ statusCode: 200 });
    expect(invoked).toEqual([]);
    expect(posted).toEqual([expect.objectContaining({ code: 'internal' })]);
  });
});

describe('the relay\'s refusals in the language the client says (the message\'s optional language field)', () => {
  const noTurn: TurnInvoker = () => (async function* () {
    yield done(0);
  })();

  test('a message with language es-MX is refused in Spanish, and the turn gets es; without one, or an unknown one, in English', async () => {
    const { relay, posted, invoked } = harness(noTurn);
    await relay(message({ action: 'sendMessage', conversationId: 'c1', messageId: 'm1', text: '   ', language: 'es-MX' }));
    await relay(message({ action: 'sendMessage', conversationId: 'c1', messageId: 'm1', text: '   ' }));
    await relay(message({ action: 'sendMessage', conversationId: 'c1', messageId: 'm1', text: '   ', language: 'x-<script>' }));
    await relay(message({ action: 'sendMessage', conversationId: 'c1', messageId: 'm1', text: '   ', language: ['fr'] }));
    expect(posted.map((f) => (f as ErrorFrame).message)).toEqual([
      relayRefusal('missingText', 'es').message, relayRefusal('missingText').message, relayRefusal('missingText').message, relayRefusal('missingText').message,
    ]);
    expect(relayRefusal('missingText', 'es').message).not.toBe(relayRefusal('missingText').message);
    await relay(message({ ...SEND, language: 'es-MX' }));
    await relay(message({ ...SEND, language: 'klingon' }));
    expect(invoked.map((r) => r.language)).toEqual(['es', undefined]);
  });

  test('the relay\'s rate refusal, an expired token and a failed turn in the client\'s language', async () => {
    const over = harness(noTurn, { admit: async () => ({ granted: false, limit: 5 }) });
    await over.relay(message({ ...SEND, language: 'de-AT' }));
    expect(over.posted).toEqual([expect.objectContaining({ code: 'rate_limited', message: expect.stringContaining('Höchstens 5 Nachrichten') })]);
    const expired = harness(noTurn);
    await expired.relay(message({ ...SEND, language: 'zh-Hans-CN' }, { sub: SUB, groups: 'customer', exp: String(NOW / 1000 - 1) }));
    expect(expired.posted).toEqual([{ type: 'error', conversationId: 'c1', messageId: 'm1', seq: 0, ...relayRefusal('tokenExpired', 'zh') }]);
    const broken = harness(() => (async function* () {
      yield chunk(0);
      throw new Error('stream broke');
    })());
    await broken.relay(message({ ...SEND, language: 'fr' }));
    expect(broken.posted.at(-1)).toEqual({ type: 'error', conversationId: 'c1', messageId: 'm1', seq: 1, ...relayRefusal('internal', 'fr') });
  });
});
