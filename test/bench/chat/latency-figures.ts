import { analyse, summarize } from './analysis';
import { GOALS, type Report } from './report';
import type { Measured } from './run';
import { defined, differences, dist, ratios } from './stats';
import type { EmulatorRecordSummary } from '../../../workloads/support-chat/local/bedrock-emulator-process';

type LatencyFigures = Pick<Report, 'chat' | 'baseline' | 'addedTtftMs' | 'ratios' | 'goals'>;

/** The chat's turns and the baseline's calls analysed and summarized, compared, and the overhead against its goals. */
export function latencyFigures(m: Measured): LatencyFigures {
  const { turns, baseline, records, storage, outcomes } = m;
  const byLabel = new Map<string, EmulatorRecordSummary[]>();
  for (const r of records) if (r.label) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const ended = turns.filter((t) => t.endMs !== undefined);
  const chatRows = ended.map((t) => analyse(t.tag, t.sentMs, t.firstChunkMs, t.endMs!, byLabel.get(t.tag) ?? [], storage.intervals.get(t.tag)));
  const baseRows = baseline.filter((c) => c.endMs !== undefined)
    .map((c) => analyse(c.tag, c.sentMs, c.firstChunkMs, c.endMs!, byLabel.get(c.tag) ?? []));
  const chatAll = summarize(chatRows);
  const chatClean = summarize(chatRows.filter((r) => r.clean));
  const baseAll = summarize(baseRows);
  const baseClean = summarize(baseRows.filter((r) => r.clean));
  const turnTiming = turns.flatMap((t) => {
    const timing = (outcomes.get(t.tag) as { timing?: { overheadMs?: number; backoffMs?: number } } | undefined)?.timing;
    return timing?.overheadMs === undefined ? [] : [timing as { overheadMs: number; backoffMs?: number }];
  });
  const goal = (goalMs: number, measuredMs?: number) => ({ goalMs, measuredMs, met: (measuredMs ?? Infinity) <= goalMs });
  return {
    chat: {
      all: chatAll,
      unthrottled: chatClean,
      turnReported: turnTiming.length > 0
        ? { overheadMs: dist(turnTiming.map((t) => t.overheadMs)), backoffMs: dist(defined(turnTiming.map((t) => t.backoffMs || undefined))) }
        : undefined,
      storageAttribution: {
        userCalls: storage.userCalls,
        tenantCalls: storage.tenantCalls,
        tenantAttributed: storage.tenantAttributed,
        callLatencyMs: storage.latencyMs,
      },
    },
    baseline: { all: baseAll, unthrottled: baseClean, sdkRetryDelayMs: dist(defined(baseline.map((c) => c.sdkRetryDelayMs || undefined))) },
    addedTtftMs: { all: differences(chatAll.ttftMs, baseAll.ttftMs), unthrottled: differences(chatClean.ttftMs, baseClean.ttftMs) },
    ratios: {
      all: { ttft: ratios(chatAll.ttftMs, baseAll.ttftMs), e2e: ratios(chatAll.e2eMs, baseAll.e2eMs) },
      unthrottled: { ttft: ratios(chatClean.ttftMs, baseClean.ttftMs), e2e: ratios(chatClean.e2eMs, baseClean.e2eMs) },
    },
    goals: {
      overheadP50: goal(GOALS.overheadP50Ms, chatAll.overheadExclRetryMs.p50),
      overheadP95: goal(GOALS.overheadP95Ms, chatAll.overheadExclRetryMs.p95),
    },
  };
}
