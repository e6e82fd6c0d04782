import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import type { AgentStatusFrame, Frame, MessageFrame } from '../chat/handlers/lib/frames';

/** Options of `chatInTerminal`. */
export interface TerminalChatOptions {
  /** The WebSocket URL (with the token in its query string when `protocols` is not given). */
  readonly url: string;
  /** The subprotocols to offer, the token among them (`ChatLocal.protocols`). @default none */
  readonly protocols?: readonly string[];
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
  /** @default a new id */
  readonly conversationId?: string;
  /** How long to wait for the end of one answer before giving up on it. @default 60_000 */
  readonly answerTimeoutMs?: number;
}

/** A running terminal chat. */
export interface TerminalChat {
  /** Resolves when the input ended and the last answer arrived, or the connection closed. */
  readonly finished: Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** What the server sends besides frames: API Gateway's own error message (`{"message": "Internal server error", ...}`). */
interface GatewayMessage {
  readonly message?: string;
}

/** `1.3 s` or `212 ms`. */
function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** A person's frame as one line: `agent Dana> …`, `customer> …`, `· Dana joined`, `· Dana left (closed)`. */
export function personLine(frame: MessageFrame | AgentStatusFrame): string {
  if (frame.type === 'message') return `${frame.from === 'agent' ? `agent ${frame.name ?? ''}`.trimEnd() : frame.from}> ${frame.text}`;
  return `  · ${frame.name} ${frame.type === 'agentJoined' ? 'joined' : `left${frame.closed ? ' and closed the conversation' : ''}`}`;
}

/** Opens the WebSocket; rejects with the handshake's status when the gateway refuses it (401: the authorizer said no). */
function open(url: string, protocols: readonly string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [...protocols]);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the gateway refused the connection: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The same opening for the agent's terminal (`agent-terminal.ts`). */
export const openChatSocket = open;

/**
 * A terminal client of the chat, as the web widget will be: reads lines from `input` and sends each as
 * `{"action":"sendMessage","conversationId","messageId","text"}` (one at a time: the next after the answer's `done` or
 * `error` frame), prints the answer's text as its `chunk` frames arrive, and after `done` a summary line with the tokens
 * and the time to the first text. An `error` frame prints its code and message. `/quit` or the end of the input ends it.
 */
export async function chatInTerminal(options: TerminalChatOptions): Promise<TerminalChat> {
  const { input, output } = options;
  const conversationId = options.conversationId ?? `c-${randomUUID().slice(0, 8)}`;
  const ws = await open(options.url, options.protocols);
  const interactive = Boolean(input.isTTY);
  const lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive, prompt: 'you> ' });
  const pending: string[] = [];
  let current: { messageId: string; sentAt: number; firstTextAt?: number; nextSeq: number; done: () => void } | undefined;
  let inputEnded = false;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => { resolveFinished = resolve; });

  const finishIfIdle = () => {
    if (inputEnded && !current && pending.length === 0) ws.close();
  };
  const next = () => {
    if (current) return;
    const text = pending.shift();
    if (text === undefined) {
      if (interactive) lines.prompt();
      finishIfIdle();
      return;
    }
    if (!interactive) output.write(`you> ${text}\n`);
    output.write('bot> ');
    const messageId = `m-${randomUUID().slice(0, 8)}`;
    const timer = setTimeout(() => {
      output.write(`\n  ! no answer within ${duration(options.answerTimeoutMs ?? 60_000)}\n`);
      end();
    }, options.answerTimeoutMs ?? 60_000);
    const end = () => {
      clearTimeout(timer);
      current = undefined;
      next();
    };
    current = { messageId, sentAt: performance.now(), nextSeq: 0, done: end };
    ws.send(JSON.stringify({ action: 'sendMessage', conversationId, messageId, text }));
  };

  ws.on('message', (data) => {
    let parsed: Partial<Frame> & GatewayMessage;
    try {
      parsed = JSON.parse(data.toString()) as Partial<Frame> & GatewayMessage;
    } catch {
      output.write(`\n  ? ${data.toString()}\n`);
      return;
    }
    if (parsed.type === undefined) {
      // API Gateway's answer when the route failed or timed out; no frame of the turn follows.
      output.write(`\n  ! gateway: ${parsed.message ?? data.toString()}\n`);
      current?.done();
      return;
    }
    const frame = parsed as Frame;
    // A person's message or an agent's joining or leaving arrives whenever it happens, under the sender's own message id.
    if (frame.type === 'message' || frame.type === 'agentJoined' || frame.type === 'agentLeft') {
      output.write(`\n${personLine(frame)}\n`);
      return;
    }
    if (!current || frame.messageId !== current.messageId) return;
    if (frame.seq !== current.nextSeq) output.write(`\n  ? frame ${frame.seq} arrived, ${current.nextSeq} expected\n`);
    current.nextSeq = frame.seq + 1;
    if (frame.type === 'chunk') {
      current.firstTextAt ??= performance.now();
      output.write(frame.text);
    } else if (frame.type === 'done') {
      const usage = frame.usage ? `${frame.usage.totalTokens} tokens (${frame.usage.inputTokens} in, ${frame.usage.outputTokens} out)` : 'no usage';
      const first = current.firstTextAt === undefined ? 'no text' : `first text after ${duration(current.firstTextAt - current.sentAt)}`;
      output.write(`\n  · ${usage} · ${first} · done after ${duration(performance.now() - current.sentAt)}\n`);
      for (const [index, citation] of (frame.citations ?? []).entries()) {
        output.write(`  [${index + 1}] ${citation.title} (${citation.documentId})${citation.link ? ` ${citation.link}` : ''}\n`);
      }
      current.done();
    } else if (frame.type === 'error') {
      output.write(`\n  ! ${frame.code}: ${frame.message}\n`);
      current.done();
    }
  });
  ws.on('close', (code, reason) => {
    if (current || !inputEnded) output.write(`\n  connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})\n`);
    lines.close();
    resolveFinished();
  });

  lines.on('line', (line) => {
    const text = line.trim();
    if (text === '/quit') {
      ws.close();
      return;
    }
    if (text.length > 0) pending.push(text);
    next();
  });
  lines.on('close', () => {
    inputEnded = true;
    finishIfIdle();
  });
  if (interactive) lines.prompt();
  return { finished, close: () => ws.close() };
}
