import type { APIGatewayAuthorizerResult, Callback, Context } from 'aws-lambda';

/*
 * The Lambda events of an API Gateway WebSocket API as the local gateway sends them: the request context, a route's
 * proxy event, the `$connect` REQUEST authorizer's event, and the handler signatures that receive them.
 */

/** Who opened the connection, as API Gateway puts it in `requestContext.identity` and `GetConnection`. */
export interface WebSocketIdentity {
  /** The client's address. */
  readonly sourceIp: string;
  /** The client's `User-Agent` header. */
  readonly userAgent: string | null;
}

/**
 * `requestContext` of a WebSocket event ("WebSocket API mapping template reference",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html).
 */
export interface WebSocketRequestContext {
  /** `$connect`, `$disconnect`, `$default` or a custom route key. */
  readonly routeKey: string;
  /** `CONNECT`, `MESSAGE` or `DISCONNECT`. */
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  /** A server-side id of the message; null except on `MESSAGE`. */
  readonly messageId: string | null;
  /** Same as `requestId`. */
  readonly extendedRequestId: string;
  /** The id of this API call. */
  readonly requestId: string;
  /** CLF-formatted request time (`dd/MMM/yyyy:HH:mm:ss +0000`). */
  readonly requestTime: string;
  /** Epoch milliseconds of the request. */
  readonly requestTimeEpoch: number;
  /** Always `IN`. */
  readonly messageDirection: 'IN';
  /** The stage. */
  readonly stage: string;
  /** Epoch milliseconds of the connection. */
  readonly connectedAt: number;
  /** The domain to build the callback URL from: `https://<domainName>/<stage>` on AWS. */
  readonly domainName: string;
  /** The connection id, for `@connections` calls. */
  readonly connectionId: string;
  /** The API id. */
  readonly apiId: string;
  /**
   * The caller. Always set by this gateway; optional in the type so that handlers typed with `@types/aws-lambda`'s
   * `APIGatewayProxyWebsocketEventV2` fit `RouteHandler`.
   */
  readonly identity?: WebSocketIdentity;
  /** The authorizer's `context`, values stringified, plus its `principalId`; absent without an authorizer. */
  readonly authorizer?: Readonly<Record<string, string>>;
  /** On `DISCONNECT`: the close code. */
  readonly disconnectStatusCode?: number | null;
  /** On `DISCONNECT`: the close reason. */
  readonly disconnectReason?: string | null;
}

/** The Lambda proxy event of a WebSocket route. */
export interface WebSocketRouteEvent {
  /** The request context. */
  readonly requestContext: WebSocketRequestContext;
  /** On `MESSAGE`: the message, base64 when it was a binary frame. */
  readonly body?: string;
  /** Whether `body` is base64 (binary message). */
  readonly isBase64Encoded: boolean;
  /** On `CONNECT`: the handshake's headers (last value of each). */
  readonly headers?: Readonly<Record<string, string>>;
  /** On `CONNECT`: the handshake's headers (every value). */
  readonly multiValueHeaders?: Readonly<Record<string, string[]>>;
  /** On `CONNECT`: the query string (last value of each). */
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  /** On `CONNECT`: the query string (every value). */
  readonly multiValueQueryStringParameters?: Readonly<Record<string, string[]>>;
}

/**
 * What API Gateway sends a REQUEST authorizer on `$connect` (the input example of "Control access to WebSocket APIs with
 * AWS Lambda REQUEST authorizers", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
 */
export interface WebSocketConnectAuthorizerEvent {
  /** Always `REQUEST`. */
  readonly type: 'REQUEST';
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`. */
  readonly methodArn: string;
  /** The handshake's headers (last value of each). */
  readonly headers: Readonly<Record<string, string>>;
  /** The handshake's headers (every value). */
  readonly multiValueHeaders: Readonly<Record<string, string[]>>;
  /** The query string (last value of each). */
  readonly queryStringParameters: Readonly<Record<string, string>>;
  /** The query string (every value). */
  readonly multiValueQueryStringParameters: Readonly<Record<string, string[]>>;
  /** Stage variables (none locally). */
  readonly stageVariables: Readonly<Record<string, string>>;
  /** The `$connect` request context, without `authorizer`. */
  readonly requestContext: WebSocketRequestContext;
}

/**
 * A Lambda handler as its module exports it. Declared as a method so its event parameter is checked bivariantly: a handler
 * typed with `@types/aws-lambda`'s event types fits as well as one typed with the types here.
 */
export type LambdaHandler<E, R> = { handle(event: E, context: Context, callback: Callback<R>): void | Promise<R> }['handle'];

/** A route's handler: the real handler module's `handler`. A `statusCode` outside 2xx from `$connect` refuses the connection. */
export type RouteHandler = LambdaHandler<WebSocketRouteEvent, unknown>;

/** The `$connect` authorizer's handler: an IAM policy back, or `Error('Unauthorized')` thrown. */
export type AuthorizerHandler = LambdaHandler<WebSocketConnectAuthorizerEvent, APIGatewayAuthorizerResult>;
