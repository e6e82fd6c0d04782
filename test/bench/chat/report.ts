import type { Summary } from './analysis';
import type { CpuShares } from './cpu';
import type { PACING } from './emulator';
import type { PerConnection } from './memory';
import type { Options } from './options';
import type { differences, Dist, ratios } from './stats';
import type { TimelineSlice } from './timeline';
import type { Integrity } from './verify-stored';

/*
 * The report of `bench:chat`: what it prints and writes to bench-out/chat.json.
 */

/** The goal of the overhead per turn (model time and retry gaps excluded). */
export const GOALS = { overheadP50Ms: 20, overheadP95Ms: 60 } as const;

export interface Report {
  readonly startedAt: string;
  readonly options: Options;
  readonly machine: { readonly cores: number; readonly totalMemoryBytes: number; readonly node: string };
  readonly pids: Record<string, number | undefined>;
  readonly pacing: typeof PACING;
  readonly clock: { readonly probes: number; readonly widestBracketMs: number };
  readonly perUserLimitPerMinute: number;
  readonly perUserPerMinute: number;
  readonly load: {
    readonly offeredPerSecond: number;
    readonly achievedPerSecond: number;
    readonly sent: number;
    readonly answeredInWindow: number;
    readonly late: number;
    readonly sustained: boolean;
    readonly atClient: Record<string, number>;
    readonly gatewayTimeouts: number;
    readonly outcomes: Record<string, number>;
    readonly chatModelRequests: Record<string, number>;
    readonly chatThrottledShare: number;
    readonly answersByProfile: Record<string, number>;
    readonly peakModelRequestsInFlight: number;
    readonly baselineCalls: number;
    readonly baselinePerSecond: number;
    readonly baselineThrottledShare: number;
    readonly baselineFailed: Record<string, number>;
  };
  readonly chat: {
    readonly all: Summary;
    readonly unthrottled: Summary;
    readonly turnReported?: { readonly overheadMs: Dist; readonly backoffMs: Dist };
    readonly storageAttribution: {
      readonly userCalls: number;
      readonly tenantCalls: number;
      readonly tenantAttributed: number;
      readonly callLatencyMs: Dist;
    };
  };
  readonly baseline: { readonly all: Summary; readonly unthrottled: Summary; readonly sdkRetryDelayMs: Dist };
  readonly addedTtftMs: Record<'all' | 'unthrottled', ReturnType<typeof differences>>;
  readonly ratios: Record<'all' | 'unthrottled', { readonly ttft: ReturnType<typeof ratios>; readonly e2e: ReturnType<typeof ratios> }>;
  readonly goals: Record<'overheadP50' | 'overheadP95', { readonly goalMs: number; readonly measuredMs?: number; readonly met: boolean }>;
  readonly memory: {
    readonly none: NodeJS.MemoryUsage;
    readonly connected: NodeJS.MemoryUsage;
    readonly warm: NodeJS.MemoryUsage;
    readonly peakRssDuringRunBytes: number;
    readonly perConnectionIdle: PerConnection;
    readonly perConnectionWarm: PerConnection;
  };
  readonly cpu: {
    readonly runShareOfOneCore: CpuShares;
    readonly baselineShareOfOneCore: CpuShares;
    readonly perTurnMs: Record<string, number | undefined>;
    readonly motoBusiestSecond: number;
  };
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly moto: { readonly probeAtRestMs: Dist; readonly probeUnderLoadMs: Dist };
  readonly saturation: { readonly moto: boolean; readonly chat: boolean; readonly machine: boolean };
  readonly timeline: readonly TimelineSlice[];
  readonly integrity: Integrity;
}
