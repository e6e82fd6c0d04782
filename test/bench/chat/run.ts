import { randomUUID } from 'node:crypto';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { bareConverseStream, type BaselineCall, baselineRun } from './baseline';
import { turnsOf } from './clients-channel';
import type { ClientTurn, SessionPlan } from './clients-protocol';
import { type CpuReading, cpuReading, type CpuSample, type Pids, startSampling } from './cpu';
import { control } from './emulator';
import { type Stops, startHarness } from './harness';
import { settledMemory } from './memory';
import { type Probe, startMotoProbe } from './moto-probe';
import { requestsTo } from './moto-requests';
import type { Options } from './options';
import { QUESTIONS } from './questions';
import { storageOfTurns } from './storage-attribution';
import { type Integrity, verifyStored } from './verify-stored';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import type { EmulatorRecordSummary } from '../../../workloads/support-chat/local/bedrock-emulator-process';
import type { ChatLocal } from '../../../workloads/support-chat/local/chat-local';

/** The resolution of the chat event loop's delay monitor (ms). */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** What the bench measured, before any figure is drawn from it. */
export interface Measured {
  readonly startedAt: string;
  readonly opts: Options;
  readonly clock: { readonly probes: number; readonly widestBracketMs: number };
  readonly perUserLimit: number;
  readonly perUserPerMinute: number;
  readonly pids: Pids;
  readonly memory: { readonly none: NodeJS.MemoryUsage; readonly connected: NodeJS.MemoryUsage; readonly warm: NodeJS.MemoryUsage };
  readonly baseline: readonly BaselineCall[];
  readonly baselineCpu: { readonly start: CpuReading; readonly end: CpuReading };
  /** The processes' CPU every second of the chat run. */
  readonly samples: readonly CpuSample[];
  readonly loopDelay: IntervalHistogram;
  readonly runStartMs: number;
  /** The chat run's turns, at the client. */
  readonly turns: readonly ClientTurn[];
  readonly probes: readonly Probe[];
  readonly records: readonly EmulatorRecordSummary[];
  /** Each turn's outcome by message id, as the harness recorded it. */
  readonly outcomes: ReadonlyMap<string, ChatLocal['turns'][number]['outcome']>;
  readonly storage: ReturnType<typeof storageOfTurns>;
  readonly integrity: Integrity;
}

/** Runs the bench: memory with no session, connected and warm; the baseline; the chat under load; the table read back. */
export async function runBench(opts: Options, stops: Stops): Promise<Measured> {
  const startedAt = new Date().toISOString();
  const { emulator, clock, chat, perUserLimit, perUserPerMinute, motoPort, moto, probeClient, bedrock, clients } = await startHarness(opts, stops);

  // 3. A throwaway session runs the first turn ever (first-use costs), then memory with no session.
  const subs = new Map<string, string>();
  const plan = (index: number, conversationId: string): SessionPlan => {
    const sub = randomUUID();
    subs.set(conversationId, sub);
    return { index, conversationId, url: chat.connectUrl(chat.token('customer', { sub, username: `bench-${conversationId}` })) };
  };
  await clients.ask({ cmd: 'connect', sessions: [plan(0, 'bench-p0')] });
  const prewarm = turnsOf(await clients.ask({ cmd: 'once', phase: 'prewarm' })).turns;
  await clients.ask({ cmd: 'disconnect' });
  await bareConverseStream(bedrock, chat, 'bench-bw-s0-m0', QUESTIONS[0]);
  await chat.settled(10_000);
  const memoryNone = await settledMemory();

  // 4. The sessions connect, each a user with its own token: memory with them open and idle.
  console.error(`bench:chat: connecting ${opts.sessions} sessions`);
  const connected = await clients.ask({ cmd: 'connect', sessions: Array.from({ length: opts.sessions }, (_, i) => plan(i, `bench-s${i}`)) });
  if (connected.evt !== 'connected' || connected.failures.length > 0) {
    throw new Error(`sessions failed to connect: ${connected.evt === 'connected' ? connected.failures.slice(0, 5).join('; ') : connected.evt}`);
  }
  const memoryConnected = await settledMemory();

  // 5. One turn per session, unthrottled (the user's data-access session cached, as in a warm container): memory again.
  const warmup = turnsOf(await clients.ask({ cmd: 'once', phase: 'warmup' })).turns;
  await chat.settled(30_000);
  const memoryWarm = await settledMemory();
  await Promise.all(Array.from({ length: opts.sessions }, (_, i) => bareConverseStream(bedrock, chat, `bench-bw-s${i}-m1`, QUESTIONS[i % QUESTIONS.length])));

  // 6. Throttling on. The baseline, with moto probed (a GetItem of an item nobody else reads) for its latency at rest.
  await control(emulator, '/settings', { throttle: opts.throttle });
  const prober = startMotoProbe(probeClient, chat.dynamodb.tableName);
  console.error(`bench:chat: baseline, ${opts.sessions} loops for ${opts.baselineSeconds} s`);
  const pids: Pids = { chat: process.pid, emulator: emulator.pid, clients: clients.child.pid, moto };
  const baselineStart = cpuReading(pids);
  const baseline = opts.baselineSeconds > 0 ? await baselineRun(bedrock, chat, opts, opts.baselineSeconds) : [];
  const baselineEnd = cpuReading(pids);

  // 7. The chat under load: CPU of every process each second, this event loop's delay, moto's latency.
  console.error(`bench:chat: chat, ${opts.sessions} sessions for ${opts.seconds} s at ${opts.rate} messages/s`);
  const sampling = startSampling(pids);
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const runStartMs = monotonicMs() + 500;
  const run = turnsOf(await clients.ask({ cmd: 'run', startAtMs: runStartMs, seconds: opts.seconds, rate: opts.rate }));
  loopDelay.disable();
  sampling.stop();
  await prober.stop();
  await chat.settled(30_000);

  // 8. The emulator's records, the turns' outcomes, the table read back.
  const records = await control<EmulatorRecordSummary[]>(emulator, '/records?from=0');
  const outcomes = new Map(chat.turns.map((t) => [t.request.messageId, t.outcome]));
  const storage = storageOfTurns(run.turns, subs, requestsTo(motoPort));
  const integrity = await verifyStored(chat, subs, [...prewarm, ...warmup, ...run.turns]);

  return {
    startedAt,
    opts,
    clock,
    perUserLimit,
    perUserPerMinute,
    pids,
    memory: { none: memoryNone, connected: memoryConnected, warm: memoryWarm },
    baseline,
    baselineCpu: { start: baselineStart, end: baselineEnd },
    samples: sampling.samples,
    loopDelay,
    runStartMs,
    turns: run.turns,
    probes: prober.probes,
    records,
    outcomes,
    storage,
    integrity,
  };
}
