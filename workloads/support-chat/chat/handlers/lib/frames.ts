import type { Citation } from '../../../knowledge/handlers/lib/knowledge-source';

/**
 * The frames the chat server sends over the WebSocket, and the writer that turns a model's token stream into them.
 *
 * Every frame is one JSON text message sent with `PostToConnection`. API Gateway's WebSocket quotas
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html):
 * a WebSocket frame is at most 32 KB and a message at most 128 KB, neither adjustable; "messages larger than 32 KB must be
 * split into multiple frames, each 32 KB or smaller. This applies to @connections commands", and a larger frame closes the
 * connection with 1009. The writer keeps every encoded frame, measured in UTF-8 bytes, at or under `maxFrameBytes`
 * (default 24 KiB, 8 KiB under the quota), so each frame is also a message of its own, far under 128 KB.
 */

/**
 * API Gateway's WebSocket quotas, in bytes, neither adjustable: a frame at most 32 KB, a message payload at most 128 KB.
 * (The local gateway emulator enforces the same figures; a test holds the two equal.)
 */
export const WEBSOCKET_QUOTAS = {
  frameBytes: 32 * 1024,
  messageBytes: 128 * 1024,
} as const;

/** The default ceiling of one encoded frame: 24 KiB, a quarter under the 32 KB frame quota. */
export const DEFAULT_MAX_FRAME_BYTES = 24 * 1024;

/** The smallest `maxFrameBytes` accepted: room for the envelope and a few characters. */
const MIN_TEXT_BUDGET_BYTES = 64;

/**
 * The frame types: a piece of the answer, the end of the answer, or the end of the turn with an error; in a handed-off
 * conversation, a person's whole message and an agent's joining or leaving; to an agent, the open hand-offs.
 */
export type FrameType = 'chunk' | 'done' | 'error' | 'message' | 'agentJoined' | 'agentLeft' | 'handOffs';

/** The stable codes of error frames; clients switch on these, never on the message. */
export const ERROR_CODES = [
  'input_too_long',
  'budget_exhausted',
  'rate_limited',
  'in_progress',
  'model_unavailable',
  'deadline_exceeded',
  'guardrail_intervened',
  'bad_request',
  'message_id_conflict',
  'token_expired',
  'internal',
  'forbidden',
  'not_handed_off',
  'conversation_closed',
  'not_joined',
  'refund_not_pending',
  'order_not_in_hand_off',
] as const;

/** A stable error code (`ERROR_CODES`). */
export type ErrorCode = typeof ERROR_CODES[number];

/** Token usage of a turn, as the Converse API's `metadata.usage` reports it. */
export interface FrameUsage {
  /** Input tokens. */
  readonly inputTokens: number;
  /** Output tokens. */
  readonly outputTokens: number;
  /** Input plus output tokens. */
  readonly totalTokens: number;
}

/** What every frame carries: which answer it belongs to and its place in it. */
interface FrameBase {
  /** The conversation. */
  readonly conversationId: string;
  /** The answer (the assistant message) this frame belongs to. */
  readonly messageId: string;
  /** 0 for the first frame of the message, then one more per frame, `done` and `error` included. */
  readonly seq: number;
}

/** A piece of the answer's text; the client appends the pieces in `seq` order. */
export interface ChunkFrame extends FrameBase {
  readonly type: 'chunk';
  /** The text. */
  readonly text: string;
}

/** The answer is complete. */
export interface DoneFrame extends FrameBase {
  readonly type: 'done';
  /** Token usage of the turn, when known. */
  readonly usage?: FrameUsage;
  /**
   * The knowledge base's documents the answer was given to ground it (`documentId`, `title`, `link` when the document has
   * one), best first, each document once; absent for an answer without passages. As many as fit the frame.
   */
  readonly citations?: readonly Citation[];
  /** The conversation is with a human agent: the assistant stored the message and did not answer it (or sent the hand-off notice). */
  readonly handedOff?: true;
  /**
   * To an agent, after `agentReply`, `joinConversation` or `leaveConversation`: how many of the customer's connections
   * got the frame (0: the customer is not connected; an `agentReply` is stored and shown when they `resume`).
   */
  readonly delivered?: number;
}

