import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult, Context } from 'aws-lambda';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { authorizerContextOf, identityValue, isSupportedIdentitySource } from './authorizer-policy';
import { CLOSE_GOING_AWAY, CLOSE_MESSAGE_TOO_BIG, closeConnection, type Connection } from './connection';
import { answer, answerConnectionsRequest, type ConnectionsApiTarget } from './connections-api';
import { WebSocketFrameScanner } from './frame-scanner';
import { type Handshake, handshakeOf, Refusal, refuseUpgrade } from './handshake';
import { IntegrationTimeout, invoke, lambdaContext, withTimeout } from './lambda-invocation';
import { newId, type RequestContextConnection, requestContextOf } from './request-context';
import { selectRoute } from './route-selection';
import { subprotocolOf } from './subprotocol';
import type {
  AuthorizerHandler, RouteHandler, WebSocketConnectAuthorizerEvent, WebSocketIdentity, WebSocketRequestContext, WebSocketRouteEvent,
} from './websocket-events';
import {
  FRAME_SIZE_LIMIT_BYTES, IDLE_TIMEOUT_MS, INTEGRATION_TIMEOUT_MS, MAX_CONNECTION_DURATION_MS, MESSAGE_PAYLOAD_LIMIT_BYTES,
} from './websocket-quotas';

/*
 * A local stand-in for an API Gateway WebSocket API: the authorizer on `$connect`, route selection, the frame and message
 * limits, the idle and duration limits, and the `@connections` management API, with the tenant's real handler modules
 * invoked in-process. Each behaviour cites the AWS page it follows; where AWS documents no detail, the comment says what is
 * assumed. The pieces, one file each: the quotas (`websocket-quotas.ts`), the events (`websocket-events.ts`), the
 * handshake (`handshake.ts`), the authorizer's identity sources and policy (`authorizer-policy.ts`), the Lambda invocation
 * (`lambda-invocation.ts`), the request context (`request-context.ts`), route selection (`route-selection.ts`), the frame
 * scanner (`frame-scanner.ts`), a connection and its close codes (`connection.ts`) and the `@connections` API
 * (`connections-api.ts`).
 */

/** Properties of the local WebSocket gateway. */
export interface WebSocketGatewayProps {
  /** Route key to handler: `$connect`, `$disconnect`, `$default` and custom keys matched by `routeSelectionExpression`. */
  readonly routes: Readonly<Record<string, RouteHandler>>;
  /**
   * The REQUEST authorizer of `$connect`.
   *
   * @default - none: every handshake reaches `$connect`
   */
  readonly authorizer?: AuthorizerHandler;
  /**
   * The authorizer's identity sources (`route.request.header.<name>`, `route.request.querystring.<name>`): when one is
   * missing or empty, API Gateway answers 401 without calling the authorizer (CreateAuthorizer's `IdentitySource`,
   * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html).
   *
   * @default [] (the authorizer is always called)
   */
  readonly identitySource?: readonly string[];
  /**
   * The API's route selection expression: `$request.body.<path>` or `${request.body.<path>}` with static text.
   *
   * @default '$request.body.action'
   */
  readonly routeSelectionExpression?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 10 random lowercase letters and digits */
  readonly apiId?: string;
  /** @default 'local' */
  readonly stage?: string;
  /**
   * The largest inbound message (every frame of it): a larger one closes the connection with 1009. Also the largest
   * `PostToConnection` payload (413 above it).
   *
   * @default MESSAGE_PAYLOAD_LIMIT_BYTES (128 KB, API Gateway's quota)
   */
  readonly messagePayloadLimitBytes?: number;
  /**
   * The largest inbound frame: a larger one closes the connection with 1009. `@connections` messages go out in frames of
   * at most this.
   *
   * @default FRAME_SIZE_LIMIT_BYTES (32 KB, API Gateway's quota)
   */
  readonly frameSizeLimitBytes?: number;
  /**
   * Closes a connection that sent nothing for this long.
   *
   * @default IDLE_TIMEOUT_MS (10 minutes)
   */
  readonly idleTimeoutMs?: number;
  /**
   * Closes every connection this long after it opened.
   *
   * @default MAX_CONNECTION_DURATION_MS (2 hours)
   */
  readonly maxConnectionDurationMs?: number;
  /**
   * How long API Gateway waits for a route's handler; the handler keeps running after it.
   *
   * @default INTEGRATION_TIMEOUT_MS (29 s)
   */
  readonly integrationTimeoutMs?: number;
  /**
   * The Lambda timeout the handlers see through `context.getRemainingTimeInMillis()`.
   *
   * @default 30_000
   */
  readonly functionTimeoutMs?: number;
  /**
   * The loopback port.
   *
   * @default 0 (a free port)
   */
  readonly port?: number;
}

