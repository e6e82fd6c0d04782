import { PACING } from './emulator';
import { listCounts, pct } from './format';
import type { Report } from './report';

/** The report's header (the run's settings, the machine, the clock) and its Load section. */
export function printRun(r: Report): void {
  const { options: o, load } = r;
  console.log(`bench:chat: ${o.sessions} WebSocket sessions (a user and an id token each) for ${o.seconds} s, offered ${o.rate} messages/s; `
    + `${(100 * o.throttle).toFixed(0)} % of model requests throttled (seed ${o.seed})`);
  console.log(`machine: ${r.machine.cores} cores, ${(r.machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${r.machine.node}; processes: `
    + `chat ${r.pids.chat}, Bedrock emulator ${r.pids.emulator}, clients ${r.pids.clients}, DynamoDB emulator ${r.pids.moto ?? '?'}`);
  console.log(`emulator pacing: first text of an answer after ${PACING.firstTokenMs} ms, then ${PACING.chunkSize} characters every ${PACING.interTokenMs} ms; `
    + `the classifier answers in ${PACING.classifierMs} ms; throttled requests get ThrottlingException (429) before any stream`);
  console.log(`clock: process.hrtime.bigint() (CLOCK_MONOTONIC) is one clock with the emulator process: ${r.clock.probes} probes, each within `
    + `${r.clock.widestBracketMs.toFixed(2)} ms`);
  console.log(`per-user rate limit raised for the bench to ${r.perUserLimitPerMinute} messages a minute (each user sends ${r.perUserPerMinute.toFixed(0)} a minute)`);

  console.log('\nLoad');
  console.log(`  sent in ${o.seconds} s: ${load.sent} messages = ${load.achievedPerSecond.toFixed(1)}/s of ${o.rate}/s offered`
    + `${load.sustained ? '' : '  << NOT SUSTAINED: answers took longer than the sessions\' slots'}`);
  console.log(`  sent late (more than 10 ms after the session's slot, the previous answer still running): ${load.late} (${pct(load.late, load.sent)}); `
    + `answers ended within the window: ${load.answeredInWindow}`);
  console.log(`  at the client: ${listCounts(load.atClient)}; API Gateway's integration timeout (29 s) message before the turn's end: `
    + `${load.gatewayTimeouts}`);
  console.log(`  the turns' outcomes: ${listCounts(load.outcomes)}`);
  console.log(`  model requests of the chat: ${listCounts(load.chatModelRequests)} (throttled ${pct(load.chatThrottledShare, 1)}); `
    + `at most ${load.peakModelRequestsInFlight} in flight at once`);
  console.log(`  answers completed by profile: ${listCounts(load.answersByProfile)}`);
  console.log(`  baseline: ${load.baselineCalls} calls = ${load.baselinePerSecond.toFixed(1)}/s, model requests throttled ${pct(load.baselineThrottledShare, 1)}, `
    + `failed after the SDK's retries: ${listCounts(load.baselineFailed) || '0'}`);
}
