import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ClientsCommand, ClientsEvent, ClientTurn, SessionPlan } from './chat-clients';
import { onSchedule, QUESTIONS } from './chat-clients';
import { messagePrefix, userKey } from '../../workloads/support-chat/handlers/lib/conversation-keys';
import { LABEL_CLASS } from '../../workloads/support-chat/handlers/lib/router';
import { emulatorClientConfig, monotonicMs } from '../../workloads/support-chat/local/bedrock-emulator';
import type { EmulatorProcessAddress, EmulatorRecordSummary } from '../../workloads/support-chat/local/bedrock-emulator-process';
import { type ChatLocal, LOCAL_CREDENTIALS, startChatLocal } from '../../workloads/support-chat/local/chat-local';
import { localLabel } from '../../workloads/support-chat/local/local-classifier';

/*
 * `npx projen bench:chat [-- --sessions N --seconds S --throttle F --rate R --baseline-seconds B --seed X]`: the support-chat
 * path under load on the local harness, against a bare ConverseStream on the same Bedrock emulator.
 *
 * Processes (the machine's cores are shared by all of them; the table shows who used how much):
 * - this one: the tenant as `startChatLocal` runs it (the local WebSocket gateway with the real authorizer and relay, the
 *   real turn in-process, the local issuer and AppConfig), pointed with `bedrockEndpoint` at
 * - the Bedrock emulator in a process of its own (`bedrock-emulator-process.ts`): pacing as a small model streams (first
 *   text after 200 ms, 12 characters ≈ 3 tokens a chunk every 30 ms; the classifier answers in 150 ms), `--throttle` of
 *   ALL model requests (classifier and answer attempts alike) answered with ThrottlingException (429), seeded;
 * - the load generator (`chat-clients.ts`): `--sessions` WebSocket sessions, each a distinct Cognito-style user with its
 *   own id token and its own conversation;
 * - moto (DynamoDB, STS, AppConfig's control plane), which the harness starts.
 *
 * Pacing of the sessions: a schedule, one slot per session every `sessions / rate` seconds, the sessions' slots spread
 * evenly, so the tenant gets `rate` messages a second in aggregate (100 sessions at 100/s: one message per session per
 * second, the seed's peak); a session never has two messages in flight (a user reads the answer before asking again): when
 * an answer ends after the session's next slot, the next message goes at once, and a slot is never caught up twice. So a
 * slow chat path lowers the rate it gets (closed loop); the rate achieved is measured and printed.
 *
 * Times: every process stamps with `process.hrtime.bigint()`, which on Linux is CLOCK_MONOTONIC, one clock for the whole
 * host; the bench checks that at the start (the emulator's stamp must fall between two of its own). The clients stamp each
 * message when sent, at its first `chunk` frame (time to first token, TTFT) and at its `done` or `error` frame (end to
 * end). The emulator stamps each request it serves from its headers to its last bytes (or its fault), and records the
 * turn's tag (in brackets at the start of the user's text). Per turn:
 *
 *   model time    the union of the turn's model intervals within [sent, end]: the classifier, every answer attempt;
 *   retry gaps    between a throttled answer attempt's end and the retry's start on the same profile: the jittered backoff
 *                 sleep plus the handling of the error and the new request (not separable from outside);
 *   overhead      end to end minus model time: everything that is not the model (gateway, authorizer context, relay,
 *                 turn, STS, DynamoDB on moto, AppConfig, PostToConnection, frames), the retry gaps included;
 *   overhead excluding retry gaps: the figure the goal (20 ms p50 / 60 ms p95) is checked against; both are printed;
 *   of it waiting on moto: the union of the turn's requests to moto, timed in this process (`observeHttpRequests`: from
 *                 the SDK's `http.request` to the end of the response, the agent's queue included) and given to the turn
 *                 by the user item they name (or, for the tenant's counter, by the user request just before);
 *   of it the rest: our code, the gateway and relay, the SDKs, this event loop: overhead minus waiting on moto;
 *   TTFT overhead  TTFT minus the model's time before the first token (each request counts up to its first token or end)
 *                 and minus the retry gaps before it.
 *
 * Model time is the emulator's pacing, so what is not model time is measured, not modelled; but moto is not DynamoDB (a
 * Python server on the same cores, whose TransactWriteItems copies the whole table), so "waiting on moto" says little of
 * what DynamoDB would add. The load and CPU section shows whether moto or the chat process saturated, and how the run
 * held up in 10-second slices.
 *
 * API Gateway's "Endpoint request timed out" (a route that outlasts 29 s) is noted and the client keeps waiting: the relay
 * goes on and may still post the turn's frames, as on AWS; any other gateway message ends the turn at the client.
 *
 * The baseline: the same sessions count of loops on the same schedule, each calling ConverseStream with the real
 * `@aws-sdk/client-bedrock-runtime` (default settings: standard retry mode, 3 attempts, its own backoff for throttling) on
 * the same emulator process with the same pacing and the same throttled fraction, one user message and no history. Its
 * overhead (end to end minus model time, SDK retry sleeps excluded) is the floor of measuring a model call this way.
 * Figures are compared for all calls and for unthrottled ones only (no model request throttled: like for like, without
 * the two retry policies' difference).
 *
 * Memory per connection: this process's heap used (and RSS) after forced GCs, with the sessions connected and idle,
 * minus the same before they connected, divided by the sessions; and again after one turn per session (the turn's
 * per-user data-access session is then cached). Server side only (the clients are in their own process); one throwaway
 * session runs a first turn before the "none" figure, so first-use costs (JIT, SDK clients) are not counted per connection.
 *
 * Messages lost: at the end every session's conversation is read back from moto with a Query; each message sent must be
 * stored as a user message and must have got a `done` (its streamed text then equal to the stored answer) or an `error`
 * frame. Any violation is listed and the exit code is 1. Timing goals are printed with whether they were met, not asserted.
 * Writes bench-out/chat.json.
 */

