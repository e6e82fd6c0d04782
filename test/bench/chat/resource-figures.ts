import { cpus } from 'node:os';
import { type CpuReading, cpuShares } from './cpu';
import { perConnection } from './memory';
import type { Report } from './report';
import { LOOP_DELAY_RESOLUTION_MS, type Measured } from './run';
import { dist } from './stats';

type ResourceFigures = Pick<Report, 'memory' | 'cpu' | 'eventLoopDelayMs' | 'moto' | 'saturation'>;

/** Memory per connection; CPU per process over the chat window (share of one core), per turn, moto's busiest second; saturation. */
export function resourceFigures(m: Measured): ResourceFigures {
  const { opts, pids, samples, probes, runStartMs, memory: measured } = m;
  const windowMs = opts.seconds * 1000;
  const share = (a: CpuReading, b: CpuReading) => cpuShares(pids, a, b);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const cpuRun = share(first, last);
  const cpuBaseline = share(m.baselineCpu.start, m.baselineCpu.end);
  const motoSeconds = samples.slice(1).map((s, i) => share(samples[i], s).moto ?? 0);
  const runWallMs = last.atMs - first.atMs;
  const turnsEnded = m.turns.filter((t) => t.endMs !== undefined).length;
  const cpuPerTurnMs = Object.fromEntries(Object.entries(cpuRun)
    .map(([k, v]) => [k, v === undefined ? undefined : (v * runWallMs) / Math.max(1, turnsEnded)]));
  const probeIdle = dist(probes.filter((p) => p.atMs < m.baselineCpu.end.atMs).map((p) => p.latencyMs));
  const probeLoad = dist(probes.filter((p) => p.atMs >= runStartMs && p.atMs <= runStartMs + windowMs).map((p) => p.latencyMs));
  // The monitor's samples are timer intervals of `resolution` ms: the delay is what they took beyond it.
  const lateBy = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  const { loopDelay } = m;
  return {
    memory: {
      none: measured.none,
      connected: measured.connected,
      warm: measured.warm,
      perConnectionIdle: perConnection(measured.none, measured.connected, opts.sessions),
      perConnectionWarm: perConnection(measured.none, measured.warm, opts.sessions),
      peakRssDuringRunBytes: Math.max(...samples.map((s) => s.rss)),
    },
    cpu: {
      runShareOfOneCore: cpuRun,
      baselineShareOfOneCore: cpuBaseline,
      perTurnMs: cpuPerTurnMs,
      motoBusiestSecond: Math.max(0, ...motoSeconds),
    },
    eventLoopDelayMs: { p50: lateBy(loopDelay.percentile(50)), p99: lateBy(loopDelay.percentile(99)), max: lateBy(loopDelay.max) },
    moto: { probeAtRestMs: probeIdle, probeUnderLoadMs: probeLoad },
    // Saturated: busy most of the time (a Python process with a global lock does not reach a full core), or, for moto, its
    // probe taking ten times as long as at rest.
    saturation: {
      moto: (cpuRun.moto ?? 0) >= 0.8 || ((probeLoad.p50 ?? 0) >= 100 && (probeLoad.p50 ?? 0) >= 10 * (probeIdle.p50 ?? Infinity)),
      chat: (cpuRun.chat ?? 0) >= 0.8,
      machine: Object.values(cpuRun).reduce((a: number, b) => a + (b ?? 0), 0) >= 0.9 * cpus().length,
    },
  };
}
