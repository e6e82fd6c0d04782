import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { CLOSE_NORMAL, closeConnection, type Connection, isOpen } from './connection';
import { readBody } from '../http/http-body';

/**
 * The `@connections` management API ("Use @connections commands in your backend service",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html):
 * `POST|GET|DELETE /<stage>/@connections/<connectionId>`, answered as the `ApiGatewayManagementApiClient` reads them.
 * Requests must be SigV4-signed on AWS; here an `Authorization: AWS4-HMAC-SHA256 ...` header must be present (the
 * signature is not checked). An unknown or closed connection: 410 `GoneException`.
 */

/** The gateway a `@connections` request is answered for. */
export interface ConnectionsApiTarget {
  /** The stage: requests go to `/<stage>/@connections/<id>`. */
  readonly stage: string;
  /** The largest `PostToConnection` payload (the message payload quota); a larger one is 413. */
  readonly messagePayloadLimitBytes: number;
  /** The largest frame a posted message is sent in (the frame size quota). */
  readonly frameSizeLimitBytes: number;
  /** The connection with this id, if the gateway knows it. */
  connection(connectionId: string): Connection | undefined;
}

/** Answers one `@connections` request. */
export async function answerConnectionsRequest(target: ConnectionsApiTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const segments = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').map((s) => decodeURIComponent(s));
  const [, stage, resource, connectionId, ...extra] = segments;
  if (stage !== target.stage || resource !== '@connections' || !connectionId || extra.length > 0) {
    return answer(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
  }
  if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
    return answer(res, 403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
  }
  const body = await readBody(req);
  const connection = target.connection(connectionId);
  const open = isOpen(connection);
  switch (req.method) {
    case 'POST':
      // PostToConnection's payload is limited to the 128 KB message quota: 413 PayloadTooLargeException.
      if (body.length > target.messagePayloadLimitBytes) {
        return answer(res, 413, { message: `Message too long: ${body.length} bytes, quota ${target.messagePayloadLimitBytes}` }, 'PayloadTooLargeException');
      }
      if (!open) return answer(res, 410, {}, 'GoneException');
      await sendInFrames(connection.socket, body, target.frameSizeLimitBytes);
      return answer(res, 200);
    case 'GET':
      if (!open) return answer(res, 410, {}, 'GoneException');
      return answer(res, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: connection.identity,
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    case 'DELETE':
      if (!open) return answer(res, 410, {}, 'GoneException');
      void closeConnection(connection, CLOSE_NORMAL, '');
      return answer(res, 204);
    default:
      return answer(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
  }
}

/** Answers a management API call the way the SDK's restJson1 protocol reads it: the error type in `x-amzn-ErrorType`. */
export function answer(res: ServerResponse, statusCode: number, body?: unknown, errorType?: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

/**
 * Sends one text message in frames of at most `frameBytes`: "messages larger than 32 KB must be split into multiple
 * frames, each 32 KB or smaller. This applies to @connections commands" (the footnote of the quota table). Text frames
 * are assumed: AWS does not say which opcode PostToConnection data is sent with.
 */
function sendInFrames(ws: WebSocket, data: Buffer, frameBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let offset = 0;
    do {
      const chunk = data.subarray(offset, offset + frameBytes);
      offset += frameBytes;
      const fin = offset >= data.length;
      ws.send(chunk, { binary: false, fin }, fin ? (error) => (error ? reject(error) : resolve()) : undefined);
    } while (offset < data.length);
  });
}
