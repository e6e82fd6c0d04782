import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-request';

/**
 * The bench's pacing, for the sessions and for the baseline's loops alike: `loops` loops, each with one slot every
 * `loops / rate` seconds, the loops' slots spread evenly (so `rate` calls a second in aggregate), each calling `call` at
 * its slot only after its previous call ended (a user reads the answer before asking again). When a call ends after the
 * loop's next slot, the next call goes at once (late) and the loop's slots start again from there: a missed slot is never
 * caught up, so a slow chat lowers the rate it gets, and the bench reports the rate achieved. No call starts at or after
 * `startAtMs + seconds`. `call` gets the loop, the call's number in the loop and its slot (monotonic ms).
 */
export async function onSchedule<T>(
  loops: number, startAtMs: number, seconds: number, rate: number, call: (loop: number, k: number, slotMs: number) => Promise<T>,
): Promise<T[]> {
  const intervalMs = (1000 * loops) / rate;
  const endAtMs = startAtMs + seconds * 1000;
  const results: T[] = [];
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    let slot = startAtMs + (loop / loops) * intervalMs;
    for (let k = 0; Math.max(slot, monotonicMs()) < endAtMs; k++) {
      const wait = slot - monotonicMs();
      if (wait > 0) await sleep(wait);
      const sentMs = monotonicMs();
      results.push(await call(loop, k, slot));
      slot = Math.max(slot, sentMs) + intervalMs;
    }
  }));
  return results;
}
