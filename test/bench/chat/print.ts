import { met, ms, times } from './format';
import { printCost } from './print-cost';
import { printLatency } from './print-latency';
import { printResources } from './print-resources';
import { printRun } from './print-run';
import { GOALS, type Report } from './report';

/** Prints the report: the run, the times, memory and CPU, the messages, and the key figures. */
export function print(r: Report): void {
  printRun(r);
  printLatency(r);
  printResources(r);
  const { options: o, load, chat, goals } = r;

  const i = r.integrity;
  console.log(`\nMessages: ${i.checked} sent (run ${load.sent}, and one warm-up per session and the throwaway session's); `
    + `stored: ${i.storedUserMessages} user messages, ${i.storedAnswers} answers; ${i.tableItems} items in the table`);
  console.log(`  messages lost: ${i.lost.length}${i.lost.length === 0 ? '' : '  << MUST BE 0'}`
    + `${i.storedButNotDelivered > 0 ? ` (${i.storedButNotDelivered} of them stored with their answer, which never reached the client)` : ''}`);
  for (const v of i.lost.slice(0, 50)) console.log(`    ${v.tag}: ${v.problem}`);
  if (i.lost.length > 50) console.log(`    … and ${i.lost.length - 50} more (bench-out/chat.json)`);
  console.log(`  other violations (text, frame order): ${i.other.length}`);
  for (const v of i.other.slice(0, 50)) console.log(`    ${v.tag}: ${v.problem}`);
  printCost(i.costs);

  const { all, unthrottled } = r.ratios;
  console.log('\nKey figures (chat / bare ConverseStream)');
  console.log(`  TTFT         all turns p50 ${times(all.ttft.p50)}  p95 ${times(all.ttft.p95)}  p99 ${times(all.ttft.p99)}  |  `
    + `unthrottled p50 ${times(unthrottled.ttft.p50)}  p95 ${times(unthrottled.ttft.p95)}  p99 ${times(unthrottled.ttft.p99)}`);
  console.log(`  end to end   all turns p50 ${times(all.e2e.p50)}  p95 ${times(all.e2e.p95)}  p99 ${times(all.e2e.p99)}  |  `
    + `unthrottled p50 ${times(unthrottled.e2e.p50)}  p95 ${times(unthrottled.e2e.p95)}  p99 ${times(unthrottled.e2e.p99)}`);
  console.log(`  overhead per turn (model and retry gaps excluded): p50 ${ms(goals.overheadP50.measuredMs)} ms (goal ${GOALS.overheadP50Ms}: `
    + `${met(goals.overheadP50)}), p95 ${ms(goals.overheadP95.measuredMs)} ms (goal ${GOALS.overheadP95Ms}: ${met(goals.overheadP95)}); `
    + `without DynamoDB p50 ${ms(chat.all.restMs.p50)} / p95 ${ms(chat.all.restMs.p95)} ms`);
  console.log(`  added TTFT p50 ${ms(r.addedTtftMs.all.p50)} ms; rate ${load.achievedPerSecond.toFixed(1)} of ${o.rate} messages/s`
    + `${r.saturation.moto ? ' (DynamoDB emulator saturated)' : ''}${r.saturation.chat ? ' (chat process CPU-bound)' : ''}; messages lost ${i.lost.length}`);
}
