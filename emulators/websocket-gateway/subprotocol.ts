/*
 * The subprotocol of a handshake. API Gateway chooses none itself: the `$connect` route's integration answers with a
 * `Sec-WebSocket-Protocol` header, which API Gateway passes on to the client; without one the handshake's answer has none,
 * and a client that offered subprotocols fails the connection (RFC 6455 4.1; "Set up a $connect route that requires a
 * WebSocket subprotocol", https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-connect-route-subprotocol.html).
 */

/** The `Sec-WebSocket-Protocol` header of a `$connect` integration's response (`{ statusCode, headers }`), in any case. */
export function subprotocolOf(result: unknown): string | undefined {
  const headers = (result as { headers?: unknown } | undefined)?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}
