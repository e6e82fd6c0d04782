/*
 * What the bench (test/bench/chat.ts) and its load generator (`clients.ts`) say to each other over the IPC channel of
 * `child_process.fork`, and what the load generator reports of each message.
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
