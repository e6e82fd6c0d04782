import { met, ms, table } from './format';
import { GOALS, type Report } from './report';

/** The report's tables of the chat's and the baseline's times, and the added time to first token. */
export function printLatency(r: Report): void {
  const { chat, baseline, goals } = r;
  table('Chat, every turn of the run (ms)', [
    ['time to first token (TTFT)', chat.all.ttftMs],
    ['end to end', chat.all.e2eMs],
    ['model time (union of the turn\'s model requests)', chat.all.modelMs],
    ['retry gaps (turns that had one)', chat.all.retryGapMs],
    ['overhead = end to end - model', chat.all.overheadMs],
    ['overhead excluding retry gaps', chat.all.overheadExclRetryMs,
      `goal p50 <= ${GOALS.overheadP50Ms}: ${met(goals.overheadP50)}; p95 <= ${GOALS.overheadP95Ms}: ${met(goals.overheadP95)}`],
    ['  of it waiting on DynamoDB (the emulator)', chat.all.storageMs],
    ['  of it the rest (gateway, relay, turn, SDKs, loop)', chat.all.restMs],
    ['overhead before the first token', chat.all.ttftOverheadMs],
    ['  of it the rest (not DynamoDB)', chat.all.ttftRestMs],
  ]);
  table(`Chat, unthrottled turns (${chat.unthrottled.turns} of ${chat.all.turns}: no model request throttled, one answer stream) (ms)`, [
    ['time to first token', chat.unthrottled.ttftMs],
    ['end to end', chat.unthrottled.e2eMs],
    ['overhead', chat.unthrottled.overheadExclRetryMs],
    ['  of it waiting on DynamoDB', chat.unthrottled.storageMs],
    ['  of it the rest', chat.unthrottled.restMs],
    ['overhead before the first token', chat.unthrottled.ttftOverheadMs],
  ]);
  const s = chat.storageAttribution;
  console.log(`  (DynamoDB requests attributed to turns: ${s.userCalls} naming the user's items, ${s.tenantAttributed} of ${s.tenantCalls} tenant-counter ones; `
    + `per turn p50 ${ms(chat.all.storageCalls.p50, 0)}, one after the other; their latency seen by this process p50 ${ms(s.callLatencyMs.p50)} / `
    + `p95 ${ms(s.callLatencyMs.p95)} ms)`);
  if (chat.turnReported) {
    table('The turn\'s own account (TurnOutcome.timing: inside runTurn, without the gateway, relay and client) (ms)', [
      ['overhead', chat.turnReported.overheadMs],
      ['backoff sleeps (turns that had one)', chat.turnReported.backoffMs],
    ]);
  }
  table('Baseline: bare ConverseStream (SDK defaults), same emulator process, pacing, throttling and schedule (ms)', [
    ['time to first token', baseline.all.ttftMs],
    ['end to end', baseline.all.e2eMs],
    ['SDK retry gaps (calls that had one)', baseline.all.retryGapMs],
    ['overhead excluding retry gaps (the floor)', baseline.all.overheadExclRetryMs],
    [`unthrottled calls (${baseline.unthrottled.turns}): TTFT`, baseline.unthrottled.ttftMs],
    [`unthrottled calls (${baseline.unthrottled.turns}): end to end`, baseline.unthrottled.e2eMs],
  ]);

  console.log('\nAdded time to first token: chat minus bare ConverseStream (ms; the chat\'s includes the classifier, 150 ms of model time)');
  for (const k of ['all', 'unthrottled'] as const) {
    const a = r.addedTtftMs[k];
    console.log(`  ${`${k === 'all' ? 'all' : 'unthrottled'} turns:`.padEnd(19)} p50 ${ms(a.p50)}  p95 ${ms(a.p95)}  p99 ${ms(a.p99)}`);
  }
}
