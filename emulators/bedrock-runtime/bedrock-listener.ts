import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, Http2ServerResponse, type Http2ServerRequest } from 'node:http2';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import type { Writable } from 'node:stream';

/** A request over HTTP/1.1 or HTTP/2 (the compatibility API of either). */
export type EmulatorRequest = IncomingMessage | Http2ServerRequest;
/** A response over HTTP/1.1 or HTTP/2. */
export type EmulatorResponse = ServerResponse | Http2ServerResponse;
/** Answers one request. */
export type EmulatorHandler = (req: EmulatorRequest, res: EmulatorResponse) => void;

/** A listening server and how to stop it. */
export interface Listening {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** The first bytes of the HTTP/2 connection preface a client with prior knowledge (h2c) sends. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * Listens on 127.0.0.1 and serves both HTTP/1.1 and cleartext HTTP/2 on the same port, telling them apart by the
 * first bytes of each connection. `BedrockRuntimeClient` sends every request over HTTP/2 (its default request handler
 * is `NodeHttp2Handler`; with an `http://` endpoint it speaks h2c with prior knowledge), while `fetch`, curl and SDK
 * clients given a `NodeHttpHandler` speak HTTP/1.1.
 */
export async function listenHttp1And2(handler: EmulatorHandler, port = 0): Promise<Listening> {
  const http1 = createHttp1Server(handler);
  const http2 = createHttp2Server(handler);
  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that resets before its first byte must not crash the process; once handed over, the HTTP servers handle errors.
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const isHttp2 = first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE);
      (isHttp2 ? http2 : http1).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/**
 * Cuts the connection a response travels on, as a dropped network path or a crashed front end would: the bytes
 * already written leave first, then the TCP connection closes with the response unfinished (HTTP/2: the whole
 * session, with no GOAWAY). Before the headers, the client gets no response at all.
 */
export async function cutConnection(res: EmulatorResponse): Promise<void> {
  if (res.headersSent) await new Promise<void>((resolve) => writeBytes(res, new Uint8Array(0), resolve));
  if (res instanceof Http2ServerResponse) {
    res.stream.session?.destroy();
    return;
  }
  const socket = res.socket;
  if (socket) await new Promise<void>((resolve) => socket.end(() => resolve()));
  socket?.destroy();
}

/** Writes bytes to a response of either protocol (both are `Writable`s); `done` runs once they are handed to the socket. */
export function writeBytes(res: EmulatorResponse, bytes: Uint8Array, done?: () => void): void {
  const out: Writable = res;
  out.write(bytes, done);
}

/** Whether the response's stream (HTTP/2) or socket (HTTP/1.1) is already closed, so nothing more can be written. */
export function isClosed(res: EmulatorResponse): boolean {
  return res instanceof Http2ServerResponse ? res.stream.closed || res.stream.destroyed : res.destroyed;
}
