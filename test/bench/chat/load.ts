import type { Report } from './report';
import type { Measured } from './run';
import { countsOf, peakConcurrency } from './stats';

/** The load the chat got and how its turns and model requests ended; the baseline's likewise. */
export function loadFigures(m: Measured): Report['load'] {
  const { opts, turns, outcomes, records, baseline, runStartMs } = m;
  const chatRequests = records.filter((r) => r.label?.startsWith('bench-c-'));
  const baseRequests = records.filter((r) => r.label?.startsWith('bench-b-'));
  const windowMs = opts.seconds * 1000;
  const sent = turns.length;
  const achievedRate = sent / opts.seconds;
  const answeredInWindow = turns.filter((t) => t.endMs !== undefined && t.endMs <= runStartMs + windowMs).length;
  const late = turns.filter((t) => t.sentMs - t.scheduledMs > 10).length;
  return {
    offeredPerSecond: opts.rate,
    achievedPerSecond: achievedRate,
    sent,
    answeredInWindow,
    late,
    sustained: achievedRate >= 0.95 * opts.rate,
    atClient: countsOf(turns.map((t) => (t.terminal === 'error' ? `error ${t.code}` : t.terminal ?? 'never ended'))),
    gatewayTimeouts: turns.filter((t) => t.gatewayMessages.length > 0).length,
    outcomes: countsOf(turns.map((t) => {
      const o = outcomes.get(t.tag);
      if (!o) return 'no outcome';
      if (o.result === 'answered') return o.fallback ? 'answered by a fallback profile' : 'answered by the chosen profile';
      return `${o.result}${o.code ? ` (${o.code})` : ''}`;
    })),
    chatModelRequests: countsOf(chatRequests.map((r) => `${r.operation === 'Converse' ? 'classifier' : 'answer'} ${r.outcome}`)),
    chatThrottledShare: chatRequests.filter((r) => r.outcome === 'fault').length / Math.max(1, chatRequests.length),
    answersByProfile: countsOf(chatRequests.filter((r) => r.operation === 'ConverseStream' && r.outcome === 'completed').map((r) => r.modelId)),
    peakModelRequestsInFlight: peakConcurrency(chatRequests.map((q) => [q.arrivedMs, q.endedMs ?? q.arrivedMs])),
    baselineCalls: baseline.length,
    baselinePerSecond: baseline.length / Math.max(1e-9, opts.baselineSeconds),
    baselineThrottledShare: baseRequests.filter((r) => r.outcome === 'fault').length / Math.max(1, baseRequests.length),
    baselineFailed: countsOf(baseline.flatMap((c) => (c.error ? [c.error] : []))),
  };
}