const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench-out');
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
const CHILD_ENV = { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
/** The emulator's pacing: a small model streaming about 100 tokens a second after 200 ms; the classifier's answer in 150 ms. */
const PACING = { firstTokenMs: 200, interTokenMs: 30, chunkSize: 12, classifierMs: 150 } as const;
const GOALS = { overheadP50Ms: 20, overheadP95Ms: 60 } as const;
/** The emulator's records are labelled with the tag at the start of each user message. */
const LABEL_PATTERN = '\\[(bench-[A-Za-z0-9-]+)\\]';
/** /proc's clock ticks a second (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;
const LOOP_DELAY_RESOLUTION_MS = 10;

interface Options {
  readonly sessions: number;
  readonly seconds: number;
  readonly throttle: number;
  readonly rate: number;
  readonly baselineSeconds: number;
  readonly seed: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      'sessions': { type: 'string', default: '100' },
      'seconds': { type: 'string', default: '60' },
      'throttle': { type: 'string', default: '0.2' },
      'rate': { type: 'string', default: '100' },
      'baseline-seconds': { type: 'string', default: '20' },
      'seed': { type: 'string', default: '1' },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number, integer = false) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${values[name]}`);
    }
    return value;
  };
  return {
    sessions: number('sessions', 1, 2000, true),
    seconds: number('seconds', 1, 3600),
    throttle: number('throttle', 0, 1),
    rate: number('rate', 0.1, 5000),
    baselineSeconds: number('baseline-seconds', 0, 3600),
    seed: number('seed', 0, 2 ** 31, true),
  };
}

// ---------------------------------------------------------------------------------------------------------------- stats

interface Dist {
  readonly n: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Nearest-rank percentiles. */
function dist(values: readonly number[]): Dist {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  return { n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[n - 1], mean: sorted.reduce((a, b) => a + b, 0) / n };
}

/** The total length of the union of intervals. */
function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      start = a;
      end = b;
    } else {
      end = Math.max(end, b);
    }
  }
  if (end > start) total += end - start;
  return total;
}

/** The most intervals open at the same time. */
function peakConcurrency(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([a, b]): [number, number][] => [[a, 1], [b, -1]]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let peak = 0;
  for (const [, step] of events) {
    open += step;
    peak = Math.max(peak, open);
  }
  return peak;
}

const clip = (lo: number, hi: number) => ([a, b]: readonly [number, number]): [number, number] => [Math.max(lo, a), Math.min(hi, b)];

// ------------------------------------------------------------------------------------------------------- child processes

async function startEmulatorProcess(opts: Options): Promise<{ address: EmulatorProcessAddress; child: ChildProcess }> {
  const entry = path.join(ROOT, 'workloads', 'support-chat', 'local', 'bedrock-emulator-process.ts');
  const args = [
    '--first-token-ms', String(PACING.firstTokenMs), '--inter-token-ms', String(PACING.interTokenMs), '--chunk-size', String(PACING.chunkSize),
    '--classifier-ms', String(PACING.classifierMs), '--throttle', '0', '--seed', String(opts.seed), '--label', LABEL_PATTERN, '--exit-with-stdin',
  ];
  const child = spawn(process.execPath, [...TS_NODE, entry, ...args], { cwd: ROOT, env: CHILD_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it listened`)));
  });
  return { address: JSON.parse(line) as EmulatorProcessAddress, child };
}

async function control<T>(address: EmulatorProcessAddress, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${address.control}${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`emulator control ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Checks that the emulator process reads the same monotonic clock: its stamp must fall between two of ours. */
async function checkSharedClock(address: EmulatorProcessAddress): Promise<{ probes: number; widestBracketMs: number }> {
  let widest = 0;
  const probes = 20;
  for (let i = 0; i < probes; i++) {
    const before = monotonicMs();
    const { monotonicMs: theirs } = await control<{ monotonicMs: number }>(address, '/clock');
    const after = monotonicMs();
    if (!(before <= theirs && theirs <= after)) {
      throw new Error(`the emulator process's clock (${theirs}) is not between ours (${before}, ${after}): process.hrtime is not one clock here`);
    }
    widest = Math.max(widest, after - before);
  }
  return { probes, widestBracketMs: widest };
}

/** The load generator, and a request/answer channel to it. */
function startClients(): { child: ChildProcess; ask: (command: ClientsCommand) => Promise<ClientsEvent> } {
  const child = fork(path.join(__dirname, 'chat-clients.ts'), [], { cwd: ROOT, env: CHILD_ENV, execArgv: TS_NODE });
  const ask = (command: ClientsCommand) => new Promise<ClientsEvent>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the clients process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (event: ClientsEvent) => {
      child.off('exit', onExit);
      if (event.evt === 'failed') reject(new Error(`the clients process failed: ${event.message}`));
      else resolve(event);
    });
    child.send(command);
  });
  return { child, ask };
}

function turnsOf(event: ClientsEvent): { turns: readonly ClientTurn[]; cpu: NodeJS.CpuUsage } {
  if (event.evt !== 'turns') throw new Error(`expected the clients' turns, got ${event.evt}`);
  return event;
}

// ------------------------------------------------------------------------------------------------------ CPU and memory

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

/** The pid of the moto server this process started (the harness does not expose it): our child running moto_server. */
function motoPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('moto_server')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(100);
  }
  return process.memoryUsage();
}

// ------------------------------------------------------------------------------------------------------------- baseline

interface BaselineCall {
  readonly tag: string;
  readonly sentMs: number;
  firstChunkMs?: number;
  endMs?: number;
  error?: string;
  attempts?: number;
  /** What the SDK says it slept between attempts. */
  sdkRetryDelayMs?: number;
  chunks: number;
}

/** The answer's system prompt (as the turn sends it) over one user message: a bare ConverseStream. */
const BASELINE_SYSTEM = 'You are the customer-support assistant of an online shop. Answer in the language of the customer\'s last message. '
  + 'Be brief and concrete. If you cannot help, say so and offer to hand over to a human agent.';

async function bareConverseStream(client: BedrockRuntimeClient, chat: ChatLocal, tag: string, question: string): Promise<BaselineCall> {
  const modelId = LABEL_CLASS[localLabel(question)] === 'simple' ? chat.models.fast : chat.models.capable;
  const call: BaselineCall = { tag, sentMs: monotonicMs(), chunks: 0 };
  try {
    const response = await client.send(new ConverseStreamCommand({
      modelId,
      system: [{ text: BASELINE_SYSTEM }],
      messages: [{ role: 'user', content: [{ text: `[${tag}] ${question}` }] }],
      inferenceConfig: { maxTokens: 1024 },
      guardrailConfig: { guardrailIdentifier: chat.guardrail.identifier, guardrailVersion: chat.guardrail.version, streamProcessingMode: 'sync' },
    }));
    for await (const event of response.stream ?? []) {
      if (event.contentBlockDelta?.delta?.text) {
        call.firstChunkMs ??= monotonicMs();
        call.chunks++;
      }
    }
    call.endMs = monotonicMs();
    call.attempts = response.$metadata.attempts;
    call.sdkRetryDelayMs = response.$metadata.totalRetryDelay;
  } catch (error) {
    call.endMs = monotonicMs();
    const e = error as { name?: string; $metadata?: { attempts?: number; totalRetryDelay?: number } };
    call.error = e.name ?? String(error);
    call.attempts = e.$metadata?.attempts;
    call.sdkRetryDelayMs = e.$metadata?.totalRetryDelay;
  }
  return call;
}

