import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { monotonicMs } from '../../workloads/support-chat/local/bedrock-request';

/*
 * The load generator of `bench:chat` (test/bench/chat.ts), in a process of its own so that the clients' CPU and memory
 * do not count against the chat path: WebSocket sessions, each a user with its own id token, that send chat messages as
 * the web widget does and time every answer at the client on the host's monotonic clock (`monotonicMs`, the clock the
 * emulator process stamps its requests with). Driven over the IPC channel of `child_process.fork`.
 */

/** One session: a user (its id token is in `url`) and the conversation it writes to. */
export interface SessionPlan {
  readonly index: number;
  /** The gateway URL with `?token=<id token>`. */
  readonly url: string;
  readonly conversationId: string;
}

/** Which part of the bench a message belongs to; its letter is in the message's tag. */
export type ClientPhase = 'prewarm' | 'warmup' | 'run';

const PHASE_LETTER: Record<ClientPhase, string> = { prewarm: 'p', warmup: 'w', run: 'c' };

/** How a turn ended at the client. */
export type ClientTerminal = 'done' | 'error' | 'gateway-error' | 'timeout' | 'closed';

/** One message sent and what came back, timed at the client. */
export interface ClientTurn {
  readonly session: number;
  readonly phase: ClientPhase;
  readonly k: number;
  /** `bench-<phase letter>-s<session>-m<k>`: the message id, and in brackets at the start of the text, so the emulator's records name the turn. */
  readonly tag: string;
  readonly conversationId: string;
  readonly question: string;
  /** Monotonic ms: the slot the schedule gave this message. */
  readonly scheduledMs: number;
  /** Monotonic ms: just before `ws.send`. */
  sentMs: number;
  /** The first `chunk` frame arrived. */
  firstChunkMs?: number;
  /** The `done` or `error` frame (or the gateway's error, or the timeout) arrived. */
  endMs?: number;
  terminal?: ClientTerminal;
  /** The `error` frame's code, or the gateway's message. */
  code?: string;
  chunks: number;
  /** Whether every frame's `seq` was the next one (0, 1, 2, …) and the terminal frame came last. */
  seqOk: boolean;
  /** The answer's text as streamed (the chunks joined). */
  text: string;
  /** Frames of another message id that arrived while this one was awaited. */
  strays: number;
  /**
   * API Gateway's own messages meanwhile (`{"message": …}`): "Endpoint request timed out" when the route outlasted the
   * 29 s integration timeout (the relay keeps running and may still post the turn's frames, so the client keeps waiting);
   * any other ("Internal server error": the route failed) ends the turn at the client.
   */
  gatewayMessages: string[];
}

/** Commands of the parent. */
export type ClientsCommand =
  | { readonly cmd: 'connect'; readonly sessions: readonly SessionPlan[] }
  | { readonly cmd: 'once'; readonly phase: ClientPhase }
  | { readonly cmd: 'run'; readonly startAtMs: number; readonly seconds: number; readonly rate: number }
  | { readonly cmd: 'disconnect' }
  | { readonly cmd: 'exit' };

/** Answers to the parent. */
export type ClientsEvent =
  | { readonly evt: 'connected'; readonly openMs: readonly number[]; readonly failures: readonly string[] }
  | { readonly evt: 'turns'; readonly turns: readonly ClientTurn[]; readonly cpu: NodeJS.CpuUsage }
  | { readonly evt: 'disconnected' }
  | { readonly evt: 'failed'; readonly message: string };

/** The questions the sessions ask in turn: the local classifier sends about half to the fast profile and half to the capable one. */
export const QUESTIONS: readonly string[] = [
  'Where is my order 40412?',
  'My parcel arrived damaged and I want a refund.',
  'What payment methods do you accept?',
  'Can I return shoes I have worn once?',
  'Hallo, wo ist meine Bestellung 40412?',
  'Le chargeur ne marche pas avec mon téléphone.',
  'Vorrei sapere se il mio ordine è partito.',
  '¿Cuánto tarda el envío a Madrid?',
];

/**
 * The longest a client waits for the end of an answer: the turn's deadline (25 s) bounds its model calls, not its storage
 * calls, so a turn on a saturated moto can take longer; past this the message counts as lost.
 */
export const TURN_TIMEOUT_MS = 60_000;

/** API Gateway's message when a route outlasts the integration timeout; the route goes on. */
const INTEGRATION_TIMEOUT_MESSAGE = 'Endpoint request timed out';

interface Frame {
  readonly type?: 'chunk' | 'done' | 'error';
  readonly messageId?: string;
  readonly seq?: number;
  readonly text?: string;
  readonly code?: string;
  readonly message?: string;
}

class Session {
  private ws?: WebSocket;
  private waiting?: { turn: ClientTurn; expectedSeq: number; finish: () => void };
  private k = 0;
  private closed?: Promise<void>;

  constructor(readonly plan: SessionPlan) {}