/** The turn ended without (the rest of) an answer. */
export interface ErrorFrame extends FrameBase {
  readonly type: 'error';
  /** A stable code (`ERROR_CODES`). */
  readonly code: ErrorCode;
  /** A message for a human, in the user's words. */
  readonly message: string;
}

/** Who wrote a message a person sees: the customer, the assistant, or a human agent. */
export type MessageAuthor = 'customer' | 'assistant' | 'agent';

/**
 * A whole message from the other side of a handed-off conversation, sent once (never in pieces): to the customer, an
 * agent's reply (`from: 'agent'`, with the agent's display name); to an agent, the customer's message written after the
 * hand-off, and on `joinConversation` the conversation so far. `messageId` is the writer's id of the message (a retry
 * sends the same id again: show it once); `seq` counts the frames of the action that sent it.
 */
export interface MessageFrame extends FrameBase {
  readonly type: 'message';
  readonly from: MessageAuthor;
  /** The agent's display name (the user pool's `name` or `preferred_username`, never the e-mail); only `from: 'agent'`. */
  readonly name?: string;
  readonly text: string;
  /** When the message was stored (ISO 8601, UTC). */
  readonly at: string;
}

/** An agent joined (`agentJoined`) or left (`agentLeft`) the conversation; `closed` when they closed it (the assistant answers again). */
export interface AgentStatusFrame extends FrameBase {
  readonly type: 'agentJoined' | 'agentLeft';
  /** The agent's display name. */
  readonly name: string;
  /** When it happened (ISO 8601, UTC). */
  readonly at: string;
  /** `agentLeft` only: the agent closed the conversation. */
  readonly closed?: true;
}

/** One open hand-off as `listHandOffs` lists it. */
export interface OpenHandOff {
  /** The customer's Cognito `sub`. */
  readonly customer: string;
  readonly conversationId: string;
  /** When the conversation was handed off, as the relay first saw it (ISO 8601, UTC). */
  readonly since: string;
  /** A refund approval waiting for an agent in this conversation (`approveRefund`, `rejectRefund`). */
  readonly refund?: {
    /** The orders of the hand-off: the only ones a refund may be approved for. */
    readonly orderIds: readonly string[];
    /** The most that may be approved: the largest amount the customer named. */
    readonly requestedAmount: number;
    /** When the approval expires (ISO 8601, UTC). */
    readonly expiresAt: string;
  };
}

/** To an agent, the one answer to `listHandOffs`: the open hand-offs, oldest first (`conversationId` is `*`). */
export interface HandOffsFrame extends FrameBase {
  readonly type: 'handOffs';
  readonly handOffs: readonly OpenHandOff[];
}

/** Any frame the server sends. */
export type Frame = ChunkFrame | DoneFrame | ErrorFrame | MessageFrame | AgentStatusFrame | HandOffsFrame;

/** The frame as sent: JSON, one frame per WebSocket message. */
export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}

/**
 * The UTF-8 bytes one code point takes inside a JSON string as `JSON.stringify` writes it: `"` and `\` and the control
 * characters with short escapes take 2, other control characters 6 (`\u00XX`), a lone surrogate 6 (`\uDXXX`, as ES2019's
 * well-formed `JSON.stringify` writes it), every other code point its UTF-8 length (1 to 4).
 */
