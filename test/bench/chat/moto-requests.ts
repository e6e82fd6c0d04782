import http from 'node:http';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';

/*
 * The moto requests of this process, timed: what the chat's turns wait on DynamoDB and STS (`storage-attribution.ts`
 * gives them to the turns).
 */

/** One HTTP/1.1 request of this process: DynamoDB and STS on moto (the turn's, the harness's), PostToConnection. */
export interface HttpCall {
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
export function observeHttpRequests(): void {
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

/** From now on, only requests to `port` (moto's) are kept; those kept so far are forgotten. */
export function observeOnly(port: number): void {
  observedPort = port;
  httpCalls.length = 0;
}

/** The requests to `port` observed so far. */
export const requestsTo = (port: number): HttpCall[] => httpCalls.filter((c) => c.port === port);