  /** Opens the WebSocket; resolves with the milliseconds the handshake (and the authorizer) took. */
  public async open(): Promise<number> {
    const started = monotonicMs();
    const ws = new WebSocket(this.plan.url);
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data: Buffer) => this.receive(data, monotonicMs()));
    ws.on('close', () => this.end('closed', monotonicMs()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`session ${this.plan.index}: handshake answered ${res.statusCode}`)));
    });
    ws.on('error', () => undefined);
    return monotonicMs() - started;
  }

  /** Sends the next message and resolves once its answer ended (or after `TURN_TIMEOUT_MS`). */
  public async ask(phase: ClientPhase, scheduledMs: number): Promise<ClientTurn> {
    const k = this.k++;
    const tag = `bench-${PHASE_LETTER[phase]}-s${this.plan.index}-m${k}`;
    const question = QUESTIONS[(this.plan.index + k) % QUESTIONS.length];
    const turn: ClientTurn = {
      session: this.plan.index,
      phase,
      k,
      tag,
      conversationId: this.plan.conversationId,
      question,
      scheduledMs,
      sentMs: 0,
      chunks: 0,
      seqOk: true,
      text: '',
      strays: 0,
      gatewayMessages: [],
    };
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      turn.sentMs = monotonicMs();
      turn.endMs = turn.sentMs;
      turn.terminal = 'closed';
      return turn;
    }
    const body = JSON.stringify({ action: 'sendMessage', conversationId: this.plan.conversationId, messageId: tag, text: `[${tag}] ${question}` });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.end('timeout', monotonicMs()), TURN_TIMEOUT_MS);
      this.waiting = { turn, expectedSeq: 0, finish: () => { clearTimeout(timer); resolve(); } };
      turn.sentMs = monotonicMs();
      ws.send(body);
    });
    return turn;
  }

  public async close(): Promise<void> {
    this.ws?.close(1000);
    await this.closed;
  }

  private receive(data: Buffer, at: number): void {
    let frame: Frame;
    try {
      frame = JSON.parse(data.toString('utf8')) as Frame;
    } catch {
      frame = { message: data.toString('utf8').slice(0, 200) };
    }
    const waiting = this.waiting;
    if (!waiting) return;
    if (frame.type === undefined) {
      waiting.turn.gatewayMessages.push(frame.message ?? '');
      // The integration timed out but the route goes on (its frames may still come); any other gateway message ends it.
      if (frame.message === INTEGRATION_TIMEOUT_MESSAGE) return;
      waiting.turn.code = frame.message;
      this.end('gateway-error', at);
      return;
    }
    if (frame.messageId !== waiting.turn.tag) {
      waiting.turn.strays++;
      return;
    }
    if (frame.seq !== waiting.expectedSeq) waiting.turn.seqOk = false;
    waiting.expectedSeq++;
    if (frame.type === 'chunk') {
      waiting.turn.firstChunkMs ??= at;
      waiting.turn.chunks++;
      waiting.turn.text += frame.text ?? '';
      return;
    }
    if (frame.type === 'error') waiting.turn.code = frame.code;
    this.end(frame.type, at);
  }

  private end(terminal: ClientTerminal, at: number): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    waiting.turn.endMs = at;
    waiting.turn.terminal = terminal;
    waiting.finish();
  }
}

/**
 * The bench's pacing, for the sessions and for the baseline's loops alike: `loops` loops, each with one slot every
 * `loops / rate` seconds, the loops' slots spread evenly (so `rate` calls a second in aggregate), each calling `call` at
 * its slot only after its previous call ended (a user reads the answer before asking again). When a call ends after the
 * loop's next slot, the next call goes at once (late) and the loop's slots start again from there: a missed slot is never
 * caught up, so a slow chat lowers the rate it gets, and the bench reports the rate achieved. No call starts at or after
 * `startAtMs + seconds`. `call` gets the loop, the call's number in the loop and its slot (monotonic ms).
 */
export async function onSchedule<T>(
  loops: number, startAtMs: number, seconds: number, rate: number, call: (loop: number, k: number, slotMs: number) => Promise<T>,
): Promise<T[]> {
  const intervalMs = (1000 * loops) / rate;
  const endAtMs = startAtMs + seconds * 1000;
  const results: T[] = [];
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    let slot = startAtMs + (loop / loops) * intervalMs;
    for (let k = 0; Math.max(slot, monotonicMs()) < endAtMs; k++) {
      const wait = slot - monotonicMs();
      if (wait > 0) await sleep(wait);
      const sentMs = monotonicMs();
      results.push(await call(loop, k, slot));
      slot = Math.max(slot, sentMs) + intervalMs;
    }
  }));
  return results;
}

function main(): void {
  const sessions: Session[] = [];
  const reply = (event: ClientsEvent) => process.send?.(event);
  process.on('message', (command: ClientsCommand) => {
    const work = async () => {
      switch (command.cmd) {
        case 'connect': {
          const added = command.sessions.map((plan) => new Session(plan));
          const failures: string[] = [];
          const openMs: number[] = [];
          // Ten handshakes at a time, as a crowd of browsers opening the widget would.
          for (let i = 0; i < added.length; i += 10) {
            const results = await Promise.allSettled(added.slice(i, i + 10).map((s) => s.open()));
            for (const r of results) {
              if (r.status === 'fulfilled') openMs.push(r.value);
              else failures.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
            }
          }
          sessions.push(...added);
          return reply({ evt: 'connected', openMs, failures });
        }
        case 'once': {
          const cpu = process.cpuUsage();
          const turns = await Promise.all(sessions.map((s) => s.ask(command.phase, monotonicMs())));
          return reply({ evt: 'turns', turns, cpu: process.cpuUsage(cpu) });
        }
        case 'run': {
          const cpu = process.cpuUsage();
          const turns = await onSchedule(sessions.length, command.startAtMs, command.seconds, command.rate, (i, _k, slot) => sessions[i].ask('run', slot));
          return reply({ evt: 'turns', turns, cpu: process.cpuUsage(cpu) });
        }
        case 'disconnect':
          await Promise.all(sessions.map((s) => s.close()));
          sessions.length = 0;
          return reply({ evt: 'disconnected' });
        case 'exit':
          process.disconnect?.();
          return process.exit(0);
      }
    };
    work().catch((error: unknown) => reply({ evt: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }));
  });
  // A parent that dies takes the clients with it.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) main();