export function jsonEncodedBytes(codePoint: number): number {
  if (codePoint === 0x22 || codePoint === 0x5c) return 2;
  if (codePoint < 0x20) return [0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(codePoint) ? 2 : 6;
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 6;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Splits text into pieces whose JSON-encoded size is at most `budgetBytes` each, cutting only between code points: a
 * surrogate pair is never split. (A grapheme cluster, such as an emoji with modifiers, may be; the client concatenates the
 * pieces before display, so it reassembles.) The pieces joined are the text.
 */
export function splitByEncodedBytes(text: string, budgetBytes: number): string[] {
  if (budgetBytes < 6) throw new RangeError(`budgetBytes must be at least 6 (one escaped code point), not ${budgetBytes}`);
  const pieces: string[] = [];
  let start = 0;
  let index = 0;
  let used = 0;
  for (const char of text) {
    const cost = jsonEncodedBytes(char.codePointAt(0)!);
    if (used + cost > budgetBytes) {
      pieces.push(text.slice(start, index));
      start = index;
      used = 0;
    }
    used += cost;
    index += char.length;
  }
  if (index > start) pieces.push(text.slice(start));
  return pieces;
}

/** How a writer ended, or that it has not. */
export type WriterState = 'open' | 'done' | 'failed' | 'gone';

/** What a writer did, for logs and metrics. */
export interface WriterSummary {
  /** `done` after `end`, `failed` after `fail`, `gone` when the client left, `open` before either. */
  readonly state: WriterState;
  /** Frames sent (successfully posted). */
  readonly frames: number;
  /** Bytes sent, the encoded frames' UTF-8 sizes summed. */
  readonly bytes: number;
}

/** Schedules `callback` after `ms` milliseconds and returns a function that cancels it. */
export type ScheduleTimer = (callback: () => void, ms: number) => () => void;

/** Options of a `FrameWriter`. */
export interface FrameWriterOptions {
  /** The conversation. */
  readonly conversationId: string;
  /** The answer's message id. */
  readonly messageId: string;
  /** Posts one message to the connection (`PostToConnection`); rejects with a `GoneException` (410) when the client left. */
  readonly send: (data: string) => Promise<void>;
  /**
   * The largest encoded frame, in UTF-8 bytes; at most `WEBSOCKET_QUOTAS.frameBytes`.
   *
   * @default DEFAULT_MAX_FRAME_BYTES (24 KiB)
   */
  readonly maxFrameBytes?: number;
  /**
   * Text buffered after the first chunk is sent once it reaches this many UTF-8 bytes.
   *
   * @default 512
   */
  readonly coalesceBytes?: number;
  /**
   * Text buffered after the first chunk is sent at the latest this many milliseconds after it was buffered. 0 sends every
   * delta as it comes.
   *
   * @default 40
   */
  readonly coalesceMs?: number;
  /**
   * The timer used for `coalesceMs`.
   *
   * @default setTimeout, unref'd
   */
  readonly schedule?: ScheduleTimer;
}

const defaultSchedule: ScheduleTimer = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Whether an error from `send` says the client is gone: `GoneException`, or HTTP 410. */
export function isGoneError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown }; statusCode?: unknown };
  return e.name === 'GoneException' || e.$metadata?.httpStatusCode === 410 || e.statusCode === 410;
}

/** Posts a frame to a connection: true when sent, false when that client is gone (`isGoneError`); rejects with any other error. */
export async function postOrGone(
  deps: { post(connectionId: string, frame: string): Promise<unknown> }, connectionId: string, frame: string,
): Promise<boolean> {
  try {
    await deps.post(connectionId, frame);
    return true;
  } catch (error) {
    if (isGoneError(error)) return false;
    throw error;
  }
}

/**
 * Writes one answer to one connection as frames: `write` the model's text deltas, then `end` with the usage, or `fail` with
 * a code. Frames go out one at a time, in `seq` order.
 *
 * - The first text is sent at once (time to first token); later deltas are coalesced until `coalesceBytes` or
 *   `coalesceMs`, so a token stream does not become thousands of tiny frames.
 * - Text is split so that every encoded frame stays at or under `maxFrameBytes` (UTF-8), between code points.
 * - A `GoneException` from `send` ends the stream cleanly: the state becomes `gone`, nothing more is sent, and no method
 *   throws for it; `write` answers `false` so the caller can stop reading the model. Other errors from `send` reject the
 *   call that was sending (or the next call, when a timer was) and leave the writer `failed`.
 */
