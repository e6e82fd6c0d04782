import { type CpuShares, cpuShares } from './cpu';
import type { Measured } from './run';
import { type Dist, dist } from './stats';

/** One slice of the chat run. */
export interface TimelineSlice {
  readonly fromS: number;
  readonly toS: number;
  readonly sent: number;
  readonly e2eMs: Dist;
  readonly motoProbeMs: Dist;
  readonly cpu?: CpuShares;
}

/** The run in 10-second slices: how the rate, the answers' time and moto held up as the table grew. */
export function timeline(m: Measured): TimelineSlice[] {
  const { runStartMs, samples, turns, probes } = m;
  const windowMs = m.opts.seconds * 1000;
  const sliceMs = 10_000;
  return Array.from({ length: Math.ceil(windowMs / sliceMs) }, (_, n) => {
    const from = runStartMs + n * sliceMs;
    const to = Math.min(runStartMs + windowMs, from + sliceMs);
    const inSlice = (at: number) => at >= from && at < to;
    const within = samples.filter((x) => x.atMs >= from - 500 && x.atMs <= to + 500);
    const cpu = within.length >= 2 ? cpuShares(m.pids, within[0], within[within.length - 1]) : undefined;
    return {
      fromS: (from - runStartMs) / 1000,
      toS: (to - runStartMs) / 1000,
      sent: turns.filter((t) => inSlice(t.sentMs)).length,
      e2eMs: dist(turns.filter((t) => inSlice(t.sentMs) && t.endMs !== undefined).map((t) => t.endMs! - t.sentMs)),
      motoProbeMs: dist(probes.filter((p) => inSlice(p.atMs)).map((p) => p.latencyMs)),
      cpu,
    };
  });
}
