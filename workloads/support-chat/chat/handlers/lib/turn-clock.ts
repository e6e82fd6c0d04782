import type { TurnTiming } from '../turn-core';

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
