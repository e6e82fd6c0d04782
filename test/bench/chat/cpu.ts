import { readdirSync, readFileSync } from 'node:fs';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';

/*
 * The CPU of the bench's processes, from /proc (Linux): read at an instant, sampled every second, and as a share of one
 * core over a window.
 */

/** /proc's clock ticks a second (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

type BenchProcess = 'chat' | 'emulator' | 'clients' | 'moto';

/** The bench's processes' ids (`moto`: the DynamoDB emulator's, if found). */
export type Pids = Record<BenchProcess, number | undefined>;

/** What one process used during a window: CPU as a share of one core. */
export type CpuShares = Record<BenchProcess, number | undefined>;

/** The CPU each process had used (ms) at a moment (monotonic ms). */
export interface CpuReading {
  readonly atMs: number;
  readonly cpu: Record<string, number | undefined>;
}

/** A reading with this process's RSS. */
export interface CpuSample extends CpuReading {
  readonly rss: number;
}

/** utime + stime of a process, in ms of CPU, from /proc (Linux). */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The pid of the DynamoDB emulator this process started (the harness does not expose it): our child running dynamodb-emulator. */
export function motoPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('dynamodb-emulator')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const cpuAt = (pids: Pids) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid && cpuMsOf(pid)]));

/** The processes' CPU now. */
export const cpuReading = (pids: Pids): CpuReading => ({ atMs: monotonicMs(), cpu: cpuAt(pids) });

const cpuSample = (pids: Pids): CpuSample => ({ atMs: monotonicMs(), cpu: cpuAt(pids), rss: process.memoryUsage().rss });

/** Samples the processes' CPU (and this process's RSS) now and every second until `stop`, which takes a last sample. */
export function startSampling(pids: Pids): { samples: CpuSample[]; stop: () => void } {
  const samples = [cpuSample(pids)];
  const sampler = setInterval(() => samples.push(cpuSample(pids)), 1000);
  return {
    samples,
    stop: () => {
      clearInterval(sampler);
      samples.push(cpuSample(pids));
    },
  };
}

/** Each process's CPU between two readings, as a share of one core. */
export function cpuShares(pids: Pids, a: CpuReading, b: CpuReading): CpuShares {
  return Object.fromEntries(Object.keys(pids).map((k) => {
    const [x0, x1] = [a.cpu[k], b.cpu[k]];
    return [k, x0 === undefined || x1 === undefined ? undefined : (x1 - x0) / (b.atMs - a.atMs)];
  })) as CpuShares;
}
