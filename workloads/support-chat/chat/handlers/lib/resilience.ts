/**
 * Resilience of a chat turn's model calls, as pure logic with the clock, randomness and sleep injected:
 *
 * - `retry`: exponential backoff with "full jitter" (sleep = random(0, min(cap, base × 2^attempt))), from the AWS
 *   Architecture Blog post "Exponential Backoff And Jitter" (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
 *   bounded by the turn's deadline: it never sleeps past the deadline, so a live chat never waits out a long backoff.
 * - `CircuitBreaker`: one breaker per key (per inference profile), closed → open → half-open with a single probe.
 * - `firstAvailable`: the fallback chain over the profiles it is given, ending with the caller's degraded answer.
 */

/** The hard ceiling of one backoff sleep: `capMs` above this is refused. A live chat never sleeps longer. */
export const MAX_BACKOFF_CAP_MS = 10_000;

/** The turn's deadline passed, or the next backoff sleep would have crossed it. */
export class DeadlineExceededError extends Error {
  /** The error code of the frame a caller sends for it. */
  readonly code = 'deadline_exceeded';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadlineExceededError';
  }
}

/** The circuit breaker of `key` refused the call (open, or half-open with its probe in flight). */
export class CircuitOpenError extends Error {
  constructor(readonly key: string, readonly state: BreakerState) {
    super(`circuit ${state} for ${key}`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * The model's answer was replaced by a guardrail intervention (`stopReason: guardrail_intervened`). Bedrock reports this
 * as a normal answer, not an exception; a caller that treats it as a failure throws this, and it is never retried nor
 * sent to a fallback model: the guardrail would block it there too, and trying other models to get past it is not allowed.
 */
export class GuardrailIntervenedError extends Error {
  /** The error code of the frame a caller sends for it. */
  readonly code = 'guardrail_intervened';

  constructor(message = 'The guardrail intervened.') {
    super(message);
    this.name = 'GuardrailIntervenedError';
  }
}

/**
 * One attempt of a model call outran its own timeout (`turnTimeouts`): no first token in time (`first_token`), or the
 * stream went quiet between chunks (`idle`); the request was aborted. Not retried on the same profile (a profile that
 * hangs would eat the turn's deadline again) but handed to the next candidate of the chain, and counted against the
 * profile's breaker.
 */
export class AttemptTimeoutError extends Error {
  /** The error code of the frame a caller sends for it. */
  readonly code = 'deadline_exceeded';

  constructor(readonly phase: 'first_token' | 'idle', readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(phase === 'first_token' ? `no first token within ${timeoutMs} ms` : `the stream was idle for ${timeoutMs} ms`, options);
    this.name = 'AttemptTimeoutError';
  }
}

/** Exceptions that never succeed on a retry: the request, the permissions or the content is wrong. */
const NOT_RETRYABLE = new Set([
  'ValidationException',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedException',
  'ResourceNotFoundException',
  'ServiceQuotaExceededException',
  'GuardrailIntervenedError',
  'DeadlineExceededError',
  'AttemptTimeoutError',
  'CircuitOpenError',
  'AbortError',
]);

/** Exceptions that can succeed on a retry: throttling, server-side faults, models not ready, timeouts. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalServerException',
  'InternalFailure',
  'ModelNotReadyException',
  'ModelTimeoutException',
  'ModelStreamErrorException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node.js socket errors worth a retry. */
const RETRYABLE_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

/**
 * Whether an error is worth a retry. Not retryable, checked first: `ValidationException`, access denied, resource not
 * found, service quota exceeded, a guardrail intervention, our own deadline and circuit errors, an abort. Retryable:
 * throttling (`ThrottlingException`, HTTP 429), 5xx and `ServiceUnavailable`, `ModelNotReadyException`, model and request
 * timeouts, socket resets. Anything else (an unknown 4xx, a bug) is not retried: retrying the unknown amplifies load.
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown; statusCode?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if (NOT_RETRYABLE.has(name) || e.code === 'guardrail_intervened') return false;
  if (RETRYABLE.has(name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : e.statusCode;
  return typeof status === 'number' && (status === 429 || status === 408 || (status >= 500 && status <= 599));
}

/**
 * Whether an error counts against a key's breaker: a retryable error (`isRetryableError`), or an error whose `cause` is
 * one (a wrapper such as "the stream failed after text was sent", which must not be retried but is still the profile's
 * failure), or an attempt that outran its timeout (`AttemptTimeoutError`: the profile hung). Our own deadline and circuit
 * errors are not the key's failures.
 */
export function isProfileFailure(error: unknown): boolean {
  if (error instanceof DeadlineExceededError || error instanceof CircuitOpenError) return false;
  if (error instanceof AttemptTimeoutError || isRetryableError(error)) return true;
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  return cause !== undefined && isRetryableError(cause);
}

/**
 * The fallback chain's default test: whether an error (after retries) moves the chain to the next candidate. Yes for an
 * error `isRetryable` accepts, a `DeadlineExceededError` (the backoff would have crossed the deadline; the next candidate
 * may still answer in time), an `AttemptTimeoutError` (the candidate hung) and a `CircuitOpenError` (the candidate's
 * breaker refused). Compose with it rather than
 * replace it, e.g. `(e) => !(e instanceof AlreadyStreamed) && canFallBack(e)`.
 */
export function canFallBack(error: unknown, isRetryable: (error: unknown) => boolean = isRetryableError): boolean {
  return isRetryable(error) || error instanceof DeadlineExceededError || error instanceof AttemptTimeoutError || error instanceof CircuitOpenError;
}

/** What `retry` tells its function about the attempt. */
export interface AttemptContext {
  /** 0 for the first attempt. */
  readonly attempt: number;
  /** Milliseconds left before the deadline; give the call a timeout (an `AbortSignal`) no longer than this. */
  readonly remainingMs: number;
}

/** Options of `retry`. */
export interface RetryOptions {
  /** The turn's deadline, in the milliseconds of `now` (an absolute time, not a duration). */
  readonly deadline: number;
  /**
   * The backoff base: the first retry sleeps up to this.
   *
   * @default 100
   */
  readonly baseMs?: number;
  /**
   * The longest sleep; at most `MAX_BACKOFF_CAP_MS`.
   *
   * @default 2000
   */
  readonly capMs?: number;
  /**
   * Attempts in all, the first included.
   *
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Which errors are retried.
   *
   * @default isRetryableError
   */
  readonly isRetryable?: (error: unknown) => boolean;
  /**
   * A random number in [0, 1).
   *
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Sleeps this many milliseconds.
   *
   * @default a setTimeout promise
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The clock, in milliseconds.
   *
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Called before each backoff sleep (for the throttle and retry metrics).
   *
   * @default - nothing
   */
  readonly onRetry?: (retry: { attempt: number; delayMs: number; error: unknown }) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The full-jitter backoff of retry number `attempt` (0 for the first retry): random(0, min(cap, base × 2^attempt)). */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Calls `fn` until it succeeds, a non-retryable error, `maxAttempts`, or the deadline. Between attempts it sleeps the
 * full-jitter backoff; when that sleep would end at or after the deadline it gives up at once with a
 * `DeadlineExceededError` (the last error as its `cause`), so it never sleeps past the deadline. No attempt starts after
 * the deadline either. A non-retryable error, and the last error after `maxAttempts`, is rethrown as it is.
 */
export async function retry<T>(fn: (context: AttemptContext) => Promise<T>, options: RetryOptions): Promise<T> {
  const baseMs = options.baseMs ?? 100;
  const capMs = options.capMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 3;
  const isRetryable = options.isRetryable ?? isRetryableError;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  if (!(baseMs > 0) || !(capMs >= baseMs) || capMs > MAX_BACKOFF_CAP_MS) {
    throw new RangeError(`need 0 < baseMs <= capMs <= ${MAX_BACKOFF_CAP_MS}, not baseMs ${baseMs}, capMs ${capMs}`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const remainingMs = options.deadline - now();
    if (remainingMs <= 0) {
      throw new DeadlineExceededError(`deadline passed before attempt ${attempt + 1}`, { cause: lastError });
    }
    try {
      return await fn({ attempt, remainingMs });
    } catch (error) {
      lastError = error;
      if (!isRetryable(error) || attempt + 1 >= maxAttempts) throw error;
      const delayMs = fullJitterDelay(attempt, baseMs, capMs, random);
      if (now() + delayMs >= options.deadline) {
        throw new DeadlineExceededError(`a backoff of ${delayMs} ms after attempt ${attempt + 1} would cross the deadline`, { cause: error });
      }
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
  throw lastError;
}

/** A breaker's state, as the metrics report it. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Options of a `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  /**
   * Failures within `windowMs` that open the breaker.
   *
   * @default 5; none when `failureRate` is given (a count alone opens a busy breaker on a steady trickle of throttling)
   */
  readonly failureThreshold?: number;
  /**
   * Alternatively, the failure rate within `windowMs` that opens the breaker, once `minimumCalls` outcomes are in the
   * window. Either trigger opens it.
   *
   * @default - no rate trigger
   */
  readonly failureRate?: number;
  /**
   * Outcomes needed in the window before `failureRate` applies.
   *
   * @default 20
   */
  readonly minimumCalls?: number;
  /**
   * The sliding window of outcomes, in milliseconds.
   *
   * @default 30_000
   */
  readonly windowMs?: number;
  /**
   * How long the breaker stays open before it lets one probe through, in milliseconds.
   *
   * @default 15_000
   */
  readonly coolDownMs?: number;
  /**
   * A probe with no outcome after this long is considered lost (its caller died): the next caller may probe.
   *
   * @default 30_000
   */
  readonly probeTimeoutMs?: number;
  /**
   * Which errors count as failures of the key. Other errors (a `ValidationException`, a guardrail intervention) mean the
   * model answered, and count as successes.
   *
   * @default isProfileFailure
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * The clock, in milliseconds.
   *
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Called on every state change (for the breaker-state metric and logs). Open → half-open is noticed lazily, when the
   * breaker is next asked.
   *
   * @default - nothing
   */
  readonly onStateChange?: (change: { key: string; from: BreakerState; to: BreakerState }) => void;
}

/** Permission to make one call; report its outcome exactly once (later reports are ignored). */
export interface BreakerPermit {
  /** Whether this call is the half-open probe. */
  readonly probe: boolean;
  /** The call succeeded (or failed in a way that is not the key's fault). */
  success(): void;
  /** The call failed in a way that counts against the key. */
  failure(): void;
}

interface Circuit {
  state: BreakerState;
  /** Outcomes within the window, oldest first (closed only). */
  outcomes: { at: number; failed: boolean }[];
  openedAt: number;
  /** When the probe in flight started, if one is. */
  probeStartedAt: number | undefined;
  /** Counts closings and probes: a permit reports only into the generation that issued it. */
  generation: number;
}

/**
 * Circuit breakers by key (one per inference profile): closed until `failureThreshold` failures (or `failureRate`) within
 * `windowMs`; then open, refusing every call, for `coolDownMs`; then half-open, letting exactly one probe through while
 * refusing everyone else until the probe reports: success closes the breaker (with a clean window), failure opens it for
 * another cool-down. `state(key)` and `states()` expose the states for metrics.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly failureThreshold: number;
  private readonly failureRate: number | undefined;
  private readonly minimumCalls: number;
  private readonly windowMs: number;
  private readonly coolDownMs: number;
  private readonly probeTimeoutMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? (options.failureRate === undefined ? 5 : Number.POSITIVE_INFINITY);
    this.failureRate = options.failureRate;
    this.minimumCalls = options.minimumCalls ?? 20;
    this.windowMs = options.windowMs ?? 30_000;
    this.coolDownMs = options.coolDownMs ?? 15_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 30_000;
    this.isFailure = options.isFailure ?? isProfileFailure;
    this.now = options.now ?? Date.now;
    if (options.failureThreshold !== undefined && (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1)) {
      throw new RangeError('failureThreshold must be a positive integer');
    }
    if (!Number.isInteger(this.minimumCalls) || this.minimumCalls < 1) throw new RangeError('minimumCalls must be a positive integer');
    if (this.failureRate !== undefined && !(this.failureRate > 0 && this.failureRate <= 1)) throw new RangeError('failureRate must be in (0, 1]');
    if (!(this.windowMs > 0) || !(this.coolDownMs > 0) || !(this.probeTimeoutMs > 0)) {
      throw new RangeError('windowMs, coolDownMs and probeTimeoutMs must be positive');
    }
  }

  /** The state of `key`'s breaker now (an unknown key is closed). */
  state(key: string): BreakerState {
    const circuit = this.circuits.get(key);
    if (!circuit) return 'closed';
    this.advance(key, circuit);
    return circuit.state;
  }

  /** Every known key's state, for the metrics. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.circuits.keys()].map((key) => [key, this.state(key)]));
  }

  /** A permit for one call to `key`, or `undefined` when the breaker refuses (open, or half-open with a probe in flight). */
  acquire(key: string): BreakerPermit | undefined {
    const circuit = this.circuit(key);
    this.advance(key, circuit);
    if (circuit.state === 'open') return undefined;
    if (circuit.state === 'half_open') {
      const now = this.now();
      if (circuit.probeStartedAt !== undefined && now - circuit.probeStartedAt < this.probeTimeoutMs) return undefined;
      circuit.probeStartedAt = now;
      circuit.generation += 1;
      return this.permit(key, circuit, true);
    }
    return this.permit(key, circuit, false);
  }

  /**
   * Runs `fn` under a permit of `key`: throws `CircuitOpenError` without calling it when refused, and records the outcome
   * (an error counts as a failure when `isFailure` says so, as a success otherwise) before passing it on.
   */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const permit = this.acquire(key);
    if (!permit) throw new CircuitOpenError(key, this.state(key));
    try {
      const value = await fn();
      permit.success();
      return value;
    } catch (error) {
      if (this.isFailure(error)) permit.failure();
      else permit.success();
      throw error;
    }
  }

  private permit(key: string, circuit: Circuit, probe: boolean): BreakerPermit {
    const generation = circuit.generation;
    let reported = false;
    const report = (failed: boolean) => {
      if (reported) return;
      reported = true;
      if (generation === circuit.generation) this.record(key, circuit, probe, failed);
    };
    return { probe, success: () => report(false), failure: () => report(true) };
  }

  private record(key: string, circuit: Circuit, probe: boolean, failed: boolean): void {
    const now = this.now();
    if (probe) {
      // Only the current probe moves a half-open breaker (a probe that timed out and reports late is of an older generation).
      if (circuit.state !== 'half_open') return;
      circuit.probeStartedAt = undefined;
      circuit.generation += 1;
      if (failed) {
        this.transition(key, circuit, 'open');
        circuit.openedAt = now;
      } else {
        this.transition(key, circuit, 'closed');
        circuit.outcomes = [];
      }
      return;
    }
    // Outcomes of calls let through while closed count only while the breaker is still closed, in the same generation.
    if (circuit.state !== 'closed') return;
    circuit.outcomes.push({ at: now, failed });
    this.prune(circuit, now);
    const failures = circuit.outcomes.filter((o) => o.failed).length;
    const rateTripped = this.failureRate !== undefined && circuit.outcomes.length >= this.minimumCalls
      && failures / circuit.outcomes.length >= this.failureRate;
    if (failed && (failures >= this.failureThreshold || rateTripped)) {
      this.transition(key, circuit, 'open');
      circuit.openedAt = now;
      circuit.outcomes = [];
    }
  }

  /** Open → half-open once the cool-down has passed. */
  private advance(key: string, circuit: Circuit): void {
    if (circuit.state === 'open' && this.now() - circuit.openedAt >= this.coolDownMs) {
      circuit.probeStartedAt = undefined;
      this.transition(key, circuit, 'half_open');
    }
  }

  private prune(circuit: Circuit, now: number): void {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < circuit.outcomes.length && circuit.outcomes[drop].at <= from) drop++;
    if (drop > 0) circuit.outcomes.splice(0, drop);
  }

  private transition(key: string, circuit: Circuit, to: BreakerState): void {
    const from = circuit.state;
    if (from === to) return;
    circuit.state = to;
    this.options.onStateChange?.({ key, from, to });
  }

  private circuit(key: string): Circuit {
    let circuit = this.circuits.get(key);
    if (!circuit) {
      circuit = { state: 'closed', outcomes: [], openedAt: 0, probeStartedAt: undefined, generation: 0 };
      this.circuits.set(key, circuit);
    }
    return circuit;
  }
}

/** Why the chain passed over a candidate. */
export type SkipReason = 'circuit_open' | 'failed' | 'deadline_exceeded';

/** One candidate the chain passed over. */
export interface PassedOver {
  /** The candidate (inference profile). */
  readonly candidate: string;
  /** Why. */
  readonly reason: SkipReason;
  /** The last error, when it was tried. */
  readonly error?: unknown;
}

/** The chain's result: a candidate's answer, or the degraded answer after every candidate failed. */
export type FallbackResult<T> =
  | { readonly kind: 'answer'; readonly candidate: string; readonly value: T; readonly fallback: boolean; readonly passedOver: readonly PassedOver[] }
  | { readonly kind: 'degraded'; readonly text: string; readonly passedOver: readonly PassedOver[] };

/** Options of `firstAvailable`. */
export interface FallbackOptions extends Omit<RetryOptions, 'isRetryable'> {
  /** The breakers, keyed by candidate. */
  readonly breaker: CircuitBreaker;
  /** The static degraded answer returned when every candidate fails; the caller supplies it (in the user's language). */
  readonly degradedText: string;
  /**
   * Which errors are retried on the same candidate.
   *
   * @default isRetryableError
   */
  readonly isRetryable?: (error: unknown) => boolean;
  /**
   * Which errors (after retries) move on to the next candidate. Any other error is thrown to the caller at once: a
   * `ValidationException` or a guardrail intervention would repeat on every model. A caller whose attempt has already
   * streamed text to the client throws an error this rejects, so the answer is not restarted on another model; compose
   * with `canFallBack` so open breakers and deadline hand-overs still fall back.
   *
   * @default canFallBack with `isRetryable`
   */
  readonly shouldFallBack?: (error: unknown) => boolean;
}

/**
 * The fallback chain: tries `candidates` in order (the chosen profile first, then its fallbacks), each through `retry` with
 * every attempt under the candidate's breaker; skips a candidate whose breaker refuses; returns the first answer, or, when
 * every candidate failed or was skipped, `{ kind: 'degraded', text: degradedText }`. Only the given candidates are ever
 * called (duplicates once): the caller gives only profiles of the approved geography. The deadline is the turn's, shared by
 * every candidate: a candidate left because its backoff would cross the deadline hands over to the next one at once.
 */
export async function firstAvailable<T>(
  candidates: readonly string[],
  attempt: (candidate: string, context: AttemptContext) => Promise<T>,
  options: FallbackOptions,
): Promise<FallbackResult<T>> {
  const isRetryable = options.isRetryable ?? isRetryableError;
  const shouldFallBack = options.shouldFallBack ?? ((error: unknown) => canFallBack(error, isRetryable));
  const passedOver: PassedOver[] = [];
  const unique = [...new Set(candidates)];
  for (const [index, candidate] of unique.entries()) {
    try {
      const value = await retry((context) => options.breaker.run(candidate, () => attempt(candidate, context)), { ...options, isRetryable });
      return { kind: 'answer', candidate, value, fallback: index > 0, passedOver };
    } catch (error) {
      if (!shouldFallBack(error)) throw error;
      const reason: SkipReason = error instanceof CircuitOpenError ? 'circuit_open'
        : error instanceof DeadlineExceededError ? 'deadline_exceeded' : 'failed';
      passedOver.push({ candidate, reason, error });
    }
  }
  return { kind: 'degraded', text: options.degradedText, passedOver };
}
