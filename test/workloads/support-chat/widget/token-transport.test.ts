import { WebSocket } from 'ws';
import { start as startGateway } from '../../../../emulators/websocket-gateway/websocket-gateway';
import { CHAT_API, TOKEN_IDENTITY_SOURCE } from '../../../../workloads/support-chat/chat/chat-wiring';
import { tokenOf, tokenOfSubprotocols } from '../../../../workloads/support-chat/chat/handlers/authorizer';
import { connectResponse } from '../../../../workloads/support-chat/chat/handlers/lib/connect-subprotocol';
import { isSubprotocolToken, readServerMessage, safeLink, SUBPROTOCOL } from '../../../../workloads/support-chat/widget/widget-protocol';
import { WIDGET_STRINGS } from '../../../../workloads/support-chat/widget/widget-strings';
import { exampleEstate } from '../../../support/example-estate';

/*
 * The token's way in (docs/adr/0028-support-chat-token-in-the-subprotocol-header.md): the subprotocol header and nothing
 * else behind the deployed API; `$connect`'s answer names `support-chat.v1` only; the logs the estate configures (the
 * API's access log format, its execution logging, CloudFront's real-time logs and AWS WAF's logs on CloudFront) hold no
 * request header that carries it. And the widget's own pure parts: what a browser accepts as a subprotocol, the frames it
 * reads, the links it keeps, its strings in five languages.
 */

const JWT = 'eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXBhcnQtXy0';

describe('the authorizer reads the token from the subprotocols', () => {
  test.each([
    ['support-chat.v1, <jwt>', `${SUBPROTOCOL}, ${JWT}`, JWT],
    ['<jwt>,support-chat.v1 (either order, no space)', `${JWT},${SUBPROTOCOL}`, JWT],
    ['support-chat.v1 alone', SUBPROTOCOL, undefined],
    ['a third value', `${SUBPROTOCOL}, ${JWT}, extra`, undefined],
    ['another subprotocol beside the token', `chat.v2, ${JWT}`, undefined],
    ['empty', '', undefined],
  ])('%s', (_name, header, expected) => {
    expect(tokenOfSubprotocols(header)).toBe(expected);
  });

  test('with the header there, neither the Authorization header nor the query string is read', () => {
    const request = { methodArn: 'arn', headers: { 'sec-websocket-protocol': SUBPROTOCOL, 'Authorization': `Bearer ${JWT}` }, queryStringParameters: { token: JWT } };
    expect(tokenOf(request)).toBeUndefined();
    expect(tokenOf({ ...request, headers: { 'Sec-WebSocket-Protocol': `${SUBPROTOCOL}, ${JWT}` } })).toBe(JWT);
    // The local harness's URL clients: no subprotocol header.
    expect(tokenOf({ methodArn: 'arn', queryStringParameters: { token: JWT } })).toBe(JWT);
  });

  test('$connect answers with support-chat.v1 when it was offered, never with the token, and with no subprotocol otherwise', () => {
    expect(connectResponse({ 'Sec-WebSocket-Protocol': `${SUBPROTOCOL}, ${JWT}` })).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL } });
    expect(connectResponse({ 'sec-websocket-protocol': `${JWT}, ${SUBPROTOCOL}` }).headers?.['Sec-WebSocket-Protocol']).toBe(SUBPROTOCOL);
    expect(connectResponse({ 'Sec-WebSocket-Protocol': JWT })).toEqual({ statusCode: 200 });
    expect(connectResponse(undefined)).toEqual({ statusCode: 200 });
    expect(SUBPROTOCOL).toBe(CHAT_API.subprotocol);
  });
});

describe('the local gateway chooses no subprotocol itself, as API Gateway', () => {
  /** Connects offering `protocols`: the protocol the handshake's answer named, or the client's error. */
  const offer = (url: string, protocols: string[]) => new Promise<string>((resolve) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => {
      resolve(`open ${ws.protocol}`);
      ws.close();
    });
    ws.once('error', (error) => resolve(`error ${error.message}`));
  });

  test('the $connect handler\'s Sec-WebSocket-Protocol is the answer\'s; without one the answer names none and the client fails', async () => {
    const gateway = await startGateway({
      routes: {
        $connect: async (event) => (event.headers?.['Sec-WebSocket-Protocol']?.includes(SUBPROTOCOL)
          ? { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL } } : { statusCode: 200 }),
      },
    });
    try {
      expect(await offer(gateway.url, [SUBPROTOCOL, JWT])).toBe(`open ${SUBPROTOCOL}`);
      expect(await offer(gateway.url, ['other.v1', JWT])).toBe('error Server sent no subprotocol');
      expect(await offer(gateway.url, [])).toBe('open ');
    } finally {
      await gateway.close();
    }
  });
});

