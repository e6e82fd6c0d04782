import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult, Callback, Context } from 'aws-lambda';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { readBody } from '../http/http-body';

/*
 * A local stand-in for an API Gateway WebSocket API: the authorizer on `$connect`, route selection, the frame and message
 * limits, the idle and duration limits, and the `@connections` management API, with the tenant's real handler modules
 * invoked in-process. Each behaviour cites the AWS page it follows; where AWS documents no detail, the comment says what is
 * assumed. Quotas: "Quotas for configuring and running a WebSocket in API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */

/** Message payload size quota (128 KB, not adjustable); a larger inbound message closes the connection with 1009. */
export const MESSAGE_PAYLOAD_LIMIT_BYTES = 128 * 1024;
/** WebSocket frame size quota (32 KB, not adjustable); a larger inbound frame closes the connection with 1009. */
export const FRAME_SIZE_LIMIT_BYTES = 32 * 1024;
/** Idle connection timeout quota: 10 minutes. */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Connection duration quota: 2 hours. */
export const MAX_CONNECTION_DURATION_MS = 2 * 60 * 60 * 1000;
/** Integration timeout quota: 29 seconds. */
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** Lambda authorizer result size quota: 8 KB. */
export const AUTHORIZER_RESULT_LIMIT_BYTES = 8 * 1024;

/**
 * "If a larger message (or larger frame size) is received, the connection is closed with code 1009": the footnote of the
 * quota table above. 1009 is "Message Too Big" (RFC 6455, 7.4.1).
 */
const CLOSE_MESSAGE_TOO_BIG = 1009;
/** Closing by `DeleteConnection`: API Gateway reports `disconnectStatusCode` 1000 (observed, https://github.com/boto/boto3/issues/3789). */
const CLOSE_NORMAL = 1000;
/** Closing at the idle or duration limit, or when the gateway stops. The code API Gateway uses is not documented; 1001 assumed. */
const CLOSE_GOING_AWAY = 1001;

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
type LambdaHandler<E, R> = { handle(event: E, context: Context, callback: Callback<R>): void | Promise<R> }['handle'];

/** A route's handler: the real handler module's `handler`. A `statusCode` outside 2xx from `$connect` refuses the connection. */
export type RouteHandler = LambdaHandler<WebSocketRouteEvent, unknown>;

/** The `$connect` authorizer's handler: an IAM policy back, or `Error('Unauthorized')` thrown. */
export type AuthorizerHandler = LambdaHandler<WebSocketConnectAuthorizerEvent, APIGatewayAuthorizerResult>;

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
  /** Ids of the open connections. */
  connectionIds(): string[];
  /** Closes every connection (1001), waits for their `$disconnect`, and stops listening. */
  close(): Promise<void>;
}

/** One header of a WebSocket frame. */
export interface WebSocketFrameHeader {
  /** Whether this is the last frame of its message. */
  readonly fin: boolean;
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  /** Payload length in bytes. */
  readonly payloadLength: number;
}

/**
 * Reads the frame headers out of a WebSocket byte stream (RFC 6455, 5.2), skipping payloads, and reports each frame. The
 * `ws` library enforces only a message size; API Gateway also limits each frame, so the gateway watches the raw socket.
 */
export class WebSocketFrameScanner {
  private pending: Buffer = Buffer.alloc(0);
  private skip = 0;

  constructor(private readonly onFrame: (frame: WebSocketFrameHeader) => void) {}

  /** Feeds the next bytes of the stream. */
  public push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, rest.length);
        this.skip -= skipped;
        rest = rest.subarray(skipped);
        continue;
      }
      this.pending = Buffer.concat([this.pending, rest]);
      rest = Buffer.alloc(0);
      const header = parseFrameHeader(this.pending);
      if (!header) return;
      this.onFrame(header.frame);
      rest = this.pending.subarray(header.length);
      this.pending = Buffer.alloc(0);
      this.skip = header.frame.payloadLength;
    }
  }
}