/** The baseline on the sessions' schedule (`onSchedule`): `sessions` loops, one call per slot, never two in flight per loop. */
async function baselineRun(client: BedrockRuntimeClient, chat: ChatLocal, opts: Options, seconds: number): Promise<BaselineCall[]> {
  return onSchedule(opts.sessions, monotonicMs() + 200, seconds, opts.rate, (i, k) =>
    bareConverseStream(client, chat, `bench-b-s${i}-m${k}`, QUESTIONS[(i + k) % QUESTIONS.length]));
}

// ------------------------------------------------------------------------------------------------- storage (observed)

/** One HTTP/1.1 request of this process: DynamoDB and STS on moto (the turn's, the harness's), PostToConnection. */
interface HttpCall {
  readonly port: number;
  readonly startMs: number;
  /** Order of events in this process (request created, response ended), to tell which came first without clock ties. */
  readonly seq: number;
  endMs?: number;
  endSeq?: number;
  /** The user whose items the request names (`USER#<sub>`), or whose STS session it asks for. */
  sub?: string;
  /** Whether it names the tenant's counter (`TENANT`). */
  tenant?: boolean;
}

const httpCalls: HttpCall[] = [];
/** Once known, only requests to this port (moto's) are kept. */
let observedPort: number | undefined;
let eventSeq = 0;

/**
 * Times the SDK's HTTP/1.1 requests from this process: `@smithy/node-http-handler` takes `request` from `node:http` when
 * it creates its agent, so this wraps it before any client exists. It reads the body the SDK hands to `end` (to find the
 * user or tenant item) and times the request from its creation to the end of its response; it changes nothing of either.
 * Bedrock calls are HTTP/2 and not seen here: the emulator process times them.
 */
function observeHttpRequests(): void {
  const original = http.request;
  const observed = function observedRequest(this: unknown, ...args: unknown[]) {
    const req = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    const target = args[0] as { port?: number | string } | string | URL;
    const port = Number(typeof target === 'object' && !(target instanceof URL) ? target.port : new URL(String(target)).port);
    if (observedPort !== undefined && port !== observedPort) return req;
    const call: HttpCall = { port, startMs: monotonicMs(), seq: ++eventSeq };
    httpCalls.push(call);
    const end = req.end;
    req.end = function observedEnd(this: http.ClientRequest, ...endArgs: unknown[]) {
      const body = endArgs[0];
      if (typeof body === 'string' || body instanceof Uint8Array) {
        const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
        call.sub = /USER#([0-9a-f-]{36})/.exec(text)?.[1] ?? /RoleSessionName=([0-9a-f-]{36})/.exec(text)?.[1];
        call.tenant = text.includes('"TENANT"');
      }
      return (end as (...a: unknown[]) => http.ClientRequest).apply(this, endArgs);
    } as typeof req.end;
    req.once('response', (res: http.IncomingMessage) => res.once('end', () => {
      call.endMs = monotonicMs();
      call.endSeq = ++eventSeq;
    }));
    return req;
  };
  Object.defineProperty(http, 'request', { value: observed, writable: true, configurable: true });
}

/**
 * The moto requests of each chat turn, as intervals: a request that names a user's items belongs to that user's session's
 * turn in flight (a session has one at a time); a tenant-counter request to the turn whose user request ended last before
 * it (the turn awaits its own counter, then sends the tenant's, with no I/O in between: `turn-core.ts` reserve and settle).
 */