/** A running local gateway. */
export interface WebSocketGateway {
  /** `ws://127.0.0.1:<port>/<stage>`: where clients connect. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/<stage>`: the `endpoint` of an `ApiGatewayManagementApiClient`. */
  readonly managementEndpoint: string;
  /** `127.0.0.1:<port>`: `requestContext.domainName`. */
  readonly domainName: string;
  /** The API id. */
  readonly apiId: string;
  /** The stage. */
  readonly stage: string;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`. */
  readonly connectMethodArn: string;
  /** The message payload limit in effect, in bytes (`messagePayloadLimitBytes`). */
  readonly messagePayloadLimitBytes: number;
  /** The frame size limit in effect, in bytes (`frameSizeLimitBytes`). */
  readonly frameSizeLimitBytes: number;
  /** Ids of the open connections. */
  connectionIds(): string[];
  /** Closes every connection (1001), waits for their `$disconnect`, and stops listening. */
  close(): Promise<void>;
}


/** A positive whole number of bytes, or a clear error naming the prop. */
function byteLimit(name: string, value: number | undefined, fallback: number): number {
  const limit = value ?? fallback;
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new Error(`${name} must be a positive whole number of bytes, not ${String(value)}`);
  return limit;
}

function statusCodeOf(result: unknown): number {
  const statusCode = (result as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : 200;
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

class LocalWebSocketGateway implements WebSocketGateway {
  public readonly apiId: string;
  public readonly stage: string;
  public readonly messagePayloadLimitBytes: number;
  public readonly frameSizeLimitBytes: number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly routeSelectionExpression: string;
  private readonly routeKeys: ReadonlySet<string>;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  private readonly disconnects = new Set<Promise<unknown>>();
  /** The subprotocol each admitted handshake's `$connect` answered with (`subprotocol.ts`). */
  private readonly subprotocols = new WeakMap<IncomingMessage, string>();

  constructor(private readonly props: WebSocketGatewayProps) {
    this.region = props.region ?? 'us-east-1';
    this.accountId = props.accountId ?? '123456789012';
    this.apiId = props.apiId ?? Array.from(randomBytes(10), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    this.stage = props.stage ?? 'local';
    this.routeSelectionExpression = props.routeSelectionExpression ?? '$request.body.action';
    this.routeKeys = new Set(Object.entries(props.routes).filter(([, handler]) => typeof handler === 'function').map(([key]) => key));
    this.messagePayloadLimitBytes = byteLimit('messagePayloadLimitBytes', props.messagePayloadLimitBytes, MESSAGE_PAYLOAD_LIMIT_BYTES);
    this.frameSizeLimitBytes = byteLimit('frameSizeLimitBytes', props.frameSizeLimitBytes, FRAME_SIZE_LIMIT_BYTES);
    const unsupported = (props.identitySource ?? []).filter((source) => !isSupportedIdentitySource(source));
    if (unsupported.length > 0) throw new Error(`identity sources the local gateway does not support: ${unsupported.join(', ')}`);
    // ws enforces the message quota itself (maxPayload counts every fragment of a message) and closes with 1009.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.messagePayloadLimitBytes,
      clientTracking: false,
      perMessageDeflate: false,
      // The $connect integration's choice, never ws's default (the first offered): API Gateway chooses none itself.
      handleProtocols: (_offered, request) => this.subprotocols.get(request) ?? false,
    });
    this.server = createServer((req, res) => {
      answerConnectionsRequest(this.connectionsApi, req, res)
        .catch(() => answer(res, 500, { message: 'Internal server error' }, 'InternalServerErrorException'));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      this.admit(req, socket, head).catch((error: unknown) => {
        if (error instanceof Refusal) refuseUpgrade(socket, error.statusCode, error.message);
        else refuseUpgrade(socket, 500, 'Internal server error');
      });
    });
  }

  public get domainName(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public get url(): string {
    return `ws://${this.domainName}/${this.stage}`;
  }

  public get managementEndpoint(): string {
    return `http://${this.domainName}/${this.stage}`;
  }

  public get connectMethodArn(): string {
    return `arn:aws:execute-api:${this.region}:${this.accountId}:${this.apiId}/${this.stage}/$connect`;
  }

  public async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  public connectionIds(): string[] {
    return [...this.connections.keys()];
  }

  public async close(): Promise<void> {
    const open = [...this.connections.values()];
    await Promise.all(open.map((connection) => closeConnection(connection, CLOSE_GOING_AWAY, 'Going away', 1000)));
    await Promise.allSettled([...this.disconnects]);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private get connectionsApi(): ConnectionsApiTarget {
    return {
      stage: this.stage,
      messagePayloadLimitBytes: this.messagePayloadLimitBytes,
      frameSizeLimitBytes: this.frameSizeLimitBytes,
      connection: (connectionId: string) => this.connections.get(connectionId),
    };
  }

  private get integrationTimeoutMs(): number {
    return this.props.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  }

  private lambdaContext(route: string): Context {
    return lambdaContext(route, { region: this.region, accountId: this.accountId, functionTimeoutMs: this.props.functionTimeoutMs ?? 30_000 });
  }

  private requestContext(connection: RequestContextConnection, eventType: WebSocketRequestContext['eventType'], routeKey: string): WebSocketRequestContext {
    return requestContextOf(this, connection, eventType, routeKey);
  }

  /**
   * The handshake: the authorizer, then `$connect`; the upgrade completes only when both let it ("Until execution of the
   * integration associated with the $connect route is completed, the upgrade request is pending", "If authorization fails
   * on $connect, the connection will not be established, and the client will receive a 401 or 403 response":
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html).
   */
  private async admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== `/${this.stage}`) throw new Refusal(403, 'Forbidden');
    const handshake = handshakeOf(req, url);
    // API Gateway adds the X-Forwarded-* headers (the authorizer page's input example shows them).
    const forwarded: Record<string, string> = {
      'X-Forwarded-For': req.socket.remoteAddress ?? '127.0.0.1',
      'X-Forwarded-Port': String(req.socket.localPort),
      'X-Forwarded-Proto': 'http',
    };
    const withForwarded: Handshake = {
      ...handshake,
      headers: { ...handshake.headers, ...forwarded },
      multiValueHeaders: { ...handshake.multiValueHeaders, ...Object.fromEntries(Object.entries(forwarded).map(([name, value]) => [name, [value]])) },
    };
    const pending = {
      id: newId(),
      connectedAt: Date.now(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null },
    };
    const authorizer = await this.authorize(pending, withForwarded);
    const connecting = { ...pending, ...(authorizer ? { authorizer } : {}) };

    const onConnect = this.props.routes.$connect;
    if (onConnect) {
      const event: WebSocketRouteEvent = { requestContext: this.requestContext(connecting, 'CONNECT', '$connect'), isBase64Encoded: false, ...withForwarded };
      let statusCode: number;
      try {
        const result = await withTimeout(invoke(onConnect, event, this.lambdaContext('$connect')), this.integrationTimeoutMs);
        statusCode = statusCodeOf(result);
        const subprotocol = subprotocolOf(result);
        if (subprotocol) this.subprotocols.set(req, subprotocol);
      } catch (error) {
        // A handler error or timeout is not documented for $connect; 502 and 504 are what API Gateway answers for them elsewhere.
        throw error instanceof IntegrationTimeout ? new Refusal(504, 'Endpoint request timed out') : new Refusal(502, 'Internal server error');
      }
      // A status outside 2xx from $connect refuses the handshake with that status (observed:
      // https://github.com/dherault/serverless-offline/pull/1301); the body is not passed on.
      if (statusCode < 200 || statusCode > 299) throw new Refusal(statusCode, STATUS_CODES[statusCode] ?? 'Refused');
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, socket, connecting));
  }

  /**
   * Runs the REQUEST authorizer. A missing identity source: 401 without calling it. `Error('Unauthorized')` thrown: 401
   * (the authorizer page's example: "If you attempt to connect without a valid identity value, you'll receive a 401
   * response"). A policy that does not allow `$connect`: 403. Any other error: 500.
   */
  private async authorize(
    pending: { id: string; connectedAt: number; identity: WebSocketIdentity },
    handshake: Handshake,
  ): Promise<Record<string, string> | undefined> {
    const authorizer = this.props.authorizer;
    if (!authorizer) return undefined;
    if ((this.props.identitySource ?? []).some((source) => !identityValue(source, handshake))) throw new Refusal(401, 'Unauthorized');
    const event: WebSocketConnectAuthorizerEvent = {
      type: 'REQUEST',
      methodArn: this.connectMethodArn,
      ...handshake,
      stageVariables: {},
      requestContext: this.requestContext(pending, 'CONNECT', '$connect'),
    };
    let result: APIGatewayAuthorizerResult | undefined;
    try {
      result = await invoke(authorizer, event, this.lambdaContext('authorizer'));
    } catch (error) {
      throw error instanceof Error && error.message === 'Unauthorized' ? new Refusal(401, 'Unauthorized') : new Refusal(500, 'Internal server error');
    }
    return authorizerContextOf(result, this.connectMethodArn);
  }

  private open(ws: WebSocket, socket: Duplex, admitted: Omit<Connection, 'socket' | 'lastActiveAt' | 'timers' | 'closing'>): void {
    const connection: Connection = { ...admitted, socket: ws, lastActiveAt: admitted.connectedAt, timers: [], closing: false };
    this.connections.set(connection.id, connection);
    const expire = () => closeConnection(connection, CLOSE_GOING_AWAY, 'Going away');
    const idle = setTimeout(expire, this.props.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
    connection.timers.push(idle, setTimeout(expire, this.props.maxConnectionDurationMs ?? MAX_CONNECTION_DURATION_MS));
    // Frame limit: read the frame headers before ws does, close with 1009 on a frame over the limit, drop what follows.
    const scanner = new WebSocketFrameScanner((frame) => {
      if (frame.opcode < 8 && frame.payloadLength > this.frameSizeLimitBytes && !connection.closing) {
        void closeConnection(connection, CLOSE_MESSAGE_TOO_BIG, 'Frame size limit exceeded');
      }
    });
    socket.prependListener('data', (chunk: Buffer) => scanner.push(chunk));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (connection.closing) return;
      connection.lastActiveAt = Date.now();
      idle.refresh();
      void this.route(connection, rawToBuffer(data), isBinary);
    });
    // ws reports a message over maxPayload as an error after sending the 1009 close frame; the close event follows.
    ws.on('error', () => { connection.closing = true; });
    ws.on('close', (code: number, reason: Buffer) => this.closed(connection, code, reason.toString()));
  }

  /** `$disconnect` after the close, best effort ("API Gateway will try its best to deliver the $disconnect event"). */
  private closed(connection: Connection, code: number, reason: string): void {
    connection.closing = true;
    connection.timers.forEach(clearTimeout);
    this.connections.delete(connection.id);
    const onDisconnect = this.props.routes.$disconnect;
    if (!onDisconnect) return;
    const event: WebSocketRouteEvent = {
      requestContext: { ...this.requestContext(connection, 'DISCONNECT', '$disconnect'), disconnectStatusCode: code, disconnectReason: reason },
      isBase64Encoded: false,
    };
    const run = invoke(onDisconnect, event, this.lambdaContext('$disconnect')).catch(() => undefined);
    this.disconnects.add(run);
    void run.finally(() => this.disconnects.delete(run));
  }

  /**
   * A message to its route's handler (`route-selection.ts`), each message its own invocation (concurrent, like Lambda).
   * Without a matching route and without `$default` the service "returns an error": `{"message": "Forbidden",
   * "connectionId": ..., "requestId": ...}` (observed, https://github.com/aws-samples/simple-websockets-chat-app/issues/24).
   * A handler that throws makes API Gateway send `{"message": "Internal server error", ...}`; one that outlasts the 29 s
   * integration timeout, `{"message": "Endpoint request timed out", ...}` while it keeps running (both observed shapes, not
   * documented).
   */
  private async route(connection: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    const text = isBinary ? undefined : data.toString('utf8');
    const routeKey = selectRoute(this.routeSelectionExpression, this.routeKeys, text);
    const requestContext = this.requestContext(connection, 'MESSAGE', routeKey ?? '$default');
    const sendError = (message: string) => {
      if (!connection.closing) connection.socket.send(JSON.stringify({ message, connectionId: connection.id, requestId: requestContext.requestId }));
    };
    if (!routeKey) return sendError('Forbidden');
    const event: WebSocketRouteEvent = {
      requestContext,
      body: isBinary ? data.toString('base64') : text,
      isBase64Encoded: isBinary,
    };
    try {
      await withTimeout(invoke(this.props.routes[routeKey], event, this.lambdaContext(routeKey)), this.integrationTimeoutMs);
    } catch (error) {
      sendError(error instanceof IntegrationTimeout ? 'Endpoint request timed out' : 'Internal server error');
    }
  }
}

/** Starts a local WebSocket gateway on 127.0.0.1 (one port for WebSocket clients and the `@connections` API). */
export async function start(props: WebSocketGatewayProps): Promise<WebSocketGateway> {
  const gateway = new LocalWebSocketGateway(props);
  await gateway.listen(props.port ?? 0);
  return gateway;
}