export class FrameWriter {
  private readonly conversationId: string;
  private readonly messageId: string;
  private readonly send: (data: string) => Promise<void>;
  private readonly maxFrameBytes: number;
  private readonly coalesceBytes: number;
  private readonly coalesceMs: number;
  private readonly schedule: ScheduleTimer;
  private seq = 0;
  private frames = 0;
  private bytes = 0;
  private current: WriterState = 'open';
  private closed = false;
  private firstChunkSent = false;
  private pending = '';
  private pendingBytes = 0;
  private cancelTimer: (() => void) | undefined;
  private queue: Promise<void> = Promise.resolve();
  private sendError: unknown;

  constructor(options: FrameWriterOptions) {
    this.conversationId = options.conversationId;
    this.messageId = options.messageId;
    this.send = options.send;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.coalesceBytes = options.coalesceBytes ?? 512;
    this.coalesceMs = options.coalesceMs ?? 40;
    this.schedule = options.schedule ?? defaultSchedule;
    if (!Number.isInteger(this.maxFrameBytes) || this.maxFrameBytes > WEBSOCKET_QUOTAS.frameBytes) {
      throw new RangeError(`maxFrameBytes must be an integer of at most ${WEBSOCKET_QUOTAS.frameBytes}, not ${this.maxFrameBytes}`);
    }
    if (this.textBudget(Number.MAX_SAFE_INTEGER) < MIN_TEXT_BUDGET_BYTES) {
      throw new RangeError(`maxFrameBytes ${this.maxFrameBytes} leaves less than ${MIN_TEXT_BUDGET_BYTES} bytes for text next to these ids`);
    }
    if (this.coalesceBytes < 0 || this.coalesceMs < 0) throw new RangeError('coalesceBytes and coalesceMs must not be negative');
  }

  /** The writer's state: `open`, `done`, `failed` or `gone`. */
  get state(): WriterState {
    return this.current;
  }

  /** Whether `end` or `fail` was called: the answer has its final frame (sent, or on its way). */
  get ended(): boolean {
    return this.closed;
  }

  /** Whether the client left (a send answered `GoneException`). */
  get gone(): boolean {
    return this.current === 'gone';
  }

  /** What the writer sent so far. */
  get summary(): WriterSummary {
    return { state: this.current, frames: this.frames, bytes: this.bytes };
  }

  /**
   * Adds a text delta. Resolves once any frame this delta caused is sent: `true` while frames can still be sent, `false`
   * once the client is gone (then the caller stops reading the model). Rejects with a non-Gone error of `send`, and after
   * `end` or `fail`.
   */
  async write(delta: string): Promise<boolean> {
    if (this.closed) throw new Error('FrameWriter: write after end or fail');
    this.throwSendError();
    if (this.current !== 'open') return false;
    if (delta.length === 0) return true;
    this.pending += delta;
    this.pendingBytes += Buffer.byteLength(delta, 'utf8');
    if (!this.firstChunkSent || this.coalesceMs === 0 || this.pendingBytes >= this.coalesceBytes) {
      this.firstChunkSent = true;
      await this.flush();
    } else if (!this.cancelTimer) {
      this.cancelTimer = this.schedule(() => {
        this.cancelTimer = undefined;
        void this.flush();
      }, this.coalesceMs);
    }
    this.throwSendError();
    return this.current === 'open';
  }

  /**
   * Sends a whole frame of another message (a person's `message` in a handed-off conversation, under its own
   * `messageId` and `seq`) between this answer's frames, taking none of their `seq`; its text is cut to fit a frame.
   */
  async sendOther(frame: MessageFrame): Promise<void> {
    if (this.closed) throw new Error('FrameWriter: sendOther after end or fail');
    await this.flush();
    const envelope = Buffer.byteLength(encodeFrame({ ...frame, text: '' }), 'utf8');
    const [text = ''] = splitByEncodedBytes(frame.text, this.maxFrameBytes - envelope);
    await this.enqueue(async () => {
      const data = encodeFrame({ ...frame, text });
      await this.send(data);
      this.frames += 1;
      this.bytes += Buffer.byteLength(data, 'utf8');
    });
    this.throwSendError();
  }

