import { cpus, totalmem } from 'node:os';
import { PACING } from './emulator';
import { latencyFigures } from './latency-figures';
import { loadFigures } from './load';
import type { Report } from './report';
import { resourceFigures } from './resource-figures';
import type { Measured } from './run';
import { timeline } from './timeline';

/** The report, from what the bench measured. */
export function buildReport(m: Measured): Report {
  const latency = latencyFigures(m);
  const resources = resourceFigures(m);
  return {
    startedAt: m.startedAt,
    options: m.opts,
    machine: { cores: cpus().length, totalMemoryBytes: totalmem(), node: process.version },
    pids: m.pids,
    pacing: PACING,
    clock: m.clock,
    perUserLimitPerMinute: m.perUserLimit,
    perUserPerMinute: m.perUserPerMinute,
    load: loadFigures(m),
    chat: latency.chat,
    baseline: latency.baseline,
    addedTtftMs: latency.addedTtftMs,
    ratios: latency.ratios,
    goals: latency.goals,
    memory: resources.memory,
    cpu: resources.cpu,
    eventLoopDelayMs: resources.eventLoopDelayMs,
    moto: resources.moto,
    saturation: resources.saturation,
    timeline: timeline(m),
    integrity: m.integrity,
  };
}