function storageOfTurns(turns: readonly ClientTurn[], subs: ReadonlyMap<string, string>, motoPort: number) {
  const conversationOf = new Map([...subs].map(([conversationId, sub]) => [sub, conversationId]));
  const byConversation = new Map<string, ClientTurn[]>();
  for (const t of turns) byConversation.set(t.conversationId, [...(byConversation.get(t.conversationId) ?? []), t]);
  const turnAt = (conversationId: string | undefined, atMs: number) =>
    byConversation.get(conversationId ?? '')?.find((t) => t.sentMs <= atMs && atMs <= (t.endMs ?? Infinity));
  const intervals = new Map<string, [number, number][]>();
  const add = (t: ClientTurn, c: HttpCall) => intervals.set(t.tag, [...(intervals.get(t.tag) ?? []), [c.startMs, c.endMs ?? t.endMs!]]);
  const calls = httpCalls.filter((c) => c.port === motoPort);
  const userEnds: { endSeq: number; turn: ClientTurn }[] = [];
  for (const c of calls) {
    const turn = c.sub ? turnAt(conversationOf.get(c.sub), c.startMs) : undefined;
    if (!turn) continue;
    add(turn, c);
    if (c.endSeq !== undefined) userEnds.push({ endSeq: c.endSeq, turn });
  }
  userEnds.sort((a, b) => a.endSeq - b.endSeq);
  const runFrom = Math.min(...turns.map((t) => t.sentMs));
  const runTo = Math.max(...turns.map((t) => t.endMs ?? t.sentMs));
  let tenantCalls = 0;
  let tenantAttributed = 0;
  for (const c of calls.filter((call) => call.tenant && !call.sub)) {
    let lo = 0;
    let hi = userEnds.length - 1;
    let found: ClientTurn | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1; // eslint-disable-line no-bitwise
      if (userEnds[mid].endSeq < c.seq) {
        found = userEnds[mid].turn;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const inWindow = found && found.sentMs <= c.startMs && c.startMs <= (found.endMs ?? Infinity);
    if (c.startMs >= runFrom && c.startMs <= runTo) tenantCalls++;
    if (found && inWindow) {
      add(found, c);
      tenantAttributed++;
    }
  }
  const userCalls = calls.filter((c) => c.sub && turnAt(conversationOf.get(c.sub), c.startMs)).length;
  return { intervals, userCalls, tenantCalls, tenantAttributed, latencyMs: dist(calls.filter((c) => c.endMs).map((c) => c.endMs! - c.startMs)) };
}

// ------------------------------------------------------------------------------------------------------------- analysis

/** One turn (or baseline call), split into the model's time, the retry gaps, storage and the rest. */
interface Analysed {
  readonly tag: string;
  readonly e2eMs: number;
  readonly ttftMs?: number;
  readonly modelMs: number;
  readonly retryGapMs: number;
  /** End to end minus model time. */
  readonly overheadMs: number;
  /** End to end minus model time and retry gaps: the figure checked against the goal. */
  readonly overheadExclRetryMs: number;
  /** Time waiting on moto (DynamoDB, STS), within the overhead. */
  readonly storageMs: number;
  /** moto requests the turn made. */
  readonly storageCalls: number;
  /** End to end minus model time, retry gaps and storage: our code, the gateway and relay, the SDKs, the event loop. */
  readonly restMs: number;
  /** TTFT minus the model's time before its first token and the retry gaps before it. */
  readonly ttftOverheadMs?: number;
  /** The same, minus storage before the first token. */
  readonly ttftRestMs?: number;
  readonly throttled: number;
  /** No model request throttled, and one answer stream that completed. */
  readonly clean: boolean;
}

function analyse(
  tag: string, sentMs: number, firstMs: number | undefined, endMs: number, requests: readonly EmulatorRecordSummary[],
  storage: readonly [number, number][] = [],
): Analysed {
  const model = requests.map((r): [number, number] => [r.arrivedMs, r.endedMs ?? endMs]);
  // A retry: an answer attempt throttled (fault) and the next attempt on the same profile.
  const streams = requests.filter((r) => r.operation === 'ConverseStream').sort((a, b) => a.arrivedMs - b.arrivedMs);
  const gaps: [number, number][] = [];
  for (let i = 1; i < streams.length; i++) {
    const [a, b] = [streams[i - 1], streams[i]];
    if (a.outcome === 'fault' && a.modelId === b.modelId && a.endedMs !== undefined) gaps.push([a.endedMs, b.arrivedMs]);
  }
  const within = (lo: number, hi: number, ...sets: (readonly (readonly [number, number])[])[]) => unionLength(sets.flat().map(clip(lo, hi)));
  const e2eMs = endMs - sentMs;
  const modelMs = within(sentMs, endMs, model);
  let ttftOverheadMs: number | undefined;
  let ttftRestMs: number | undefined;
  if (firstMs !== undefined) {
    // Before the first token, each request counts up to its own first token (or its end): after that the model is streaming
    // while the chat path carries the first chunk to the client, and that carrying is ours.
    const beforeFirst = requests.map((r): [number, number] => [r.arrivedMs, Math.min(r.firstTokenMs ?? Infinity, r.endedMs ?? Infinity)]);
    ttftOverheadMs = firstMs - sentMs - within(sentMs, firstMs, beforeFirst, gaps);
    ttftRestMs = firstMs - sentMs - within(sentMs, firstMs, beforeFirst, gaps, storage);
  }
  const throttled = requests.filter((r) => r.outcome === 'fault').length;
  return {
    tag,
    e2eMs,
    ttftMs: firstMs === undefined ? undefined : firstMs - sentMs,
    modelMs,
    retryGapMs: within(sentMs, endMs, gaps),
    overheadMs: e2eMs - modelMs,
    overheadExclRetryMs: e2eMs - within(sentMs, endMs, model, gaps),
    storageMs: within(sentMs, endMs, storage),
    storageCalls: storage.length,
    restMs: e2eMs - within(sentMs, endMs, model, gaps, storage),
    ttftOverheadMs,
    ttftRestMs,
    throttled,
    clean: throttled === 0 && streams.length === 1 && streams[0].outcome === 'completed',
  };
}

const defined = (values: readonly (number | undefined)[]) => values.filter((v): v is number => v !== undefined);

function summarize(rows: readonly Analysed[]) {
  return {
    turns: rows.length,
    ttftMs: dist(defined(rows.map((r) => r.ttftMs))),
    e2eMs: dist(rows.map((r) => r.e2eMs)),
    modelMs: dist(rows.map((r) => r.modelMs)),
    retryGapMs: dist(rows.filter((r) => r.retryGapMs > 0).map((r) => r.retryGapMs)),
    overheadMs: dist(rows.map((r) => r.overheadMs)),
    overheadExclRetryMs: dist(rows.map((r) => r.overheadExclRetryMs)),
    storageMs: dist(rows.map((r) => r.storageMs)),
    storageCalls: dist(rows.map((r) => r.storageCalls)),
    restMs: dist(rows.map((r) => r.restMs)),
    ttftOverheadMs: dist(defined(rows.map((r) => r.ttftOverheadMs))),
    ttftRestMs: dist(defined(rows.map((r) => r.ttftRestMs))),
  };
}

type Summary = ReturnType<typeof summarize>;

/** chat / baseline at p50, p95, p99. */
function ratios(chat: Dist, base: Dist) {
  const r = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  return { p50: r(chat.p50, base.p50), p95: r(chat.p95, base.p95), p99: r(chat.p99, base.p99) };
}

/** chat − baseline at p50, p95, p99. */
function differences(chat: Dist, base: Dist) {
  const d = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  return { p50: d(chat.p50, base.p50), p95: d(chat.p95, base.p95), p99: d(chat.p99, base.p99) };
}

// ---------------------------------------------------------------------------------------------------------- integrity

interface Violation {
  readonly tag: string;
  readonly problem: string;
}

/**
 * Reads each session's conversation back from moto (a Query of the user's partition, the conversation's messages) and
 * checks every message sent: stored as a user message, and answered by a `done` (whose streamed text is the stored
 * answer) or an `error` frame. Lost: not stored, or neither frame, or `done` without a stored answer.
 */
async function verifyStored(chat: ChatLocal, subs: ReadonlyMap<string, string>, turns: readonly ClientTurn[]) {
  const raw = new DynamoDBClient({ endpoint: chat.moto.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw);
  const users = new Set<string>();
  const answers = new Map<string, string>();
  try {
    for (const [conversationId, sub] of subs) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new QueryCommand({
          TableName: chat.moto.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': messagePrefix(conversationId) },
          ConsistentRead: true,
          ExclusiveStartKey,
        }));
        for (const item of page.Items ?? []) {
          const key = `${conversationId}/${item.messageId as string}`;
          if (item.role === 'user') users.add(key);
          else answers.set(key, item.text as string);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  } finally {
    raw.destroy();
  }
  const lost: Violation[] = [];
  const other: Violation[] = [];
  let storedButNotDelivered = 0;
  for (const t of turns) {
    const key = `${t.conversationId}/${t.tag}`;
    if (!users.has(key)) lost.push({ tag: t.tag, problem: 'the user message is not stored' });
    if (t.terminal !== 'done' && t.terminal !== 'error') {
      const stored = users.has(key) && answers.has(key);
      if (stored) storedButNotDelivered++;
      lost.push({
        tag: t.tag,
        problem: `neither the answer nor an error frame reached the client (${t.terminal ?? 'never ended'}${t.code ? `: ${t.code}` : ''}`
          + `${t.gatewayMessages.length > 0 ? `; the gateway said: ${t.gatewayMessages.join(', ')}` : ''})`
          + `${stored ? '; the answer is stored (a resume would get it)' : ''}`,
      });
      continue;
    }
    if (t.terminal === 'done' && !answers.has(key)) lost.push({ tag: t.tag, problem: 'a done frame, but no answer stored' });
    if (t.terminal === 'done' && answers.has(key) && answers.get(key) !== t.text) {
      other.push({ tag: t.tag, problem: 'the streamed text differs from the stored answer' });
    }
    if (!t.seqOk) other.push({ tag: t.tag, problem: 'frames out of seq order (0, 1, 2, …), or a frame after the last' });
    if (t.strays > 0) other.push({ tag: t.tag, problem: `${t.strays} frames of another message id arrived meanwhile` });
  }
  // moto copies the whole table for each item of a transaction (moto/dynamodb/models/__init__.py, transact_write_items):
  // the table's size is what its transactions cost.
  let tableItems = 0;
  const counter = new DynamoDBClient({ endpoint: chat.moto.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
  try {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await counter.send(new ScanCommand({ TableName: chat.moto.tableName, Select: 'COUNT', ExclusiveStartKey }));
      tableItems += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  } finally {
    counter.destroy();
  }
  return { checked: turns.length, storedUserMessages: users.size, storedAnswers: answers.size, tableItems, storedButNotDelivered, lost, other };
}

// ------------------------------------------------------------------------------------------------------------ printing

const ms = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
const times = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}x`);
const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const countsOf = (keys: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
};
const listCounts = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ');

function table(title: string, rows: readonly (readonly [string, Dist, string?])[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  const cell = (v: string) => v.padStart(8);
  console.log(`  ${''.padEnd(width)}  ${'n'.padStart(5)}  ${['p50', 'p95', 'p99', 'max', 'mean'].map(cell).join('  ')}`);
  for (const [label, d, note] of rows) {
    console.log(`  ${label.padEnd(width)}  ${String(d.n).padStart(5)}  ${[d.p50, d.p95, d.p99, d.max, d.mean].map((v) => cell(ms(v))).join('  ')}`
      + `${note ? `  ${note}` : ''}`);
  }
}

// ----------------------------------------------------------------------------------------------------------------- main

/** What one process used during a window: CPU as a share of one core. */
type CpuShares = Record<'chat' | 'emulator' | 'clients' | 'moto', number | undefined>;

async function main(): Promise<number> {
  observeHttpRequests();
  const opts = options();
  const startedAt = new Date().toISOString();
  const stops: Array<() => Promise<void> | void> = [];
  try {
    // 1. The emulator in its own process, not throttling yet; its clock must be ours.
    const emulatorProcess = await startEmulatorProcess(opts);
    stops.push(() => {
      emulatorProcess.child.kill('SIGTERM');
    });
    const emulator = emulatorProcess.address;
    const clock = await checkSharedClock(emulator);

    // 2. The tenant in this process, its Bedrock calls to the emulator process. Each bench user sends rate / sessions
    //    messages a second (60 a minute at the defaults): the per-user rate limit (20 a minute by default) is raised to let
    //    that load through; the seed's peak is an aggregate, which at 20 a minute per user takes 300 users or more.
    const perUserPerMinute = (60 * opts.rate) / opts.sessions;
    let perUserLimit = 0;
    const chat = await startChatLocal({
      bedrockEndpoint: emulator.endpoint,
      settings: (defaults) => {
        perUserLimit = Math.min(600, Math.max(defaults.limits.messagesPerUserPerMinute, Math.ceil(perUserPerMinute * 1.5) + 5));
        return { ...defaults, limits: { ...defaults.limits, messagesPerUserPerMinute: perUserLimit } };
      },
    });
    stops.push(() => chat.close());
    const motoPort = Number(new URL(chat.moto.endpoint).port);
    observedPort = motoPort;
    httpCalls.length = 0;
    const moto = motoPid();
    const probeRaw = new DynamoDBClient({ endpoint: chat.moto.endpoint, region: chat.region, credentials: LOCAL_CREDENTIALS });
    const probeClient = DynamoDBDocumentClient.from(probeRaw);
    stops.push(() => probeRaw.destroy());
    const bedrock = new BedrockRuntimeClient(emulatorClientConfig(emulator.endpoint, chat.region));
    stops.push(() => bedrock.destroy());

    // 3. The load generator. A throwaway session runs the first turn ever (first-use costs), then memory with no session.
    const clients = startClients();
    stops.push(async () => {
      if (clients.child.connected) await clients.ask({ cmd: 'exit' }).catch(() => undefined);
      clients.child.kill('SIGTERM');
    });
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
    const probes: { atMs: number; latencyMs: number }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const at = monotonicMs();
        await probeClient.send(new GetCommand({ TableName: chat.moto.tableName, Key: { pk: 'BENCH-PROBE', sk: 'PROBE' }, ConsistentRead: true }));
        probes.push({ atMs: at, latencyMs: monotonicMs() - at });
        await sleep(250);
      }
    })();
    console.error(`bench:chat: baseline, ${opts.sessions} loops for ${opts.baselineSeconds} s`);
    const cpuAt = (pids: Record<string, number | undefined>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid && cpuMsOf(pid)]));
    const pids = { chat: process.pid, emulator: emulator.pid, clients: clients.child.pid, moto };
    const baselineStart = { atMs: monotonicMs(), cpu: cpuAt(pids) };
    const baseline = opts.baselineSeconds > 0 ? await baselineRun(bedrock, chat, opts, opts.baselineSeconds) : [];
    const baselineEnd = { atMs: monotonicMs(), cpu: cpuAt(pids) };

    // 7. The chat under load: CPU of every process each second, this event loop's delay, moto's latency.
    console.error(`bench:chat: chat, ${opts.sessions} sessions for ${opts.seconds} s at ${opts.rate} messages/s`);
    const samples = [{ atMs: monotonicMs(), cpu: cpuAt(pids), rss: process.memoryUsage().rss }];
    const sampler = setInterval(() => samples.push({ atMs: monotonicMs(), cpu: cpuAt(pids), rss: process.memoryUsage().rss }), 1000);
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const runStartMs = monotonicMs() + 500;
    const run = turnsOf(await clients.ask({ cmd: 'run', startAtMs: runStartMs, seconds: opts.seconds, rate: opts.rate }));
    loopDelay.disable();
    clearInterval(sampler);
    samples.push({ atMs: monotonicMs(), cpu: cpuAt(pids), rss: process.memoryUsage().rss });
    probing = false;
    await prober;
    await chat.settled(30_000);

    // 8. The emulator's records, the turns' outcomes, the table read back.
    const records = await control<EmulatorRecordSummary[]>(emulator, '/records?from=0');
    const byLabel = new Map<string, EmulatorRecordSummary[]>();
    for (const r of records) if (r.label) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
    const outcomes = new Map(chat.turns.map((t) => [t.request.messageId, t.outcome]));
    const storage = storageOfTurns(run.turns, subs, motoPort);
    const integrity = await verifyStored(chat, subs, [...prewarm, ...warmup, ...run.turns]);

    // ------------------------------------------------------------------------------------------------------ figures
    const ended = run.turns.filter((t) => t.endMs !== undefined);
    const chatRows = ended.map((t) => analyse(t.tag, t.sentMs, t.firstChunkMs, t.endMs!, byLabel.get(t.tag) ?? [], storage.intervals.get(t.tag)));
    const baseRows = baseline.filter((c) => c.endMs !== undefined)
      .map((c) => analyse(c.tag, c.sentMs, c.firstChunkMs, c.endMs!, byLabel.get(c.tag) ?? []));
    const chatAll = summarize(chatRows);
    const chatClean = summarize(chatRows.filter((r) => r.clean));
    const baseAll = summarize(baseRows);
    const baseClean = summarize(baseRows.filter((r) => r.clean));
    const chatRequests = records.filter((r) => r.label?.startsWith('bench-c-'));
    const baseRequests = records.filter((r) => r.label?.startsWith('bench-b-'));
    const turnTiming = run.turns.flatMap((t) => {
      const timing = (outcomes.get(t.tag) as { timing?: { overheadMs?: number; backoffMs?: number } } | undefined)?.timing;
      return timing?.overheadMs === undefined ? [] : [timing as { overheadMs: number; backoffMs?: number }];
    });

    const windowMs = opts.seconds * 1000;
    const sent = run.turns.length;
    const achievedRate = sent / opts.seconds;
    const answeredInWindow = run.turns.filter((t) => t.endMs !== undefined && t.endMs <= runStartMs + windowMs).length;
    const late = run.turns.filter((t) => t.sentMs - t.scheduledMs > 10).length;
    const load = {
      offeredPerSecond: opts.rate,
      achievedPerSecond: achievedRate,
      sent,
      answeredInWindow,
      late,
      sustained: achievedRate >= 0.95 * opts.rate,
      atClient: countsOf(run.turns.map((t) => (t.terminal === 'error' ? `error ${t.code}` : t.terminal ?? 'never ended'))),
      gatewayTimeouts: run.turns.filter((t) => t.gatewayMessages.length > 0).length,
      outcomes: countsOf(run.turns.map((t) => {
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

    // CPU per process over the chat window (share of one core), per turn, moto's busiest second.
    const share = (a: (typeof samples)[number], b: (typeof samples)[number]) => Object.fromEntries(Object.keys(pids).map((k) => {
      const [x0, x1] = [a.cpu[k], b.cpu[k]];
      return [k, x0 === undefined || x1 === undefined ? undefined : (x1 - x0) / (b.atMs - a.atMs)];
    })) as CpuShares;
    const first = samples[0];
    const last = samples[samples.length - 1];
    const cpuRun = share(first, last);
    const cpuBaseline = share(baselineStart as (typeof samples)[number], baselineEnd as (typeof samples)[number]);
    const motoSeconds = samples.slice(1).map((s, i) => share(samples[i], s).moto ?? 0);
    const runWallMs = last.atMs - first.atMs;
    const cpuPerTurnMs = Object.fromEntries(Object.entries(cpuRun)
      .map(([k, v]) => [k, v === undefined ? undefined : (v * runWallMs) / Math.max(1, ended.length)]));
    const probeIdle = dist(probes.filter((p) => p.atMs < baselineEnd.atMs).map((p) => p.latencyMs));
    const probeLoad = dist(probes.filter((p) => p.atMs >= runStartMs && p.atMs <= runStartMs + windowMs).map((p) => p.latencyMs));
    // Saturated: busy most of the time (a Python process with a global lock does not reach a full core), or, for moto, its
    // probe taking ten times as long as at rest.
    const saturation = {
      moto: (cpuRun.moto ?? 0) >= 0.8 || ((probeLoad.p50 ?? 0) >= 100 && (probeLoad.p50 ?? 0) >= 10 * (probeIdle.p50 ?? Infinity)),
      chat: (cpuRun.chat ?? 0) >= 0.8,
      machine: Object.values(cpuRun).reduce((a: number, b) => a + (b ?? 0), 0) >= 0.9 * cpus().length,
    };

    // The run in 10-second slices: how the rate, the answers' time and moto held up as the table grew.
    const sliceMs = 10_000;
    const timeline = Array.from({ length: Math.ceil(windowMs / sliceMs) }, (_, n) => {
      const from = runStartMs + n * sliceMs;
      const to = Math.min(runStartMs + windowMs, from + sliceMs);
      const inSlice = (at: number) => at >= from && at < to;
      const within = samples.filter((x) => x.atMs >= from - 500 && x.atMs <= to + 500);
      const cpu = within.length >= 2 ? share(within[0], within[within.length - 1]) : undefined;
      return {
        fromS: (from - runStartMs) / 1000,
        toS: (to - runStartMs) / 1000,
        sent: run.turns.filter((t) => inSlice(t.sentMs)).length,
        e2eMs: dist(run.turns.filter((t) => inSlice(t.sentMs) && t.endMs !== undefined).map((t) => t.endMs! - t.sentMs)),
        motoProbeMs: dist(probes.filter((p) => inSlice(p.atMs)).map((p) => p.latencyMs)),
        cpu,
      };
    });

    const perConnection = (after: NodeJS.MemoryUsage) => ({
      heapUsedBytes: (after.heapUsed - memoryNone.heapUsed) / opts.sessions,
      rssBytes: (after.rss - memoryNone.rss) / opts.sessions,
      externalBytes: (after.external + after.arrayBuffers - memoryNone.external - memoryNone.arrayBuffers) / opts.sessions,
    });
    const memory = {
      none: memoryNone,
      connected: memoryConnected,
      warm: memoryWarm,
      perConnectionIdle: perConnection(memoryConnected),
      perConnectionWarm: perConnection(memoryWarm),
      peakRssDuringRunBytes: Math.max(...samples.map((s) => s.rss)),
    };

    const goal = (goalMs: number, measuredMs?: number) => ({ goalMs, measuredMs, met: (measuredMs ?? Infinity) <= goalMs });
    const goals = {
      overheadP50: goal(GOALS.overheadP50Ms, chatAll.overheadExclRetryMs.p50),
      overheadP95: goal(GOALS.overheadP95Ms, chatAll.overheadExclRetryMs.p95),
    };
    const against = {
      all: { ttft: ratios(chatAll.ttftMs, baseAll.ttftMs), e2e: ratios(chatAll.e2eMs, baseAll.e2eMs) },
      unthrottled: { ttft: ratios(chatClean.ttftMs, baseClean.ttftMs), e2e: ratios(chatClean.e2eMs, baseClean.e2eMs) },
    };
    const addedTtft = { all: differences(chatAll.ttftMs, baseAll.ttftMs), unthrottled: differences(chatClean.ttftMs, baseClean.ttftMs) };
    // The monitor's samples are timer intervals of `resolution` ms: the delay is what they took beyond it.
    const lateBy = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
    const loopDelayMs = { p50: lateBy(loopDelay.percentile(50)), p99: lateBy(loopDelay.percentile(99)), max: lateBy(loopDelay.max) };

    const report = {
      startedAt,
      options: opts,
      machine: { cores: cpus().length, totalMemoryBytes: totalmem(), node: process.version },
      pids,
      pacing: PACING,
      clock,
      perUserLimitPerMinute: perUserLimit,
      perUserPerMinute,
      load,
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
      addedTtftMs: addedTtft,
      ratios: against,
      goals,
      memory,
      cpu: {
        runShareOfOneCore: cpuRun,
        baselineShareOfOneCore: cpuBaseline,
        perTurnMs: cpuPerTurnMs,
        motoBusiestSecond: Math.max(0, ...motoSeconds),
      },
      eventLoopDelayMs: loopDelayMs,
      moto: { probeAtRestMs: probeIdle, probeUnderLoadMs: probeLoad },
      saturation,
      timeline,
      integrity,
    };
    print(report);
    mkdirSync(OUT, { recursive: true });
    const file = path.join(OUT, 'chat.json');
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(ROOT, file)}`);
    return integrity.lost.length + integrity.other.length > 0 ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

interface TimelineSlice {
  readonly fromS: number;
  readonly toS: number;
  readonly sent: number;
  readonly e2eMs: Dist;
  readonly motoProbeMs: Dist;
  readonly cpu?: CpuShares;
}

interface PerConnection {
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  readonly externalBytes: number;
}

interface Report {
  readonly options: Options;
  readonly machine: { readonly cores: number; readonly totalMemoryBytes: number; readonly node: string };
  readonly pids: Record<string, number | undefined>;
  readonly clock: { readonly probes: number; readonly widestBracketMs: number };
  readonly perUserLimitPerMinute: number;
  readonly perUserPerMinute: number;
  readonly load: {
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
  readonly integrity: Awaited<ReturnType<typeof verifyStored>>;
}

function print(r: Report): void {
  const { options: o, load, chat, baseline, goals } = r;
  const met = (g: { met: boolean }) => (g.met ? 'met' : 'NOT met');
  const share = (v: number | undefined) => (v === undefined ? '?' : pct(v, 1));
  console.log(`bench:chat: ${o.sessions} WebSocket sessions (a user and an id token each) for ${o.seconds} s, offered ${o.rate} messages/s; `
    + `${(100 * o.throttle).toFixed(0)} % of model requests throttled (seed ${o.seed})`);
  console.log(`machine: ${r.machine.cores} cores, ${(r.machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${r.machine.node}; processes: `
    + `chat ${r.pids.chat}, Bedrock emulator ${r.pids.emulator}, clients ${r.pids.clients}, moto ${r.pids.moto ?? '?'}`);
  console.log(`emulator pacing: first text of an answer after ${PACING.firstTokenMs} ms, then ${PACING.chunkSize} characters every ${PACING.interTokenMs} ms; `
    + `the classifier answers in ${PACING.classifierMs} ms; throttled requests get ThrottlingException (429) before any stream`);
  console.log(`clock: process.hrtime.bigint() (CLOCK_MONOTONIC) is one clock with the emulator process: ${r.clock.probes} probes, each within `
    + `${r.clock.widestBracketMs.toFixed(2)} ms`);
  console.log(`per-user rate limit raised for the bench to ${r.perUserLimitPerMinute} messages a minute (each user sends ${r.perUserPerMinute.toFixed(0)} a minute)`);

  console.log('\nLoad');
  console.log(`  sent in ${o.seconds} s: ${load.sent} messages = ${load.achievedPerSecond.toFixed(1)}/s of ${o.rate}/s offered`
    + `${load.sustained ? '' : '  << NOT SUSTAINED: answers took longer than the sessions\' slots'}`);
  console.log(`  sent late (more than 10 ms after the session's slot, the previous answer still running): ${load.late} (${pct(load.late, load.sent)}); `
    + `answers ended within the window: ${load.answeredInWindow}`);
  console.log(`  at the client: ${listCounts(load.atClient)}; API Gateway's integration timeout (29 s) message before the turn's end: `
    + `${load.gatewayTimeouts}`);
  console.log(`  the turns' outcomes: ${listCounts(load.outcomes)}`);
  console.log(`  model requests of the chat: ${listCounts(load.chatModelRequests)} (throttled ${pct(load.chatThrottledShare, 1)}); `
    + `at most ${load.peakModelRequestsInFlight} in flight at once`);
  console.log(`  answers completed by profile: ${listCounts(load.answersByProfile)}`);
  console.log(`  baseline: ${load.baselineCalls} calls = ${load.baselinePerSecond.toFixed(1)}/s, model requests throttled ${pct(load.baselineThrottledShare, 1)}, `
    + `failed after the SDK's retries: ${listCounts(load.baselineFailed) || '0'}`);

  table('Chat, every turn of the run (ms)', [
    ['time to first token (TTFT)', chat.all.ttftMs],
    ['end to end', chat.all.e2eMs],
    ['model time (union of the turn\'s model requests)', chat.all.modelMs],
    ['retry gaps (turns that had one)', chat.all.retryGapMs],
    ['overhead = end to end - model', chat.all.overheadMs],
    ['overhead excluding retry gaps', chat.all.overheadExclRetryMs,
      `goal p50 <= ${GOALS.overheadP50Ms}: ${met(goals.overheadP50)}; p95 <= ${GOALS.overheadP95Ms}: ${met(goals.overheadP95)}`],
    ['  of it waiting on moto (DynamoDB, STS)', chat.all.storageMs],
    ['  of it the rest (gateway, relay, turn, SDKs, loop)', chat.all.restMs],
    ['overhead before the first token', chat.all.ttftOverheadMs],
    ['  of it the rest (not moto)', chat.all.ttftRestMs],
  ]);
  table(`Chat, unthrottled turns (${chat.unthrottled.turns} of ${chat.all.turns}: no model request throttled, one answer stream) (ms)`, [
    ['time to first token', chat.unthrottled.ttftMs],
    ['end to end', chat.unthrottled.e2eMs],
    ['overhead', chat.unthrottled.overheadExclRetryMs],
    ['  of it waiting on moto', chat.unthrottled.storageMs],
    ['  of it the rest', chat.unthrottled.restMs],
    ['overhead before the first token', chat.unthrottled.ttftOverheadMs],
  ]);
  const s = chat.storageAttribution;
  console.log(`  (moto requests attributed to turns: ${s.userCalls} naming the user's items, ${s.tenantAttributed} of ${s.tenantCalls} tenant-counter ones; `
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

  const m = r.memory;
  console.log('\nMemory per connection (this process, after forced GCs: gateway, relay, turn; the clients are in their own process)');
  console.log(`  connected and idle:   heap ${kib(m.perConnectionIdle.heapUsedBytes)}, RSS ${kib(m.perConnectionIdle.rssBytes)}, `
    + `external+array buffers ${kib(m.perConnectionIdle.externalBytes)}`);
  console.log(`  after one turn each:  heap ${kib(m.perConnectionWarm.heapUsedBytes)}, RSS ${kib(m.perConnectionWarm.rssBytes)} `
    + '(the user\'s cached data-access session and DynamoDB client, and the harness\'s record of the turn)');
  console.log(`  heap used: no session ${kib(m.none.heapUsed)}, ${o.sessions} connected ${kib(m.connected.heapUsed)}, after a turn each ${kib(m.warm.heapUsed)}; `
    + `RSS at most ${(m.peakRssDuringRunBytes / 2 ** 20).toFixed(0)} MiB during the run`);

  const c = r.cpu;
  console.log(`\nCPU during the run (share of one core; ${r.machine.cores} cores in all)`);
  console.log(`  chat process (gateway, relay, turn) ${share(c.runShareOfOneCore.chat)}, moto ${share(c.runShareOfOneCore.moto)} `
    + `(busiest second ${pct(c.motoBusiestSecond, 1)}), Bedrock emulator ${share(c.runShareOfOneCore.emulator)}, clients ${share(c.runShareOfOneCore.clients)}`);
  console.log(`  per turn (each process's CPU over the run / the turns; background work included): chat process ${ms(c.perTurnMs.chat)} ms, `
    + `moto ${ms(c.perTurnMs.moto)} ms, emulator ${ms(c.perTurnMs.emulator)} ms`);
  console.log(`  during the baseline: chat process (the SDK calls) ${share(c.baselineShareOfOneCore.chat)}, emulator ${share(c.baselineShareOfOneCore.emulator)}`);
  console.log(`  chat event loop delay: p50 ${ms(r.eventLoopDelayMs.p50)} ms, p99 ${ms(r.eventLoopDelayMs.p99)} ms, max ${ms(r.eventLoopDelayMs.max)} ms`);
  console.log(`  moto GetItem probe: at rest (during the baseline) p50 ${ms(r.moto.probeAtRestMs.p50)} / p95 ${ms(r.moto.probeAtRestMs.p95)} ms; `
    + `under the chat load p50 ${ms(r.moto.probeUnderLoadMs.p50)} / p95 ${ms(r.moto.probeUnderLoadMs.p95)} / max ${ms(r.moto.probeUnderLoadMs.max)} ms`);
  if (r.saturation.moto) {
    console.log('  << moto is SATURATED (Python, one core at most): its queueing is in the overhead ("waiting on moto"), which is not what DynamoDB '
      + 'would add. moto deep-copies the whole table for each item of a TransactWriteItems (moto/dynamodb/models/__init__.py, '
      + `transact_write_items), and a turn writes two transactions of two items: its cost grows with the table (${r.integrity.tableItems} items at `
      + 'the end). Rerun with a lower --rate (or fewer --seconds) for the overhead without it');
  }
  if (r.saturation.chat) console.log('  << the chat process is CPU-bound (one core): its queueing is in the overhead');
  console.log('  over the run:   slice   sent/s   end to end p50 (ms)   moto probe p50 (ms)   CPU chat   CPU moto');
  for (const t of r.timeline) {
    console.log(`             ${`${t.fromS}-${t.toS} s`.padStart(10)}  ${(t.sent / (t.toS - t.fromS)).toFixed(1).padStart(7)}  ${ms(t.e2eMs.p50).padStart(20)}  `
      + `${ms(t.motoProbeMs.p50).padStart(20)}  ${share(t.cpu?.chat).padStart(9)}  ${share(t.cpu?.moto).padStart(9)}`);
  }
  if (r.saturation.machine) console.log(`  << the machine's ${r.machine.cores} cores are busy: the processes slow each other down`);

  const i = r.integrity;
  console.log(`\nMessages: ${i.checked} sent (run ${load.sent}, and one warm-up per session and the throwaway session's); `
    + `stored: ${i.storedUserMessages} user messages, ${i.storedAnswers} answers; ${i.tableItems} items in the table`);
  console.log(`  messages lost: ${i.lost.length}${i.lost.length === 0 ? '' : '  << MUST BE 0'}`
    + `${i.storedButNotDelivered > 0 ? ` (${i.storedButNotDelivered} of them stored with their answer, which never reached the client)` : ''}`);
  for (const v of i.lost.slice(0, 50)) console.log(`    ${v.tag}: ${v.problem}`);
  if (i.lost.length > 50) console.log(`    … and ${i.lost.length - 50} more (bench-out/chat.json)`);
  console.log(`  other violations (text, frame order): ${i.other.length}`);
  for (const v of i.other.slice(0, 50)) console.log(`    ${v.tag}: ${v.problem}`);

  const { all, unthrottled } = r.ratios;
  console.log('\nKey figures (chat / bare ConverseStream)');
  console.log(`  TTFT         all turns p50 ${times(all.ttft.p50)}  p95 ${times(all.ttft.p95)}  p99 ${times(all.ttft.p99)}  |  `
    + `unthrottled p50 ${times(unthrottled.ttft.p50)}  p95 ${times(unthrottled.ttft.p95)}  p99 ${times(unthrottled.ttft.p99)}`);
  console.log(`  end to end   all turns p50 ${times(all.e2e.p50)}  p95 ${times(all.e2e.p95)}  p99 ${times(all.e2e.p99)}  |  `
    + `unthrottled p50 ${times(unthrottled.e2e.p50)}  p95 ${times(unthrottled.e2e.p95)}  p99 ${times(unthrottled.e2e.p99)}`);
  console.log(`  overhead per turn (model and retry gaps excluded): p50 ${ms(goals.overheadP50.measuredMs)} ms (goal ${GOALS.overheadP50Ms}: `
    + `${met(goals.overheadP50)}), p95 ${ms(goals.overheadP95.measuredMs)} ms (goal ${GOALS.overheadP95Ms}: ${met(goals.overheadP95)}); `
    + `without moto p50 ${ms(chat.all.restMs.p50)} / p95 ${ms(chat.all.restMs.p95)} ms`);
  console.log(`  added TTFT p50 ${ms(r.addedTtftMs.all.p50)} ms; rate ${load.achievedPerSecond.toFixed(1)} of ${o.rate} messages/s`
    + `${r.saturation.moto ? ' (moto saturated)' : ''}${r.saturation.chat ? ' (chat process CPU-bound)' : ''}; messages lost ${i.lost.length}`);
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
