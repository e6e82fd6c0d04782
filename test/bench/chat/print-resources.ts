import { kib, ms, pct, share } from './format';
import type { Report } from './report';

/** The report's Memory and CPU sections: per connection, per process, moto's probe, the run in slices. */
export function printResources(r: Report): void {
  const o = r.options;
  const m = r.memory;
  console.log('\nMemory per connection (this process, after forced GCs: gateway, relay, turn; the clients are in their own process)');
  console.log(`  connected and idle:   heap ${kib(m.perConnectionIdle.heapUsedBytes)}, RSS ${kib(m.perConnectionIdle.rssBytes)}, `
    + `external+array buffers ${kib(m.perConnectionIdle.externalBytes)}`);
  console.log(`  after one turn each:  heap ${kib(m.perConnectionWarm.heapUsedBytes)}, RSS ${kib(m.perConnectionWarm.rssBytes)} `
    + '(the user\'s cached data-access session and DynamoDB client, and the harness\'s record of the turn)');
  console.log(`  heap used: no session ${kib(m.none.heapUsed)}, ${o.sessions} connected ${kib(m.connected.heapUsed)}, after a turn each ${kib(m.warm.heapUsed)}; `
    + `RSS at most ${(m.peakRssDuringRunBytes / 2 ** 20).toFixed(0)} MiB during the run`);

  const c = r.cpu;
  console.log(`\nCPU during the run (share of one core; ${r.machine.cores} cores in all)`);
  console.log(`  chat process (gateway, relay, turn) ${share(c.runShareOfOneCore.chat)}, DynamoDB emulator ${share(c.runShareOfOneCore.moto)} `
    + `(busiest second ${pct(c.motoBusiestSecond, 1)}), Bedrock emulator ${share(c.runShareOfOneCore.emulator)}, clients ${share(c.runShareOfOneCore.clients)}`);
  console.log(`  per turn (each process's CPU over the run / the turns; background work included): chat process ${ms(c.perTurnMs.chat)} ms, `
    + `DynamoDB emulator ${ms(c.perTurnMs.moto)} ms, emulator ${ms(c.perTurnMs.emulator)} ms`);
  console.log(`  during the baseline: chat process (the SDK calls) ${share(c.baselineShareOfOneCore.chat)}, emulator ${share(c.baselineShareOfOneCore.emulator)}`);
  console.log(`  chat event loop delay: p50 ${ms(r.eventLoopDelayMs.p50)} ms, p99 ${ms(r.eventLoopDelayMs.p99)} ms, max ${ms(r.eventLoopDelayMs.max)} ms`);
  console.log(`  DynamoDB emulator GetItem probe: at rest (during the baseline) p50 ${ms(r.moto.probeAtRestMs.p50)} / p95 ${ms(r.moto.probeAtRestMs.p95)} ms; `
    + `under the chat load p50 ${ms(r.moto.probeUnderLoadMs.p50)} / p95 ${ms(r.moto.probeUnderLoadMs.p95)} / max ${ms(r.moto.probeUnderLoadMs.max)} ms`);
  if (r.saturation.moto) {
    console.log('  << the DynamoDB emulator is SATURATED: its queueing is in the overhead ("waiting on DynamoDB"), which is not what DynamoDB '
      + 'would add. minidyn copies a partition for each transaction and reads it for each query (emulators/dynamodb), so its cost grows with '
      + `the users' conversations (${r.integrity.tableItems} items in the table at the end). Rerun with a lower --rate for the overhead without it`);
  }
  if (r.saturation.chat) console.log('  << the chat process is CPU-bound (one core): its queueing is in the overhead');
  console.log('  over the run:   slice   sent/s   end to end p50 (ms)   DynamoDB probe p50 (ms)   CPU chat   CPU DynamoDB');
  for (const t of r.timeline) {
    console.log(`             ${`${t.fromS}-${t.toS} s`.padStart(10)}  ${(t.sent / (t.toS - t.fromS)).toFixed(1).padStart(7)}  ${ms(t.e2eMs.p50).padStart(20)}  `
      + `${ms(t.motoProbeMs.p50).padStart(20)}  ${share(t.cpu?.chat).padStart(9)}  ${share(t.cpu?.moto).padStart(9)}`);
  }
  if (r.saturation.machine) console.log(`  << the machine's ${r.machine.cores} cores are busy: the processes slow each other down`);
}