function parseFrameHeader(bytes: Buffer): { frame: WebSocketFrameHeader; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  const masked = bytes[1] >= 128;
  const shortLength = bytes[1] % 128;
  const extended = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0;
  const length = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < length) return undefined;
  const payloadLength = extended === 2 ? bytes.readUInt16BE(2) : extended === 8 ? Number(bytes.readBigUInt64BE(2)) : shortLength;
  return { frame: { fin: bytes[0] >= 128, opcode: bytes[0] % 16, payloadLength }, length };
}

/** An open connection. */
interface Connection {
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

/** The handshake as the events carry it. */
interface Handshake {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string>;
  readonly multiValueQueryStringParameters: Record<string, string[]>;
}

class IntegrationTimeout extends Error {}

/** The connection refused at the handshake with this status (and `{"message": ...}`). */
class Refusal extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id shaped like API Gateway's connection and request ids (`R0oXAdfD0kwCH6w=`); the `=` makes callers URL-encode it. */
function newId(): string {
  return `${Array.from(randomBytes(15), (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}=`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Invokes a handler as the Lambda Node.js runtime does: an async result, or the callback. */
function invoke<E, R>(handler: LambdaHandler<E, R>, event: E, context: Context): Promise<R | undefined> {
  return new Promise<R | undefined>((resolve, reject) => {
    const callback: Callback<R> = (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result));
    try {
      const returned: unknown = handler(event, context, callback);
      if (isThenable(returned)) returned.then((value) => resolve(value as R), reject);
    } catch (error) {
      reject(error);
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout('Endpoint request timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function handshakeOf(req: IncomingMessage, url: URL): Handshake {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters };
}

const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.(.+)$/;

/** The value an identity source names (`route.request.header.<name>` in any case, `route.request.querystring.<name>`). */
function identityValue(source: string, handshake: Handshake): string | undefined {
  const [, kind, name] = IDENTITY_SOURCE.exec(source) ?? [];
  if (kind === 'querystring') return handshake.queryStringParameters[name];
  return Object.entries(handshake.headers).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1];
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`).test(value);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Whether the authorizer's policy allows `execute-api:Invoke` on the method ARN: an explicit Deny wins, an Allow is
 * needed. Only `Action` and `Resource` are read; a statement with `NotAction`, `NotResource` or `Condition` matches
 * nothing here, so a policy that relies on them is refused (fails closed).
 */
function policyAllows(policyDocument: unknown, methodArn: string): boolean {
  const statements = (policyDocument as { Statement?: unknown } | undefined)?.Statement;
  const list = (Array.isArray(statements) ? statements : [statements]).filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  const matching = list.filter((s) => !('Condition' in s)
    && asList(s.Action).some((a) => ['*', 'execute-api:*', 'execute-api:invoke'].includes(a.toLowerCase()))
    && asList(s.Resource).some((r) => globMatches(r, methodArn)));
  if (matching.some((s) => s.Effect === 'Deny')) return false;
  return matching.some((s) => s.Effect === 'Allow');
}

/**
 * The authorizer result as `requestContext.authorizer`: the `context` values stringified ("The returned values are all
 * stringified", "Output from an API Gateway Lambda authorizer",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html), plus
 * `principalId`. A context value that is an object or array, or a result over the 8 KB quota, is an authorizer
 * configuration error: 500 (the status is assumed; AWS documents only that such values are not valid).
 */
function authorizerContextOf(result: APIGatewayAuthorizerResult | undefined, methodArn: string): Record<string, string> {
  if (!result || typeof result !== 'object') throw new Refusal(500, 'Internal server error');
  if (Buffer.byteLength(JSON.stringify(result)) > AUTHORIZER_RESULT_LIMIT_BYTES) throw new Refusal(500, 'Internal server error');
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.context ?? {})) {
    if (value === null || value === undefined) continue;
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Refusal(500, 'Internal server error');
    context[key] = String(value);
  }
  if (!policyAllows(result.policyDocument, methodArn)) throw new Refusal(403, 'Forbidden');
  return { ...context, principalId: String(result.principalId) };
}

function statusCodeOf(result: unknown): number {
  const statusCode = (result as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : 200;
}

function refuseUpgrade(socket: Duplex, statusCode: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Answers a management API call the way the SDK's restJson1 protocol reads it: the error type in `x-amzn-ErrorType`. */
function answer(res: ServerResponse, statusCode: number, body?: unknown, errorType?: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

class LocalWebSocketGateway implements WebSocketGateway {
  public readonly apiId: string;
  public readonly stage: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly routeSelectionExpression: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  private readonly disconnects = new Set<Promise<unknown>>();

  constructor(private readonly props: WebSocketGatewayProps) {
    this.region = props.region ?? 'us-east-1';
    this.accountId = props.accountId ?? '123456789012';
    this.apiId = props.apiId ?? Array.from(randomBytes(10), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    this.stage = props.stage ?? 'local';
    this.routeSelectionExpression = props.routeSelectionExpression ?? '$request.body.action';
    const unsupported = (props.identitySource ?? []).filter((source) => !IDENTITY_SOURCE.test(source));
    if (unsupported.length > 0) throw new Error(`identity sources the local gateway does not support: ${unsupported.join(', ')}`);
    // ws enforces the 128 KB message quota itself (maxPayload counts every fragment of a message) and closes with 1009.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MESSAGE_PAYLOAD_LIMIT_BYTES, clientTracking: false, perMessageDeflate: false });
    this.server = createServer((req, res) => {
      this.manage(req, res).catch(() => answer(res, 500, { message: 'Internal server error' }, 'InternalServerErrorException'));
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
    await Promise.all(open.map((connection) => this.disconnect(connection, CLOSE_GOING_AWAY, 'Going away', 1000)));
    await Promise.allSettled([...this.disconnects]);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private lambdaContext(route: string): Context {
    const timeoutMs = this.props.functionTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const functionName = `support-chat-local-${route.replace(/^\$/, '')}`;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }

  private requestContext(
    connection: { id: string; connectedAt: number; identity: WebSocketIdentity; authorizer?: Record<string, string> },
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
      stage: this.stage,
      connectedAt: connection.connectedAt,
      domainName: this.domainName,
      connectionId: connection.id,
      apiId: this.apiId,
      identity: connection.identity,
      ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
    };
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
        statusCode = statusCodeOf(await withTimeout(invoke(onConnect, event, this.lambdaContext('$connect')), this.integrationTimeoutMs));
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

  private get integrationTimeoutMs(): number {
    return this.props.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
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
    const expire = () => this.disconnect(connection, CLOSE_GOING_AWAY, 'Going away');
    const idle = setTimeout(expire, this.props.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
    connection.timers.push(idle, setTimeout(expire, this.props.maxConnectionDurationMs ?? MAX_CONNECTION_DURATION_MS));
    // Frame limit: read the frame headers before ws does, close with 1009 on a frame over 32 KB, drop what follows.
    const scanner = new WebSocketFrameScanner((frame) => {
      if (frame.opcode < 8 && frame.payloadLength > FRAME_SIZE_LIMIT_BYTES && !connection.closing) {
        void this.disconnect(connection, CLOSE_MESSAGE_TOO_BIG, 'Frame size limit exceeded');
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

  /** Starts closing a connection; resolves when it is closed (or, after `forceAfterMs`, cut). */
  private async disconnect(connection: Connection, code: number, reason: string, forceAfterMs?: number): Promise<void> {
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
   * Route selection ("Create routes for WebSocket APIs in API Gateway",
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html): the expression is
   * evaluated against the JSON message, a path not found resolves to ""; the route whose key matches exactly is chosen, else
   * `$default`; a non-JSON (or binary) message goes to `$default`. Without a match and without `$default` the service
   * "returns an error": `{"message": "Forbidden", "connectionId": ..., "requestId": ...}` (observed,
   * https://github.com/aws-samples/simple-websockets-chat-app/issues/24).
   */
  private selectRoute(text: string | undefined): string | undefined {
    let key: string | undefined;
    if (text !== undefined) {
      try {
        const body: unknown = JSON.parse(text);
        key = this.routeSelectionExpression.replace(/\$\{request\.body\.([^}]+)\}|\$request\.body\.([A-Za-z0-9_.]+)/g, (_, wrapped?: string, bare?: string) => {
          const value = String(wrapped ?? bare).split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], body);
          if (value === undefined || value === null) return '';
          return typeof value === 'string' ? value : JSON.stringify(value);
        });
      } catch {
        key = undefined;
      }
    }
    if (key && !key.startsWith('$') && this.props.routes[key]) return key;
    return this.props.routes.$default ? '$default' : undefined;
  }

  /**
   * A message to its route's handler, each message its own invocation (concurrent, like Lambda). A handler that throws
   * makes API Gateway send `{"message": "Internal server error", ...}`; one that outlasts the 29 s integration timeout,
   * `{"message": "Endpoint request timed out", ...}` while it keeps running (both observed shapes, not documented).
   */
  private async route(connection: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    const text = isBinary ? undefined : data.toString('utf8');
    const routeKey = this.selectRoute(text);
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

  /**
   * The `@connections` management API ("Use @connections commands in your backend service",
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html):
   * `POST|GET|DELETE /<stage>/@connections/<connectionId>`, answered as the `ApiGatewayManagementApiClient` reads them.
   * Requests must be SigV4-signed on AWS; here an `Authorization: AWS4-HMAC-SHA256 ...` header must be present (the
   * signature is not checked). An unknown or closed connection: 410 `GoneException`.
   */
  private async manage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const segments = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').map((s) => decodeURIComponent(s));
    const [, stage, resource, connectionId, ...extra] = segments;
    if (stage !== this.stage || resource !== '@connections' || !connectionId || extra.length > 0) {
      return answer(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
    }
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      return answer(res, 403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
    }
    const body = await readBody(req);
    const connection = this.connections.get(connectionId);
    const open = connection && !connection.closing && connection.socket.readyState === connection.socket.OPEN;
    switch (req.method) {
      case 'POST':
        // PostToConnection's payload is limited to the 128 KB message quota: 413 PayloadTooLargeException.
        if (body.length > MESSAGE_PAYLOAD_LIMIT_BYTES) {
          return answer(res, 413, { message: `Message too long: ${body.length} bytes, quota ${MESSAGE_PAYLOAD_LIMIT_BYTES}` }, 'PayloadTooLargeException');
        }
        if (!open) return answer(res, 410, {}, 'GoneException');
        await sendInFrames(connection.socket, body);
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
        void this.disconnect(connection, CLOSE_NORMAL, '');
        return answer(res, 204);
      default:
        return answer(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
    }
  }
}

/**
 * Sends one text message in frames of at most 32 KB: "messages larger than 32 KB must be split into multiple frames, each
 * 32 KB or smaller. This applies to @connections commands" (the quota table's footnote). Text frames are assumed: AWS does
 * not say which opcode PostToConnection data is sent with.
 */
function sendInFrames(ws: WebSocket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let offset = 0;
    do {
      const chunk = data.subarray(offset, offset + FRAME_SIZE_LIMIT_BYTES);
      offset += FRAME_SIZE_LIMIT_BYTES;
      const fin = offset >= data.length;
      ws.send(chunk, { binary: false, fin }, fin ? (error) => (error ? reject(error) : resolve()) : undefined);
    } while (offset < data.length);
  });
}

/** Starts a local WebSocket gateway on 127.0.0.1 (one port for WebSocket clients and the `@connections` API). */
export async function start(props: WebSocketGatewayProps): Promise<WebSocketGateway> {
  const gateway = new LocalWebSocketGateway(props);
  await gateway.listen(props.port ?? 0);
  return gateway;
}
