import { randomBytes } from 'node:crypto';
import type { WebSocketIdentity, WebSocketRequestContext } from './websocket-events';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id shaped like API Gateway's connection and request ids (`R0oXAdfD0kwCH6w=`); the `=` makes callers URL-encode it. */
export function newId(): string {
  return `${Array.from(randomBytes(15), (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}=`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CLF-formatted time in UTC (`dd/MMM/yyyy:HH:mm:ss +0000`), as `requestContext.requestTime`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** The API a request context names. */
export interface WebSocketApiSite {
  readonly apiId: string;
  readonly stage: string;
  /** `requestContext.domainName`. */
  readonly domainName: string;
}

/** The connection a request context names (before or after the authorizer). */
export interface RequestContextConnection {
  readonly id: string;
  readonly connectedAt: number;
  readonly identity: WebSocketIdentity;
  readonly authorizer?: Record<string, string>;
}

/** A fresh request context (new request id, the time now) of one event on `connection`. */
export function requestContextOf(
  api: WebSocketApiSite,
  connection: RequestContextConnection,
  eventType: WebSocketRequestContext['eventType'],
  routeKey: string,
): WebSocketRequestContext {
  const now = Date.now();
  const requestId = newId();
  return {
    routeKey,
    eventType,
    messageId: eventType === 'MESSAGE' ? newId() : null,
    extendedRequestId: requestId,
    requestId,
    requestTime: clfTime(now),
    requestTimeEpoch: now,
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    domainName: api.domainName,
    connectionId: connection.id,
    apiId: api.apiId,
    identity: connection.identity,
    ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
  };
}
