import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { connect, eventually, refusedStatus, type TestClient, within } from './ws-client';
import type { LocalJwtIssuer } from '../../emulators/token-issuer/jwt-issuer';
import type {
  AuthorizerHandler, RouteHandler, WebSocketConnectAuthorizerEvent, WebSocketRouteEvent,
} from '../../emulators/websocket-gateway/websocket-events';
import { start, type WebSocketGateway } from '../../emulators/websocket-gateway/websocket-gateway';
import { FRAME_SIZE_LIMIT_BYTES, MESSAGE_PAYLOAD_LIMIT_BYTES } from '../../emulators/websocket-gateway/websocket-quotas';
import { handler as authorizerHandler } from '../../workloads/support-chat/chat/handlers/authorizer';
import { useAuthorizerIssuer } from '../workloads/support-chat/support/authorizer-issuer';

let issuer: LocalJwtIssuer;

/** What the routes of one gateway saw. */
interface Recorded {
  readonly authorizer: WebSocketConnectAuthorizerEvent[];
  readonly routes: Array<{ route: string; event: WebSocketRouteEvent }>;
}

function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** A route handler that records its event, and a management client built from the event as a real handler builds it. */
function recorder(recorded: Recorded, route: string, then?: (event: WebSocketRouteEvent) => Promise<unknown>): RouteHandler {
  return async (event: WebSocketRouteEvent) => {
    recorded.routes.push({ route, event });
    return then ? then(event) : { statusCode: 200 };
  };
}

function eventsOf(recorded: Recorded, route: string): WebSocketRouteEvent[] {
  return recorded.routes.filter((r) => r.route === route).map((r) => r.event);
}

/** Sends one message as fragments of the given sizes (the ws client frames each `send` with `fin` as given). */
function sendFragments(client: TestClient, sizes: number[]): void {
  sizes.forEach((size, i) => client.ws.send(Buffer.alloc(size, 'a'), { binary: false, fin: i === sizes.length - 1 }));
}

// The real authorizer module, configured as the stack configures it, with the local issuer's JWKS over HTTP.
useAuthorizerIssuer('id', (started) => { issuer = started; });

