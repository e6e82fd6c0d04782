import { clip, defined, dist, unionLength } from './stats';
import type { EmulatorRecordSummary } from '../../../workloads/support-chat/local/bedrock-emulator-process';

/*
 * Per turn (or baseline call), from the client's stamps and the emulator's records of the turn's model requests:
 *
 *   model time    the union of the turn's model intervals within [sent, end]: the classifier, every answer attempt;
 *   retry gaps    between a throttled answer attempt's end and the retry's start on the same profile: the jittered backoff
 *                 sleep plus the handling of the error and the new request (not separable from outside);
 *   overhead      end to end minus model time: everything that is not the model (gateway, authorizer context, relay,
 *                 turn, STS, DynamoDB on moto, AppConfig, PostToConnection, frames), the retry gaps included;
 *   overhead excluding retry gaps: the figure the goal (20 ms p50 / 60 ms p95) is checked against; both are printed;
 *   of it waiting on moto: the union of the turn's requests to moto, timed in this process (`observeHttpRequests`: from
 *                 the SDK's `http.request` to the end of the response, the agent's queue included) and given to the turn
 *                 by the user item they name (or, for the tenant's counter, by the user request just before);
 *   of it the rest: our code, the gateway and relay, the SDKs, this event loop: overhead minus waiting on moto;
 *   TTFT overhead  TTFT minus the model's time before the first token (each request counts up to its first token or end)
 *                 and minus the retry gaps before it.
 */

/** One turn (or baseline call), split into the model's time, the retry gaps, storage and the rest. */
export interface Analysed {
  readonly tag: string;
  readonly e2eMs: number;
  readonly ttftMs?: number;
  readonly modelMs: number;
  readonly retryGapMs: number;
  /** End to end minus model time. */
  readonly overheadMs: number;
  /** End to end minus model time and retry gaps: the figure checked against the goal. */
  readonly overheadExclRetryMs: number;
  /** Time waiting on moto (DynamoDB, STS), within the overhead. */
  readonly storageMs: number;
  /** moto requests the turn made. */
  readonly storageCalls: number;
  /** End to end minus model time, retry gaps and storage: our code, the gateway and relay, the SDKs, the event loop. */
  readonly restMs: number;
  /** TTFT minus the model's time before its first token and the retry gaps before it. */
  readonly ttftOverheadMs?: number;
  /** The same, minus storage before the first token. */
  readonly ttftRestMs?: number;
  readonly throttled: number;
  /** No model request throttled, and one answer stream that completed. */
  readonly clean: boolean;
}

export function analyse(
  tag: string, sentMs: number, firstMs: number | undefined, endMs: number, requests: readonly EmulatorRecordSummary[],
  storage: readonly [number, number][] = [],
): Analysed {
  const model = requests.map((r): [number, number] => [r.arrivedMs, r.endedMs ?? endMs]);
  // A retry: an answer attempt throttled (fault) and the next attempt on the same profile.
  const streams = requests.filter((r) => r.operation === 'ConverseStream').sort((a, b) => a.arrivedMs - b.arrivedMs);
  const gaps: [number, number][] = [];
  for (let i = 1; i < streams.length; i++) {
    const [a, b] = [streams[i - 1], streams[i]];
    if (a.outcome === 'fault' && a.modelId === b.modelId && a.endedMs !== undefined) gaps.push([a.endedMs, b.arrivedMs]);
  }
  const within = (lo: number, hi: number, ...sets: (readonly (readonly [number, number])[])[]) => unionLength(sets.flat().map(clip(lo, hi)));
  const e2eMs = endMs - sentMs;
  const modelMs = within(sentMs, endMs, model);
  let ttftOverheadMs: number | undefined;
  let ttftRestMs: number | undefined;
  if (firstMs !== undefined) {
    // Before the first token, each request counts up to its own first token (or its end): after that the model is streaming
    // while the chat path carries the first chunk to the client, and that carrying is ours.
    const beforeFirst = requests.map((r): [number, number] => [r.arrivedMs, Math.min(r.firstTokenMs ?? Infinity, r.endedMs ?? Infinity)]);
    ttftOverheadMs = firstMs - sentMs - within(sentMs, firstMs, beforeFirst, gaps);
    ttftRestMs = firstMs - sentMs - within(sentMs, firstMs, beforeFirst, gaps, storage);
  }
  const throttled = requests.filter((r) => r.outcome === 'fault').length;
  return {
    tag,
    e2eMs,
    ttftMs: firstMs === undefined ? undefined : firstMs - sentMs,
    modelMs,
    retryGapMs: within(sentMs, endMs, gaps),
    overheadMs: e2eMs - modelMs,
    overheadExclRetryMs: e2eMs - within(sentMs, endMs, model, gaps),
    storageMs: within(sentMs, endMs, storage),
    storageCalls: storage.length,
    restMs: e2eMs - within(sentMs, endMs, model, gaps, storage),
    ttftOverheadMs,
    ttftRestMs,
    throttled,
    clean: throttled === 0 && streams.length === 1 && streams[0].outcome === 'completed',
  };
}

export function summarize(rows: readonly Analysed[]) {
  return {
    turns: rows.length,
    ttftMs: dist(defined(rows.map((r) => r.ttftMs))),
    e2eMs: dist(rows.map((r) => r.e2eMs)),
    modelMs: dist(rows.map((r) => r.modelMs)),
    retryGapMs: dist(rows.filter((r) => r.retryGapMs > 0).map((r) => r.retryGapMs)),
    overheadMs: dist(rows.map((r) => r.overheadMs)),
    overheadExclRetryMs: dist(rows.map((r) => r.overheadExclRetryMs)),
    storageMs: dist(rows.map((r) => r.storageMs)),
    storageCalls: dist(rows.map((r) => r.storageCalls)),
    restMs: dist(rows.map((r) => r.restMs)),
    ttftOverheadMs: dist(defined(rows.map((r) => r.ttftOverheadMs))),
    ttftRestMs: dist(defined(rows.map((r) => r.ttftRestMs))),
  };
}

export type Summary = ReturnType<typeof summarize>;
