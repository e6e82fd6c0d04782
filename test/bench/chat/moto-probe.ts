import { setTimeout as sleep } from 'node:timers/promises';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';

/** One GetItem of the probe: when it was sent (monotonic ms) and how long it took. */
export interface Probe {
  readonly atMs: number;
  readonly latencyMs: number;
}

/**
 * Probes moto's latency (a GetItem of an item nobody else reads, every 250 ms) until `stop`, which resolves once the
 * probe in flight ended.
 */
export function startMotoProbe(client: DynamoDBDocumentClient, tableName: string): { probes: Probe[]; stop: () => Promise<void> } {
  const probes: Probe[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const at = monotonicMs();
      await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'BENCH-PROBE', sk: 'PROBE' }, ConsistentRead: true }));
      probes.push({ atMs: at, latencyMs: monotonicMs() - at });
      await sleep(250);
    }
  })();
  return {
    probes,
    stop: async () => {
      probing = false;
      await prober;
    },
  };
}
