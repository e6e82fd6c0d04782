import { WebSocket } from 'ws';
import type { ClientPhase, ClientTerminal, ClientTurn, SessionPlan } from './clients-protocol';
import { QUESTIONS } from './questions';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-request';

/*
 * One session of the load generator (`clients.ts`): a WebSocket of one user that sends chat messages as the web widget
 * does and times every answer at the client on the host's monotonic clock.
 */

const PHASE_LETTER: Record<ClientPhase, string> = { prewarm: 'p', warmup: 'w', run: 'c' };

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

export class Session {
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
