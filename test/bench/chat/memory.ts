import { setTimeout as sleep } from 'node:timers/promises';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/*
 * Memory per connection: this process's heap used (and RSS) after forced GCs, with the sessions connected and idle,
 * minus the same before they connected, divided by the sessions; and again after one turn per session (the turn's
 * per-user data-access session is then cached). Server side only (the clients are in their own process); one throwaway
 * session runs a first turn before the "none" figure, so first-use costs (JIT, SDK clients) are not counted per connection.
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(100);
  }
  return process.memoryUsage();
}

export interface PerConnection {
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  readonly externalBytes: number;
}

/** What `sessions` connections added from `none` to `after`, per connection. */
export function perConnection(none: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage, sessions: number): PerConnection {
  return {
    heapUsedBytes: (after.heapUsed - none.heapUsed) / sessions,
    rssBytes: (after.rss - none.rss) / sessions,
    externalBytes: (after.external + after.arrayBuffers - none.external - none.arrayBuffers) / sessions,
  };
}
