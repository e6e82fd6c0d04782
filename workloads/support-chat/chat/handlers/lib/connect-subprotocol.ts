import { CHAT_API } from '../../chat-wiring';

/*
 * The `$connect` route's answer to a handshake. A client that offers subprotocols (the widget: `support-chat.v1` and its
 * token) fails the connection unless the answer names one of them: API Gateway passes a `Sec-WebSocket-Protocol` header
 * of the `$connect` integration's response on to the client and chooses none itself ("Set up a $connect route that
 * requires a WebSocket subprotocol",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-connect-route-subprotocol.html). The answer names
 * `support-chat.v1` only, never the token.
 */

/** A `$connect` integration response: 200, with the chosen subprotocol when the client offered `support-chat.v1`. */
export interface ConnectResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The `$connect` answer for the handshake's headers (names in any case, as API Gateway passes them). */
export function connectResponse(headers: Readonly<Record<string, string | undefined>> | null | undefined): ConnectResponse {
  const offered = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === CHAT_API.tokenHeader.toLowerCase())?.[1];
  const protocols = (offered ?? '').split(',').map((value) => value.trim());
  if (!protocols.includes(CHAT_API.subprotocol)) return { statusCode: 200 };
  return { statusCode: 200, headers: { [CHAT_API.tokenHeader]: CHAT_API.subprotocol } };
}