describe('the deployed API and the logs the estate configures', () => {
  type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  let estate: ReturnType<typeof exampleEstate>;
  let chat: Template;
  beforeAll(() => {
    estate = exampleEstate();
    chat = estate.supportChat[0].artifact.template as Template;
  }, 600_000);
  const ofType = (template: { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> }, type: string) =>
    Object.values(template.Resources ?? {}).filter((r) => r.Type === type).map((r) => r.Properties ?? {});

  test('the $connect authorizer\'s only identity source is the Sec-WebSocket-Protocol header', () => {
    const authorizers = ofType(chat, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers.map((a) => a.IdentitySource)).toEqual([[TOKEN_IDENTITY_SOURCE]]);
    expect(TOKEN_IDENTITY_SOURCE).toBe('route.request.header.Sec-WebSocket-Protocol');
  });

  test('the access log format names only context variables that cannot hold a request header or the query string, and no execution log traces data', () => {
    // $context variables of a WebSocket API's access logs that carry no part of the handshake's headers or query string
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html).
    const harmless = new Set([
      'apiId', 'connectedAt', 'connectionId', 'domainName', 'error.message', 'error.messageString', 'error.responseType',
      'eventType', 'extendedRequestId', 'identity.sourceIp', 'identity.caller', 'identity.user', 'identity.accountId',
      'integrationLatency', 'integration.latency', 'integration.status', 'messageDirection', 'messageId', 'requestId',
      'requestTime', 'requestTimeEpoch', 'routeKey', 'stage', 'status', 'authorizer.principalId', 'authorizer.error',
    ]);
    const stages = ofType(chat, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    for (const stage of stages) {
      const format = String(stage.AccessLogSettings?.Format);
      const variables = [...format.matchAll(/\$context\.([A-Za-z.]+)/g)].map((m) => m[1]);
      expect(variables.length).toBeGreaterThan(0);
      expect(variables.filter((v) => !harmless.has(v))).toEqual([]);
      for (const settings of [stage.DefaultRouteSettings ?? {}, ...Object.values(stage.RouteSettings ?? {}) as Record<string, unknown>[]]) {
        expect(settings.DataTraceEnabled).not.toBe(true);
        expect([undefined, 'OFF']).toContain(settings.LoggingLevel);
      }
    }
  });

  test('no CloudFront real-time log records request headers, and AWS WAF logs of a CloudFront web ACL redact the subprotocol header', () => {
    for (const stack of estate.all) {
      const template = stack.artifact.template as Parameters<typeof ofType>[0];
      for (const config of ofType(template, 'AWS::CloudFront::RealtimeLogConfig')) expect(config.Fields).not.toContain('cs-headers');
      const cloudFrontAcls = Object.entries(template.Resources ?? {})
        .filter(([, r]) => r.Type === 'AWS::WAFv2::WebACL' && r.Properties?.Scope === 'CLOUDFRONT').map(([id]) => id);
      for (const logging of ofType(template, 'AWS::WAFv2::LoggingConfiguration')) {
        const acl = JSON.stringify(logging.ResourceArn);
        if (!cloudFrontAcls.some((id) => acl.includes(id))) continue;
        const redacted = (logging.RedactedFields ?? []).map((f: { SingleHeader?: { Name: string } }) => f.SingleHeader?.Name.toLowerCase());
        expect(redacted).toContain('sec-websocket-protocol');
      }
    }
  });
});

describe('the widget\'s pure parts', () => {
  test('a JWT is a subprotocol token; separators, spaces and non-ASCII are not', () => {
    expect(isSubprotocolToken(JWT)).toBe(true);
    expect(isSubprotocolToken(SUBPROTOCOL)).toBe(true);
    for (const bad of ['', 'a b', 'a,b', 'a;b', 'a=b', 'a"b', 'a/b', 'é', 'a\tb']) expect(isSubprotocolToken(bad)).toBe(false);
  });

  test('frames are read; API Gateway\'s notices are told apart; anything else is dropped', () => {
    expect(readServerMessage('{"type":"chunk","conversationId":"c","messageId":"m","seq":0,"text":"hi"}')).toMatchObject({ type: 'chunk', text: 'hi' });
    expect(readServerMessage('{"message":"Internal server error","connectionId":"x","requestId":"y"}')).toEqual({ type: 'gateway', message: 'Internal server error' });
    for (const junk of ['', 'not json', '[]', 'null', '42', '{"type":"chunk"}']) expect(readServerMessage(junk)).toBeUndefined();
    expect(readServerMessage(new ArrayBuffer(2))).toBeUndefined();
  });

  test('a citation keeps only an absolute http(s) link', () => {
    expect(safeLink('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '/relative', 'JAVASCRIPT:alert(1)', 42, undefined]) expect(safeLink(bad)).toBeUndefined();
  });

  test('every string of the widget is in all five languages, with the same placeholders', () => {
    const english = WIDGET_STRINGS.en;
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [language, strings] of Object.entries(WIDGET_STRINGS)) {
      expect(Object.keys(strings).sort()).toEqual(Object.keys(english).sort());
      for (const [key, text] of Object.entries(strings)) {
        expect(text.trim()).not.toBe('');
        const expected = placeholders(english[key as keyof typeof english]);
        expect({ language, key, placeholders: placeholders(text) }).toEqual({ language, key, placeholders: expected });
      }
    }
  });
});
