import type { WebSocket } from 'ws';
import type { WebSocketIdentity } from './websocket-events';

/**
 * "If a larger message (or larger frame size) is received, the connection is closed with code 1009": the footnote of
 * "Quotas for configuring and running a WebSocket in API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * 1009 is "Message Too Big" (RFC 6455, 7.4.1).
 */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/** Closing by `DeleteConnection`: API Gateway reports `disconnectStatusCode` 1000 (observed, https://github.com/boto/boto3/issues/3789). */
export const CLOSE_NORMAL = 1000;
/** Closing at the idle or duration limit, or when the gateway stops. The code API Gateway uses is not documented; 1001 assumed. */
export const CLOSE_GOING_AWAY = 1001;

/** An open connection of the local gateway. */
export interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly identity: WebSocketIdentity;
  readonly authorizer?: Record<string, string>;
  readonly timers: NodeJS.Timeout[];
  /** Set once the connection is closing or closed: posts answer 410, messages are dropped. */
  closing: boolean;
}

/** Whether the connection is open and not closing (`@connections` calls on any other answer 410). */
export function isOpen(connection: Connection | undefined): connection is Connection {
  return connection !== undefined && !connection.closing && connection.socket.readyState === connection.socket.OPEN;
}

/** Starts closing a connection; resolves when it is closed (or, after `forceAfterMs`, cut). */
export async function closeConnection(connection: Connection, code: number, reason: string, forceAfterMs?: number): Promise<void> {
  connection.closing = true;
  const closed = new Promise<void>((resolve) => {
    if (connection.socket.readyState === connection.socket.CLOSED) resolve();
    else connection.socket.once('close', () => resolve());
  });
  connection.socket.close(code, reason);
  if (forceAfterMs === undefined) return closed;
  const timer = setTimeout(() => connection.socket.terminate(), forceAfterMs);
  await closed;
  clearTimeout(timer);
}