  /** Sends what is buffered, then the `done` frame with the usage. Resolves with what was sent; never throws for a gone client. */
  async end(usage?: FrameUsage, citations: readonly Citation[] = [], options: { readonly handedOff?: boolean } = {}): Promise<WriterSummary> {
    const done = (kept: readonly Citation[]) => ({
      type: 'done' as const, ...(usage ? { usage } : {}), ...(kept.length > 0 ? { citations: kept } : {}), ...(options.handedOff ? { handedOff: true as const } : {}),
    });
    // The citations that fit one frame (a done frame's seq is at most the text's length plus one), best first.
    let kept = citations;
    const size = (c: readonly Citation[]) => Buffer.byteLength(encodeFrame({
      ...done(c), conversationId: this.conversationId, messageId: this.messageId, seq: Number.MAX_SAFE_INTEGER,
    }), 'utf8');
    while (kept.length > 0 && size(kept) > this.maxFrameBytes) kept = kept.slice(0, -1);
    return this.close(done(kept), 'done');
  }

  /**
   * Sends what is buffered (the text the user has partly seen stays consistent), then an `error` frame with the code and
   * message (cut to fit one frame). Resolves with what was sent; never throws for a gone client.
   */
  async fail(code: ErrorCode, message: string): Promise<WriterSummary> {
    const envelope = encodeFrame({
      type: 'error', conversationId: this.conversationId, messageId: this.messageId, seq: Number.MAX_SAFE_INTEGER, code, message: '',
    });
    const fitting = splitByEncodedBytes(message, this.maxFrameBytes - Buffer.byteLength(envelope, 'utf8'))[0] ?? '';
    return this.close({ type: 'error', code, message: fitting }, 'failed');
  }

  private async close(
    last: { type: 'done'; usage?: FrameUsage; citations?: readonly Citation[]; handedOff?: true } | { type: 'error'; code: ErrorCode; message: string },
    state: WriterState,
  ): Promise<WriterSummary> {
    if (this.closed) throw new Error('FrameWriter: already ended');
    this.closed = true;
    await this.flush();
    this.throwSendError();
    await this.enqueue(() => this.post({ ...last, conversationId: this.conversationId, messageId: this.messageId, seq: this.seq }));
    this.throwSendError();
    if (this.current === 'open') this.current = state;
    return this.summary;
  }

  /** Moves the buffered text onto the send queue, cut to frame size. */
  private flush(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const text = this.pending;
    this.pending = '';
    this.pendingBytes = 0;
    if (text.length === 0) return this.queue;
    return this.enqueue(async () => {
      // The envelope grows with seq's digits; budget each piece against the largest seq it could get.
      const pieces = splitByEncodedBytes(text, this.textBudget(this.seq + text.length));
      for (const piece of pieces) {
        if (this.current !== 'open') return;
        await this.post({ type: 'chunk', conversationId: this.conversationId, messageId: this.messageId, seq: this.seq, text: piece });
      }
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.current !== 'open' || this.sendError !== undefined) return;
      try {
        await task();
      } catch (error) {
        if (isGoneError(error)) {
          this.current = 'gone';
        } else {
          this.sendError = error;
          this.current = 'failed';
        }
      }
    });
    return this.queue;
  }

  private async post(frame: Frame): Promise<void> {
    const data = encodeFrame(frame);
    const size = Buffer.byteLength(data, 'utf8');
    if (size > this.maxFrameBytes) throw new Error(`FrameWriter: frame of ${size} bytes over ${this.maxFrameBytes}`);
    this.seq += 1;
    await this.send(data);
    this.frames += 1;
    this.bytes += size;
  }

  /** The bytes left for text in a chunk frame with the given seq. */
  private textBudget(seq: number): number {
    const envelope = encodeFrame({ type: 'chunk', conversationId: this.conversationId, messageId: this.messageId, seq, text: '' });
    return this.maxFrameBytes - Buffer.byteLength(envelope, 'utf8');
  }

  private throwSendError(): void {
    if (this.sendError !== undefined) {
      const error = this.sendError;
      this.sendError = undefined;
      throw error;
    }
  }
}
