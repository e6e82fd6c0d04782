import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorResponse, isClosed } from './bedrock-listener';
import { type BedrockRequestOutcome, type BedrockRequestRecord, monotonicMs } from './bedrock-request';

/** Waits `ms` milliseconds; 0 only yields to the event loop (no 1 ms timer floor). */
export async function pause(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
  else await immediate();
}

/**
 * Tracks whether the client went away before the answer ended, so a paced answer stops writing into a closed socket,
 * and wakes a pause as soon as it does (a client that aborts a hung request is seen at once, not when the pause ends).
 */
export class ClientWatch {
  private closed = false;
  private readonly left = new AbortController();

  constructor(private readonly res: EmulatorResponse) {
    res.once('close', () => {
      if (!res.writableEnded) this.closed = true;
      this.left.abort();
    });
  }

  /** `pause(ms)`, ended early when the client goes away. */
  public async pause(ms: number): Promise<void> {
    if (ms <= 0 || this.gone) return pause(ms);
    await sleep(ms, undefined, { signal: this.left.signal }).catch(() => undefined);
  }

  /** Whether the connection closed before the response was complete. */
  public get gone(): boolean {
    return this.closed || isClosed(this.res);
  }
}

/** Marks how a request ended and when. */
export function finish(record: BedrockRequestRecord, outcome: BedrockRequestOutcome): void {
  record.outcome = outcome;
  record.endedAt = Date.now();
  record.endedAtMonotonicMs = monotonicMs();
}
