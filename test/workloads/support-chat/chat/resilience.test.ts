import {
  AttemptTimeoutError, type BreakerState, canFallBack, CircuitBreaker, CircuitOpenError, DeadlineExceededError, firstAvailable, fullJitterDelay,
  GuardrailIntervenedError, isProfileFailure, isRetryableError, MAX_BACKOFF_CAP_MS, retry,
} from '../../../../workloads/support-chat/chat/handlers/lib/resilience';
import { TURN_BREAKER } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';

/** A fake clock whose sleep moves time and records every sleep. */
function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: { at: number; ms: number }[] = [];
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push({ at: time, ms });
      time += ms;
    },
    sleeps,
  };
}

/** An error shaped like the SDK's service exceptions. */
function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

const throttling = () => awsError('ThrottlingException', 429);
const validation = () => awsError('ValidationException', 400);

/** A seeded PRNG (Park–Miller), so every run sees the same "random" values. */
function seeded(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

describe('isRetryableError', () => {
  test.each([
    ['ThrottlingException', throttling()],
    ['HTTP 429 without a name', { $metadata: { httpStatusCode: 429 } }],
    ['InternalServerException 500', awsError('InternalServerException', 500)],
    ['ServiceUnavailableException 503', awsError('ServiceUnavailableException', 503)],
    ['ServiceUnavailable', { name: 'ServiceUnavailable' }],
    ['a bare 502', { $metadata: { httpStatusCode: 502 } }],
    ['ModelNotReadyException', awsError('ModelNotReadyException', 429)],
    ['ModelTimeoutException', awsError('ModelTimeoutException', 408)],
    ['the SDK TimeoutError', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
    ['a socket ETIMEDOUT', Object.assign(new Error('x'), { code: 'ETIMEDOUT' })],
  ])('retries %s', (_, error) => {
    expect(isRetryableError(error)).toBe(true);
  });

  test.each([
    ['ValidationException', validation()],
    ['AccessDeniedException', awsError('AccessDeniedException', 403)],
    ['a guardrail intervention', new GuardrailIntervenedError()],
    ['our deadline', new DeadlineExceededError('late')],
    ['an open circuit', new CircuitOpenError('p', 'open')],
    ['a 404', awsError('ResourceNotFoundException', 404)],
    ['a plain Error (a bug)', new TypeError('x is undefined')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('does not retry %s', (_, error) => {
    expect(isRetryableError(error)).toBe(false);
  });
});

describe('an attempt that outran its timeout (AttemptTimeoutError)', () => {
  test('is not retried on the profile that hung, falls back to the next one, and counts against that profile\'s breaker', () => {
    const hung = new AttemptTimeoutError('first_token', 7333, { cause: Object.assign(new Error('aborted'), { name: 'AbortError' }) });
    expect([isRetryableError(hung), canFallBack(hung), isProfileFailure(hung), hung.code]).toEqual([false, true, true, 'deadline_exceeded']);
  });

  test('in the chain: one attempt on the hung profile, then the next answers', async () => {
    const calls: string[] = [];
    const result = await firstAvailable(['hangs', 'answers'], async (candidate) => {
      calls.push(candidate);
      if (candidate === 'hangs') throw new AttemptTimeoutError('first_token', 100);
      return 'ok';
    }, { breaker: new CircuitBreaker(), degradedText: 'sorry', deadline: Date.now() + 10_000, sleep: async () => undefined });
    expect([calls, result.kind, result.kind === 'answer' && result.candidate]).toEqual([['hangs', 'answers'], 'answer', 'answers']);
  });
});

describe('isProfileFailure', () => {
  /** An error a caller wraps a failure in once text has reached the client: not retried, still the profile's fault. */
  class StreamedThenFailed extends Error {
    constructor(cause: unknown) {
      super('failed after text was sent', { cause });
      this.name = 'StreamedThenFailed';
    }
  }

  test('a retryable error, or a wrapper whose cause is one, counts against the profile', () => {
    expect(isProfileFailure(throttling())).toBe(true);
    expect(isProfileFailure(new StreamedThenFailed(awsError('ModelStreamErrorException', 424)))).toBe(true);
    expect(isRetryableError(new StreamedThenFailed(awsError('ModelStreamErrorException', 424)))).toBe(false);
  });

  test('the request\'s own faults and our own deadline and circuit errors do not', () => {
    expect(isProfileFailure(validation())).toBe(false);
    expect(isProfileFailure(new StreamedThenFailed(validation()))).toBe(false);
    expect(isProfileFailure(new GuardrailIntervenedError())).toBe(false);
    expect(isProfileFailure(new DeadlineExceededError('late', { cause: throttling() }))).toBe(false);
    expect(isProfileFailure(new CircuitOpenError('p', 'open'))).toBe(false);
  });

  test('canFallBack: retryable errors, the deadline hand-over and an open circuit', () => {
    expect(canFallBack(throttling())).toBe(true);
    expect(canFallBack(new DeadlineExceededError('late'))).toBe(true);
    expect(canFallBack(new CircuitOpenError('p', 'half_open'))).toBe(true);
    expect(canFallBack(validation())).toBe(false);
    expect(canFallBack(new GuardrailIntervenedError())).toBe(false);
  });
});

describe('retry', () => {
  test('retries throttling with full-jitter sleeps until it succeeds', async () => {
    const clock = fakeClock();
    const randoms = [0.9, 0.25, 0.5];
    const random = () => randoms.shift()!;
    let calls = 0;
    const result = await retry(async ({ attempt }) => {
      expect(attempt).toBe(calls);
      calls++;
      if (calls < 4) throw throttling();
      return 'answer';
    }, { deadline: clock.now() + 10_000, baseMs: 100, capMs: 300, maxAttempts: 5, random: random, sleep: clock.sleep, now: clock.now });
    expect(result).toBe('answer');
    expect(calls).toBe(4);
    // random × min(cap, base × 2^attempt): 0.9 × 100, 0.25 × 200, 0.5 × min(300, 400).
    expect(clock.sleeps.map((s) => s.ms)).toEqual([Math.floor(0.9 * 100), Math.floor(0.25 * 200), Math.floor(0.5 * 300)]);
  });

  test('does not retry a ValidationException: one call, the same error, no sleep', async () => {
    const clock = fakeClock();
    const error = validation();
    const fn = jest.fn(async () => {
      throw error;
    });
    await expect(retry(fn, { deadline: clock.now() + 10_000, sleep: clock.sleep, now: clock.now })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('rethrows the last error after maxAttempts', async () => {
    const clock = fakeClock();
    const errors: Error[] = [];
    const fn = jest.fn(async () => {
      const error = throttling();
      errors.push(error);
      throw error;
    });
    const thrown = await retry(fn, { deadline: clock.now() + 60_000, maxAttempts: 3, random: () => 0.5, sleep: clock.sleep, now: clock.now })
      .catch((e: unknown) => e);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(thrown).toBe(errors[2]);
    expect(clock.sleeps).toHaveLength(2);
  });

  test('gives up with DeadlineExceededError rather than sleep across the deadline', async () => {
    const clock = fakeClock();
    const deadline = clock.now() + 1000;
    const remaining: number[] = [];
    const fn = jest.fn(async ({ remainingMs }: { remainingMs: number }) => {
      remaining.push(remainingMs);
      clock.advance(150); // each call takes 150 ms
      throw throttling();
    });
    const error = await retry(fn, { deadline, baseMs: 200, capMs: 2000, maxAttempts: 20, random: () => 0.99, sleep: clock.sleep, now: clock.now })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).code).toBe('deadline_exceeded');
    expect(((error as Error).cause as Error).name).toBe('ThrottlingException');
    for (const sleep of clock.sleeps) expect(sleep.at + sleep.ms).toBeLessThan(deadline);
    // Every attempt started with time left; only the call itself may run on (the caller bounds it with remainingMs).
    expect(remaining.every((r) => r > 0)).toBe(true);
    expect(remaining[0]).toBe(1000);
    expect(remaining.every((r, i) => i === 0 || r < remaining[i - 1])).toBe(true);
    expect(fn.mock.calls.length).toBeLessThan(20);
  });

  test('over many random runs, no sleep crosses the deadline or the cap', async () => {
    const random = seeded(1234);
    for (let run = 0; run < 200; run++) {
      const clock = fakeClock();
      const deadline = clock.now() + 500 + Math.floor(random() * 5000);
      const capMs = 100 + Math.floor(random() * 3000);
      await retry(async () => {
        clock.advance(Math.floor(random() * 300));
        throw throttling();
      }, { deadline, baseMs: 50, capMs, maxAttempts: 8, random, sleep: clock.sleep, now: clock.now }).catch(() => undefined);
      for (const sleep of clock.sleeps) {
        expect(sleep.at + sleep.ms).toBeLessThan(deadline);
        expect(sleep.ms).toBeLessThanOrEqual(capMs);
      }
    }
  });

  test('starts no attempt once the deadline has passed', async () => {
    const clock = fakeClock();
    const fn = jest.fn(async () => 'x');
    await expect(retry(fn, { deadline: clock.now(), now: clock.now, sleep: clock.sleep })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(fn).not.toHaveBeenCalled();
  });

  test('refuses a cap that would allow a long sleep, and nonsense options', async () => {
    const fn = async () => 'x';
    await expect(retry(fn, { deadline: Date.now() + 1000, capMs: 60_000 })).rejects.toThrow(RangeError);
    await expect(retry(fn, { deadline: Date.now() + 1000, capMs: MAX_BACKOFF_CAP_MS + 1 })).rejects.toThrow(RangeError);
    await expect(retry(fn, { deadline: Date.now() + 1000, baseMs: 0 })).rejects.toThrow(RangeError);
    await expect(retry(fn, { deadline: Date.now() + 1000, maxAttempts: 0 })).rejects.toThrow(RangeError);
  });

  test('fullJitterDelay stays within [0, min(cap, base × 2^attempt))', () => {
    expect(fullJitterDelay(0, 100, 1000, () => 0)).toBe(0);
    expect(fullJitterDelay(3, 100, 1000, () => 0.9999)).toBe(799);
    expect(fullJitterDelay(30, 100, 1000, () => 0.9999)).toBe(999);
  });

  test('reports each retry before sleeping (for the throttle metric)', async () => {
    const clock = fakeClock();
    const onRetry = jest.fn();
    let calls = 0;
    await retry(async () => {
      if (calls++ === 0) throw throttling();
      return 'ok';
    }, { deadline: clock.now() + 5000, random: () => 0.5, sleep: clock.sleep, now: clock.now, onRetry });
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onRetry.mock.calls[0][0]).toMatchObject({ attempt: 0, delayMs: clock.sleeps[0].ms });
  });
});

/** A promise with its resolve and reject, for a call held in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CircuitBreaker', () => {
  function breaker(clock: ReturnType<typeof fakeClock>, options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
    const changes: { key: string; from: BreakerState; to: BreakerState }[] = [];
    const b = new CircuitBreaker({
      failureThreshold: 3, windowMs: 10_000, coolDownMs: 5_000, now: clock.now, onStateChange: (c) => changes.push(c), ...options,
    });
    return { b, changes };
  }

  const fail = async (b: CircuitBreaker, key: string) => b.run(key, async () => {
    throw throttling();
  }).catch(() => undefined);

  test('opens after N failures within the window and refuses calls without making them', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock);
    await fail(b, 'p1');
    await fail(b, 'p1');
    expect(b.state('p1')).toBe('closed');
    await fail(b, 'p1');
    expect(b.state('p1')).toBe('open');
    expect(b.state('p2')).toBe('closed');
    const fn = jest.fn(async () => 'x');
    await expect(b.run('p1', fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(b.acquire('p1')).toBeUndefined();
    expect(b.states()).toEqual({ p1: 'open' });
  });

  test('failures spread wider than the window do not open it', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock);
    for (let i = 0; i < 10; i++) {
      await fail(b, 'p1');
      clock.advance(5_001);
    }
    expect(b.state('p1')).toBe('closed');
  });

  test('errors that are not the profile\'s fault do not count', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock);
    for (let i = 0; i < 10; i++) {
      await b.run('p1', async () => {
        throw validation();
      }).catch(() => undefined);
    }
    expect(b.state('p1')).toBe('closed');
  });

  test('opens on the failure rate once enough calls are in the window', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock, { failureThreshold: 100, failureRate: 0.5, minimumCalls: 6 });
    const ok = () => b.run('p1', async () => 'ok');
    await ok();
    await fail(b, 'p1');
    await ok();
    await fail(b, 'p1');
    await fail(b, 'p1'); // 3 of 5: too few calls yet
    expect(b.state('p1')).toBe('closed');
    await fail(b, 'p1'); // 4 of 6
    expect(b.state('p1')).toBe('open');
  });

  test('the turn\'s breaker (a rate, no count): a steady 20 % of throttling never opens it, 60 % does', async () => {
    const run = async (failEvery: (i: number) => boolean) => {
      const clock = fakeClock();
      const b = new CircuitBreaker({ ...TURN_BREAKER, now: clock.now });
      for (let i = 0; i < 300; i++) {
        if (failEvery(i)) await fail(b, 'p1');
        else await b.run('p1', async () => 'ok');
        clock.advance(100); // 10 calls a second: 300 in the 30 s window
        if (b.state('p1') !== 'closed') return { openedAfter: i + 1 };
      }
      return { openedAfter: undefined };
    };
    await expect(run((i) => i % 5 === 0)).resolves.toEqual({ openedAfter: undefined });
    const { openedAfter } = await run((i) => i % 5 < 3);
    expect(openedAfter).toBeGreaterThanOrEqual(TURN_BREAKER.minimumCalls);
    expect(openedAfter).toBeLessThanOrEqual(TURN_BREAKER.minimumCalls + 5);
    // Without the rate, the count default (5 in the window) opens on the same 20 %.
    const clock = fakeClock();
    const counting = new CircuitBreaker({ windowMs: TURN_BREAKER.windowMs, now: clock.now });
    for (let i = 0; i < 30; i++) {
      if (i % 5 === 0) await fail(counting, 'p1');
      else await counting.run('p1', async () => 'ok').catch(() => undefined);
      clock.advance(100);
    }
    expect(counting.state('p1')).toBe('open');
  });

  test('after the cool-down, half-open lets exactly one concurrent probe through; its success closes the breaker', async () => {
    const clock = fakeClock();
    const { b, changes } = breaker(clock);
    for (let i = 0; i < 3; i++) await fail(b, 'p1');
    clock.advance(4_999);
    expect(b.state('p1')).toBe('open');
    clock.advance(1);
    expect(b.state('p1')).toBe('half_open');

    const probe = deferred<string>();
    const probeCall = jest.fn(() => probe.promise);
    const otherCall = jest.fn(async () => 'let through');
    const probing = b.run('p1', probeCall);
    const others = await Promise.allSettled(Array.from({ length: 5 }, () => b.run('p1', otherCall)));
    expect(probeCall).toHaveBeenCalledTimes(1);
    expect(otherCall).not.toHaveBeenCalled();
    expect(others.every((o) => o.status === 'rejected' && o.reason instanceof CircuitOpenError)).toBe(true);
    expect(b.state('p1')).toBe('half_open');

    probe.resolve('fine');
    await expect(probing).resolves.toBe('fine');
    expect(b.state('p1')).toBe('closed');
    await expect(b.run('p1', async () => 'next')).resolves.toBe('next');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half_open', 'closed']);
  });

  test('a failed probe re-opens the breaker for another cool-down', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock);
    for (let i = 0; i < 3; i++) await fail(b, 'p1');
    clock.advance(5_000);
    await fail(b, 'p1');
    expect(b.state('p1')).toBe('open');
    clock.advance(4_999);
    expect(b.state('p1')).toBe('open');
    clock.advance(1);
    expect(b.state('p1')).toBe('half_open');
  });

  test('a lost probe lets another through after probeTimeoutMs; its late report is ignored', async () => {
    const clock = fakeClock();
    const { b } = breaker(clock, { probeTimeoutMs: 2_000 });
    for (let i = 0; i < 3; i++) await fail(b, 'p1');
    clock.advance(5_000);
    const lost = b.acquire('p1');
    expect(lost?.probe).toBe(true);
    clock.advance(1_999);
    expect(b.acquire('p1')).toBeUndefined();
    clock.advance(1);
    const second = b.acquire('p1');
    expect(second?.probe).toBe(true);
    lost!.failure();
    expect(b.state('p1')).toBe('half_open');
    second!.success();
    expect(b.state('p1')).toBe('closed');
  });

  test('refuses nonsense options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureRate: 1.5 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ coolDownMs: 0 })).toThrow(RangeError);
  });
});

describe('firstAvailable', () => {
  const CANDIDATES = ['eu.model-a', 'eu.model-b', 'eu.model-c'];

  function setup(failureThreshold = 5) {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ failureThreshold, windowMs: 30_000, coolDownMs: 10_000, now: clock.now });
    const options = {
      breaker,
      deadline: clock.now() + 5_000,
      degradedText: 'Sorry, we are busy. An agent will reply soon.',
      baseMs: 50,
      capMs: 400,
      maxAttempts: 3,
      random: () => 0.5,
      sleep: clock.sleep,
      now: clock.now,
    };
    return { clock, breaker, options };
  }

  test('falls back to the next candidate when the chosen one keeps throttling', async () => {
    const { options } = setup();
    const called: string[] = [];
    const result = await firstAvailable(CANDIDATES, async (candidate) => {
      called.push(candidate);
      if (candidate === 'eu.model-a') throw throttling();
      return `answer from ${candidate}`;
    }, options);
    expect(result).toMatchObject({ kind: 'answer', candidate: 'eu.model-b', value: 'answer from eu.model-b', fallback: true });
    expect(called).toEqual(['eu.model-a', 'eu.model-a', 'eu.model-a', 'eu.model-b']);
    expect(result.passedOver).toMatchObject([{ candidate: 'eu.model-a', reason: 'failed' }]);
  });

  test('the chosen candidate answering is not a fallback', async () => {
    const { options } = setup();
    const result = await firstAvailable(CANDIDATES, async (c) => c, options);
    expect(result).toEqual({ kind: 'answer', candidate: 'eu.model-a', value: 'eu.model-a', fallback: false, passedOver: [] });
  });

  test('skips a candidate whose breaker is open without calling it', async () => {
    const { breaker, options } = setup(1);
    await breaker.run('eu.model-a', async () => {
      throw throttling();
    }).catch(() => undefined);
    expect(breaker.state('eu.model-a')).toBe('open');
    const called: string[] = [];
    const result = await firstAvailable(CANDIDATES, async (c) => {
      called.push(c);
      return c;
    }, options);
    expect(called).toEqual(['eu.model-b']);
    expect(result).toMatchObject({ kind: 'answer', candidate: 'eu.model-b', passedOver: [{ candidate: 'eu.model-a', reason: 'circuit_open' }] });
  });

  test('a shouldFallBack composed with canFallBack still skips an open breaker, and stops at the caller\'s own error', async () => {
    const { breaker, options } = setup(1);
    class AlreadyStreamed extends Error {}
    const shouldFallBack = (e: unknown) => !(e instanceof AlreadyStreamed) && canFallBack(e);
    await breaker.run('eu.model-a', async () => {
      throw throttling();
    }).catch(() => undefined);
    const streamed = new AlreadyStreamed('cut after text');
    const called: string[] = [];
    await expect(firstAvailable(CANDIDATES, async (c) => {
      called.push(c);
      throw streamed;
    }, { ...options, shouldFallBack })).rejects.toBe(streamed);
    expect(called).toEqual(['eu.model-b']);
  });

  test('a breaker that opens during the retries moves the chain on', async () => {
    const { breaker, options } = setup(2);
    const called: string[] = [];
    const result = await firstAvailable(CANDIDATES, async (c) => {
      called.push(c);
      if (c === 'eu.model-a') throw throttling();
      return c;
    }, { ...options, maxAttempts: 5 });
    expect(called).toEqual(['eu.model-a', 'eu.model-a', 'eu.model-b']);
    expect(breaker.state('eu.model-a')).toBe('open');
    expect(result).toMatchObject({ kind: 'answer', candidate: 'eu.model-b', passedOver: [{ candidate: 'eu.model-a', reason: 'circuit_open' }] });
  });

  test('ends with the caller\'s degraded answer when every candidate fails, calling only the candidates given', async () => {
    const { options } = setup();
    const called = new Set<string>();
    const result = await firstAvailable([...CANDIDATES, 'eu.model-a'], async (c) => {
      called.add(c);
      throw awsError('ServiceUnavailableException', 503);
    }, options);
    expect(result).toMatchObject({ kind: 'degraded', text: options.degradedText });
    expect(result.passedOver.map((p) => p.candidate)).toEqual(CANDIDATES);
    expect([...called].sort()).toEqual([...CANDIDATES].sort());
  });

  test('no candidates: the degraded answer', async () => {
    const { options } = setup();
    const attempt = jest.fn(async () => 'x');
    await expect(firstAvailable([], attempt, options)).resolves.toEqual({ kind: 'degraded', text: options.degradedText, passedOver: [] });
    expect(attempt).not.toHaveBeenCalled();
  });

  test('a ValidationException or a guardrail intervention is thrown at once, never sent to a fallback', async () => {
    for (const error of [validation(), new GuardrailIntervenedError()]) {
      const { options } = setup();
      const called: string[] = [];
      await expect(firstAvailable(CANDIDATES, async (c) => {
        called.push(c);
        throw error;
      }, options)).rejects.toBe(error);
      expect(called).toEqual(['eu.model-a']);
    }
  });

  test('a backoff that would cross the deadline hands over to the next candidate at once, and the deadline ends the chain', async () => {
    const { clock, options } = setup();
    const called: { candidate: string; at: number }[] = [];
    const result = await firstAvailable(CANDIDATES, async (candidate) => {
      called.push({ candidate, at: clock.now() });
      clock.advance(2_600);
      throw throttling();
    }, { ...options, baseMs: 3_000, capMs: 4_000, random: () => 0.99 });
    // a fails at 2.6 s and its 2.97 s backoff would end past the 5 s deadline; b at once, fails at 5.2 s; c: deadline passed.
    expect(called.map((c) => c.candidate)).toEqual(['eu.model-a', 'eu.model-b']);
    expect(clock.sleeps).toEqual([]);
    expect(result).toMatchObject({ kind: 'degraded' });
    expect(result.passedOver.map((p) => p.reason)).toEqual(['deadline_exceeded', 'deadline_exceeded', 'deadline_exceeded']);
  });
});
