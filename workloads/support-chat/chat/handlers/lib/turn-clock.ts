import type { TurnTiming } from '../turn-core';

/** The longest wait for the settings (AppConfig's data plane) and for the classifier, whatever the deadline. */
export const MAX_SETTINGS_MS = 1000;
export const MAX_CLASSIFIER_MS = 2000;
/** The longest wait for the knowledge base's passages (`Retrieve`, with reranking where there is one), whatever the deadline. */
export const MAX_RETRIEVAL_MS = 2500;
/** The longest silence between two events of a stream that has started, whatever the deadline. */
export const MAX_IDLE_MS = 5000;
/** What the function keeps of its settle time (`TURN_SETTLE_SECONDS`) to send the final frame when the turn overruns. */
export const FINAL_FRAME_RESERVE_MS = 1000;

/** How long each step of a turn may take, derived from the deadline (`turnTimeouts`). */
export interface TurnTimeouts {
  /** Reading the settings; then the last good version or the defaults. */
  readonly settingsMs: number;
  /** The classifier's Converse; then the question counts as complex. */
  readonly classifierMs: number;
  /**
   * The knowledge base's retrieval, run beside the classifier; then the turn says it cannot look the answer up
   * (docs/adr/0024-support-chat-knowledge-grounded-or-silent.md). 0 for a turn without a knowledge base.
   */
  readonly retrievalMs: number;
  /** One answer attempt's wait for its first text; then it is aborted and the next candidate tried. */
  readonly firstTokenMs: number;
  /** The longest gap between two stream events once text flows; then it is aborted and the turn ends with an error frame. */
  readonly idleMs: number;
}

/**
 * The turn's timeouts from its deadline (`limits.turnDeadlineSeconds`, in ms) and the candidates of its fallback chain:
 *
 * - settings and classifier: a tenth of the deadline each, at most `MAX_SETTINGS_MS` and `MAX_CLASSIFIER_MS`;
 * - retrieval (`knowledge: true`): a tenth of the deadline, at most `MAX_RETRIEVAL_MS`, in parallel with the classifier,
 *   so the two together take the longer of the two;
 * - first token: what is left, shared by the candidates plus one share kept for the store's round trips, the backoff
 *   sleeps and the degraded answer: `(deadline − settings − max(classifier, retrieval)) / (candidates + 1)`, so even
 *   when every candidate hangs the degraded answer goes out before the deadline;
 * - idle: the first-token timeout, at most `MAX_IDLE_MS` (a model streams a token every few tens of milliseconds).
 *
 * With the example tenant (25 s, two candidates): 1 s, 2 s, 7.33 s and 5 s; with a knowledge base, retrieval 2.5 s and
 * the first token 7.17 s.
 */
export function turnTimeouts(deadlineMs: number, candidates: number, options: { readonly knowledge?: boolean } = {}): TurnTimeouts {
  if (!(deadlineMs > 0)) throw new RangeError(`the turn's deadline must be positive, not ${deadlineMs} ms`);
  if (!Number.isInteger(candidates) || candidates < 1) throw new RangeError(`a turn has at least one candidate, not ${candidates}`);
  const settingsMs = Math.min(MAX_SETTINGS_MS, Math.floor(deadlineMs / 10));
  const classifierMs = Math.min(MAX_CLASSIFIER_MS, Math.floor(deadlineMs / 10));
  const retrievalMs = options.knowledge ? Math.min(MAX_RETRIEVAL_MS, Math.floor(deadlineMs / 10)) : 0;
  const firstTokenMs = Math.floor((deadlineMs - settingsMs - Math.max(classifierMs, retrievalMs)) / (candidates + 1));
  return { settingsMs, classifierMs, retrievalMs, firstTokenMs, idleMs: Math.min(firstTokenMs, MAX_IDLE_MS) };
}

/** Splits a turn's time into the model's (less what the model's stream waited on us), the backoff's, and ours. */
export class TurnClock {
  private readonly started: number;
  private modelMs = 0;
  private oursInsideModelMs = 0;
  private backoffMs = 0;
  private retries = 0;
  private throttles = 0;

  constructor(private readonly now: () => number) {
    this.started = now();
  }

  /** Runs a Bedrock call (and its stream) and counts its time as the model's. */
  async model<T>(call: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await call();
    } finally {
      this.modelMs += this.now() - start;
    }
  }

  /** Runs our own work inside a model call (writing a frame) and takes its time back from the model's. */
  async ours<T>(work: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work();
    } finally {
      this.oursInsideModelMs += this.now() - start;
    }
  }

  retried(delayMs: number, error: unknown): void {
    this.retries += 1;
    this.backoffMs += delayMs;
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    if (e?.name === 'ThrottlingException' || e?.$metadata?.httpStatusCode === 429) this.throttles += 1;
  }

  timing(breakerOpen: number): TurnTiming {
    const totalMs = this.now() - this.started;
    const modelMs = Math.max(0, this.modelMs - this.oursInsideModelMs);
    return {
      totalMs,
      modelMs,
      backoffMs: this.backoffMs,
      overheadMs: Math.max(0, totalMs - modelMs - this.backoffMs),
      throttles: this.throttles,
      retries: this.retries,
      breakerOpen,
    };
  }
}
