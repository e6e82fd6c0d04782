import { WebSocket } from 'ws';
import { type WebSocketFrameHeader, WebSocketFrameScanner } from '../../emulators/websocket-gateway/frame-scanner';

/** A connected test client: what it received, message by message and frame by frame, and how it was closed. */
export interface TestClient {
  readonly ws: WebSocket;
  /** Every frame header the server sent (data and control frames). */
  readonly frames: WebSocketFrameHeader[];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The next text message (queued ones first); rejects after `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<string>;
}

/** A handshake the server refused: its HTTP status and body. */
export class Refused extends Error {
  constructor(readonly statusCode: number, readonly body: string) {
    super(`refused with ${statusCode}: ${body}`);
  }
}

/** Opens a WebSocket to `url`; rejects with `Refused` when the server answers the handshake with an HTTP status. */
export function connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const frames: WebSocketFrameHeader[] = [];
    const queue: string[] = [];
    const waiters: Array<(message: string) => void> = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      ws.on('close', (code, reason) => done({ code, reason: reason.toString() }));
    });
    ws.on('upgrade', (res) => {
      const scanner = new WebSocketFrameScanner((frame) => frames.push(frame));
      res.socket.on('data', (chunk: Buffer) => scanner.push(chunk));
    });
    ws.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      const waiter = waiters.shift();
      if (waiter) waiter(text);
      else queue.push(text);
    });
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => {
        req.destroy();
        reject(new Refused(res.statusCode ?? 0, body));
      });
    });
    ws.on('error', reject);
    ws.on('open', () => resolve({
      ws,
      frames,
      closed,
      nextMessage: (timeoutMs = 5000) => {
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve(queued);
        return new Promise<string>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
          waiters.push((message) => {
            clearTimeout(timer);
            done(message);
          });
        });
      },
    }));
  });
}

/** The status a refused handshake got; fails the test when the handshake succeeds. */
export async function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const client = await connect(url, headers);
    client.ws.close();
  } catch (error) {
    if (error instanceof Refused) return error.statusCode;
    throw error;
  }
  throw new Error(`the handshake to ${url} was accepted`);
}

/** Polls `probe` until it returns something other than undefined; rejects after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `promise`, or a rejection after `timeoutMs` (so a missing close fails the test at once rather than at jest's timeout). */
export async function within<T>(promise: Promise<T>, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