describe('the local WebSocket gateway (emulating API Gateway): real authorizer, routes posting back through the real management client', () => {
  let gateway: WebSocketGateway;
  let recorded: Recorded;
  let client: ApiGatewayManagementApiClient;
  const token = () => issuer.mintIdToken({ username: 'ana', sub: 'sub-ana', groups: ['customer'] });

  beforeEach(async () => {
    recorded = { authorizer: [], routes: [] };
    const authorizer: AuthorizerHandler = async (event) => {
      recorded.authorizer.push(event);
      return authorizerHandler(event);
    };
    const echo = async (event: WebSocketRouteEvent) => {
      const { text } = JSON.parse(event.body ?? '{}') as { text: string };
      const { domainName, stage, connectionId } = event.requestContext;
      const management = managementClient(`http://${domainName}/${stage}`);
      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: text }));
      management.destroy();
      return { statusCode: 200 };
    };
    gateway = await start({
      region: 'eu-west-1',
      authorizer,
      routes: {
        $connect: recorder(recorded, '$connect', async (event) => ({ statusCode: event.queryStringParameters?.refuse ? 403 : 200 })),
        $disconnect: recorder(recorded, '$disconnect'),
        $default: recorder(recorded, '$default'),
        echo: recorder(recorded, 'echo', echo),
      },
    });
    client = managementClient(gateway.managementEndpoint);
  });

  afterEach(async () => {
    client.destroy();
    await gateway.close();
  });

  test('a client with a token in the query string connects; the authorizer and $connect get the events API Gateway sends', async () => {
    const ws = await connect(`${gateway.url}?token=${token()}`, { 'User-Agent': 'chat-widget/1.0' });
    const [authorizerEvent] = recorded.authorizer;
    expect(authorizerEvent).toMatchObject({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:eu-west-1:123456789012:${gateway.apiId}/local/$connect`,
      queryStringParameters: { token: expect.any(String) },
      multiValueQueryStringParameters: { token: [expect.any(String)] },
      headers: { 'User-Agent': 'chat-widget/1.0', 'Upgrade': 'websocket' },
      multiValueHeaders: { 'User-Agent': ['chat-widget/1.0'] },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', messageId: null, stage: 'local', apiId: gateway.apiId, domainName: gateway.domainName },
    });
    const [connectEvent] = eventsOf(recorded, '$connect');
    const { connectionId } = connectEvent.requestContext;
    expect(authorizerEvent.requestContext.connectionId).toBe(connectionId);
    expect(connectEvent).toMatchObject({
      isBase64Encoded: false,
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        connectionId,
        stage: 'local',
        apiId: gateway.apiId,
        domainName: gateway.domainName,
        identity: { sourceIp: '127.0.0.1', userAgent: 'chat-widget/1.0' },
        authorizer: { principalId: 'sub-ana', sub: 'sub-ana', username: 'ana', groups: 'customer' },
      },
    });
    expect(connectEvent.requestContext.requestId).not.toBe(authorizerEvent.requestContext.requestId);
    expect(gateway.connectionIds()).toEqual([connectionId]);
    ws.ws.close();
  });

  test.each([
    ['no token', () => ''],
    ['an expired token', () => `?token=${issuer.mintIdToken({ username: 'ana', expiresInSeconds: -1 })}`],
    ['a token of another client', () => `?token=${issuer.mintIdToken({ username: 'ana', clientId: 'someotherclient0000000000' })}`],
    ['an access token', () => `?token=${issuer.mintAccessToken({ username: 'ana' })}`],
  ])('the authorizer refuses %s with 401 before any route runs', async (_, query) => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await refusedStatus(`${gateway.url}${query()}`)).toBe(401);
    expect(recorded.authorizer).toHaveLength(1);
    expect(recorded.routes).toEqual([]);
    expect(gateway.connectionIds()).toEqual([]);
  });

  test('a $connect that answers 403 refuses the handshake with 403 and opens nothing', async () => {
    expect(await refusedStatus(`${gateway.url}?refuse=1&token=${token()}`)).toBe(403);
    expect(eventsOf(recorded, '$connect')).toHaveLength(1);
    expect(eventsOf(recorded, '$disconnect')).toEqual([]);
    expect(gateway.connectionIds()).toEqual([]);
  });

  test('a path other than the stage is refused with 403', async () => {
    expect(await refusedStatus(`${gateway.url.replace(/\/local$/, '/prod')}?token=${token()}`)).toBe(403);
    expect(recorded.authorizer).toEqual([]);
  });

  test('messages are routed by $request.body.action, with $default for an unknown action and for non-JSON', async () => {
    const ws = await connect(`${gateway.url}?token=${token()}`);
    ws.ws.send(JSON.stringify({ action: 'echo', text: 'hello' }));
    expect(await ws.nextMessage()).toBe('hello');
    ws.ws.send(JSON.stringify({ action: 'unknown', text: 'x' }));
    ws.ws.send('plain text');
    ws.ws.send(JSON.stringify({ action: '$connect' }));
    const defaults = await eventually(() => (eventsOf(recorded, '$default').length === 3 ? eventsOf(recorded, '$default') : undefined));
    expect(defaults.map((e) => e.body).sort()).toEqual([JSON.stringify({ action: '$connect' }), JSON.stringify({ action: 'unknown', text: 'x' }), 'plain text'].sort());
    const [echo] = eventsOf(recorded, 'echo');
    expect(echo.requestContext).toMatchObject({ routeKey: 'echo', eventType: 'MESSAGE', messageId: expect.any(String), authorizer: { sub: 'sub-ana' } });
    expect(eventsOf(recorded, '$connect')).toHaveLength(1);
    ws.ws.close();
  });

  test('GetConnection answers connectedAt, lastActiveAt and identity; DeleteConnection closes with 1000 and runs $disconnect', async () => {
    const before = Date.now();
    const ws = await connect(`${gateway.url}?token=${token()}`, { 'User-Agent': 'chat-widget/1.0' });
    const [connectionId] = gateway.connectionIds();
    const connection = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(connection.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'chat-widget/1.0' });
    expect(connection.ConnectedAt).toBeInstanceOf(Date);
    expect(connection.ConnectedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(connection.ConnectedAt?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(connection.LastActiveAt?.getTime()).toBe(connection.ConnectedAt?.getTime());
    ws.ws.send('activity');
    await eventually(() => (eventsOf(recorded, '$default').length ? true : undefined));
    const later = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(later.LastActiveAt?.getTime()).toBeGreaterThan(connection.LastActiveAt?.getTime() ?? Infinity);
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await within(ws.closed)).code).toBe(1000);
    const [disconnect] = await eventually(() => (eventsOf(recorded, '$disconnect').length ? eventsOf(recorded, '$disconnect') : undefined));
    expect(disconnect.requestContext).toMatchObject({ connectionId, eventType: 'DISCONNECT', routeKey: '$disconnect', disconnectStatusCode: 1000 });
  });

  test('$disconnect runs when the client closes, with its close code and reason and the authorizer context', async () => {
    const ws = await connect(`${gateway.url}?token=${token()}`);
    const [connectionId] = gateway.connectionIds();
    ws.ws.close(4001, 'bye');
    const [disconnect] = await eventually(() => (eventsOf(recorded, '$disconnect').length ? eventsOf(recorded, '$disconnect') : undefined));
    expect(disconnect.requestContext).toMatchObject({
      connectionId,
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4001,
      disconnectReason: 'bye',
      authorizer: { sub: 'sub-ana', groups: 'customer' },
    });
    expect(gateway.connectionIds()).toEqual([]);
  });

  test('a post to a closed or unknown connection raises GoneException (410) in the SDK', async () => {
    const ws = await connect(`${gateway.url}?token=${token()}`);
    const [connectionId] = gateway.connectionIds();
    ws.ws.close();
    await within(ws.closed);
    await eventually(() => (eventsOf(recorded, '$disconnect').length ? true : undefined));
    for (const id of [connectionId, 'NoSuchConnection=']) {
      const error = await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'late' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    }
    await expect(client.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
  });

  test('an unsigned management call is refused with 403', async () => {
    const ws = await connect(`${gateway.url}?token=${token()}`);
    const [connectionId] = gateway.connectionIds();
    const response = await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    ws.ws.close();
  });

  describe('limits (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html)', () => {
    test('a frame of exactly 32 KB is delivered; a frame of 32 KB + 1 closes the connection with 1009 before any route runs', async () => {
      const ws = await connect(`${gateway.url}?token=${token()}`);
      ws.ws.send('a'.repeat(FRAME_SIZE_LIMIT_BYTES));
      const [delivered] = await eventually(() => (eventsOf(recorded, '$default').length ? eventsOf(recorded, '$default') : undefined));
      expect(delivered.body).toHaveLength(FRAME_SIZE_LIMIT_BYTES);
      ws.ws.send('b'.repeat(FRAME_SIZE_LIMIT_BYTES + 1));
      expect((await within(ws.closed)).code).toBe(1009);
      await eventually(() => (eventsOf(recorded, '$disconnect').length ? true : undefined));
      expect(eventsOf(recorded, '$default')).toHaveLength(1);
      expect(eventsOf(recorded, '$disconnect')[0].requestContext.disconnectStatusCode).toBe(1009);
    });

    test('a message of exactly 128 KB in 32 KB frames is delivered; 128 KB + 1 closes the connection with 1009', async () => {
      const ws = await connect(`${gateway.url}?token=${token()}`);
      sendFragments(ws, [FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES]);
      const [delivered] = await eventually(() => (eventsOf(recorded, '$default').length ? eventsOf(recorded, '$default') : undefined));
      expect(delivered.body).toHaveLength(MESSAGE_PAYLOAD_LIMIT_BYTES);
      sendFragments(ws, [FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES, FRAME_SIZE_LIMIT_BYTES, 1]);
      expect((await within(ws.closed)).code).toBe(1009);
      expect(eventsOf(recorded, '$default')).toHaveLength(1);
    });

    test('PostToConnection sends a 100 KB message as one message in frames of at most 32 KB', async () => {
      const ws = await connect(`${gateway.url}?token=${token()}`);
      const [connectionId] = gateway.connectionIds();
      const data = 'x'.repeat(100 * 1024);
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      expect(await ws.nextMessage()).toBe(data);
      const dataFrames = ws.frames.filter((f) => f.opcode < 8);
      expect(dataFrames.map((f) => f.payloadLength)).toEqual([32768, 32768, 32768, 4096]);
      expect(dataFrames.map((f) => [f.opcode, f.fin])).toEqual([[1, false], [0, false], [0, false], [0, true]]);
      ws.ws.close();
    });

    test('PostToConnection over 128 KB is refused with PayloadTooLargeException (413) and nothing is sent', async () => {
      const ws = await connect(`${gateway.url}?token=${token()}`);
      const [connectionId] = gateway.connectionIds();
      const error = await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(MESSAGE_PAYLOAD_LIMIT_BYTES + 1) }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadTooLargeException);
      expect((error as PayloadTooLargeException).$metadata.httpStatusCode).toBe(413);
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(MESSAGE_PAYLOAD_LIMIT_BYTES) }));
      expect(await ws.nextMessage()).toHaveLength(MESSAGE_PAYLOAD_LIMIT_BYTES);
      ws.ws.close();
    });
  });
});

describe('the local WebSocket gateway (emulating API Gateway): behaviours with stub handlers', () => {
  const gateways: WebSocketGateway[] = [];
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  async function startWith(props: Parameters<typeof start>[0]): Promise<WebSocketGateway> {
    const gateway = await start(props);
    gateways.push(gateway);
    return gateway;
  }

  const allow = (resource: string, context: Record<string, unknown> = {}, effect: 'Allow' | 'Deny' = 'Allow'): APIGatewayAuthorizerResult => ({
    principalId: 'user',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    // Typed loosely on purpose: the gateway must refuse context values the type forbids.
    context: context as APIGatewayAuthorizerResult['context'],
  });

  test('a Deny policy, or an Allow for another route ARN, refuses with 403; a context value that is an object with 500', async () => {
    const cases: Array<[AuthorizerHandler, number]> = [
      [async (e) => allow(e.methodArn, {}, 'Deny'), 403],
      [async (e) => allow(e.methodArn.replace('$connect', '$default')), 403],
      [async (e) => allow(e.methodArn, { nested: { a: 1 } }), 500],
      [async () => { throw new Error('boom'); }, 500],
    ];
    for (const [authorizer, status] of cases) {
      const connects: WebSocketRouteEvent[] = [];
      const gateway = await startWith({ authorizer, routes: { $connect: async (e: WebSocketRouteEvent) => { connects.push(e); } } });
      expect(await refusedStatus(gateway.url)).toBe(status);
      expect(connects).toEqual([]);
    }
  });

  test('an Allow with wildcards connects, and the context reaches the routes stringified', async () => {
    const connects: WebSocketRouteEvent[] = [];
    const gateway = await startWith({
      authorizer: async () => allow('arn:aws:execute-api:*:*:*/local/*', { count: 3, admin: true, name: 'ana' }),
      routes: { $connect: async (e: WebSocketRouteEvent) => { connects.push(e); } },
    });
    const ws = await connect(gateway.url);
    expect(connects[0].requestContext.authorizer).toEqual({ principalId: 'user', count: '3', admin: 'true', name: 'ana' });
    ws.ws.close();
  });

  test('with an identity source, a handshake without it gets 401 and the authorizer is not called', async () => {
    const calls: WebSocketConnectAuthorizerEvent[] = [];
    const gateway = await startWith({
      identitySource: ['route.request.querystring.token'],
      authorizer: async (e) => { calls.push(e); return allow(e.methodArn); },
      routes: {},
    });
    expect(await refusedStatus(gateway.url, { Authorization: 'Bearer x' })).toBe(401);
    expect(calls).toEqual([]);
    (await connect(`${gateway.url}?token=x`)).ws.close();
    expect(calls).toHaveLength(1);
  });

  test('without a matching route and without $default, the client gets {"message": "Forbidden"} and stays connected', async () => {
    const gateway = await startWith({ routes: { ping: async () => ({ statusCode: 200 }) } });
    const ws = await connect(gateway.url);
    ws.ws.send(JSON.stringify({ action: 'pong' }));
    const [connectionId] = gateway.connectionIds();
    expect(JSON.parse(await ws.nextMessage())).toEqual({ message: 'Forbidden', connectionId, requestId: expect.any(String) });
    expect(gateway.connectionIds()).toEqual([connectionId]);
    ws.ws.close();
  });

  test('a handler that throws yields "Internal server error"; one that outlasts the integration timeout "Endpoint request timed out"', async () => {
    let finished = false;
    const gateway = await startWith({
      integrationTimeoutMs: 100,
      routes: {
        fail: async () => { throw new Error('bug'); },
        slow: async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
      },
    });
    const ws = await connect(gateway.url);
    ws.ws.send(JSON.stringify({ action: 'fail' }));
    expect(JSON.parse(await ws.nextMessage()).message).toBe('Internal server error');
    ws.ws.send(JSON.stringify({ action: 'slow' }));
    expect(JSON.parse(await ws.nextMessage()).message).toBe('Endpoint request timed out');
    expect(finished).toBe(false);
    await eventually(() => (finished ? true : undefined));
    ws.ws.close();
  });

  test('the idle timeout closes a silent connection (1001) and runs $disconnect; messages keep it open', async () => {
    const disconnects: WebSocketRouteEvent[] = [];
    const gateway = await startWith({
      idleTimeoutMs: 300,
      routes: { $default: async () => ({ statusCode: 200 }), $disconnect: async (e: WebSocketRouteEvent) => { disconnects.push(e); } },
    });
    const ws = await connect(gateway.url);
    const opened = Date.now();
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ws.ws.send('still here');
    }
    expect(gateway.connectionIds()).toHaveLength(1);
    const { code } = await within(ws.closed);
    expect(code).toBe(1001);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(850);
    await eventually(() => (disconnects.length ? true : undefined));
    expect(disconnects[0].requestContext.disconnectStatusCode).toBe(1001);
  });

  test('the maximum connection duration closes even a busy connection', async () => {
    const gateway = await startWith({ maxConnectionDurationMs: 400, routes: { $default: async () => ({ statusCode: 200 }) } });
    const ws = await connect(gateway.url);
    const opened = Date.now();
    const chatter = setInterval(() => ws.ws.send('busy'), 50);
    const { code } = await within(ws.closed);
    clearInterval(chatter);
    expect(code).toBe(1001);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(350);
  });

  test('a callback-style handler is supported and a binary message reaches $default base64-encoded', async () => {
    const events: WebSocketRouteEvent[] = [];
    const gateway = await startWith({
      routes: {
        $default: (event: WebSocketRouteEvent, _context, callback) => {
          events.push(event);
          callback(null, { statusCode: 200 });
        },
      },
    });
    const ws = await connect(gateway.url);
    ws.ws.send(Buffer.from([0, 1, 2, 255]));
    const [event] = await eventually(() => (events.length ? events : undefined));
    expect(event).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 1, 2, 255]).toString('base64') });
    ws.ws.close();
  });

  test('a caller\'s own frame and message limits replace the quotas: over them 1009 inbound, 413 and smaller frames outbound', async () => {
    const events: WebSocketRouteEvent[] = [];
    const gateway = await startWith({
      frameSizeLimitBytes: 1000,
      messagePayloadLimitBytes: 2500,
      routes: { $default: async (event: WebSocketRouteEvent) => { events.push(event); } },
    });
    expect([gateway.frameSizeLimitBytes, gateway.messagePayloadLimitBytes]).toEqual([1000, 2500]);
    const management = managementClient(gateway.managementEndpoint);
    const ws = await connect(gateway.url);
    const [connectionId] = gateway.connectionIds();
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'p'.repeat(2500) }));
    expect(await ws.nextMessage()).toHaveLength(2500);
    expect(ws.frames.filter((f) => f.opcode < 8).map((f) => f.payloadLength)).toEqual([1000, 1000, 500]);
    const tooLarge = await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'p'.repeat(2501) })).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(PayloadTooLargeException);
    sendFragments(ws, [1000, 1000, 500]);
    await eventually(() => (events.length ? true : undefined));
    expect(events[0].body).toHaveLength(2500);
    ws.ws.send('f'.repeat(1001));
    expect((await within(ws.closed)).code).toBe(1009);
    expect(events).toHaveLength(1);
    management.destroy();
  });

  test.each([
    [{ frameSizeLimitBytes: 0 }, 'frameSizeLimitBytes must be a positive whole number of bytes, not 0'],
    [{ frameSizeLimitBytes: 1.5 }, 'frameSizeLimitBytes must be a positive whole number of bytes, not 1.5'],
    [{ messagePayloadLimitBytes: -1 }, 'messagePayloadLimitBytes must be a positive whole number of bytes, not -1'],
    [{ messagePayloadLimitBytes: Number.NaN }, 'messagePayloadLimitBytes must be a positive whole number of bytes, not NaN'],
  ])('limits %p are refused with an error naming the prop', async (limits, message) => {
    await expect(start({ routes: {}, ...limits })).rejects.toThrow(message);
  });
});
