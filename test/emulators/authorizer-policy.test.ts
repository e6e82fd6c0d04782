import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { authorizerContextOf, globMatches, identityValue, isSupportedIdentitySource, policyAllows } from '../../emulators/websocket-gateway/authorizer-policy';
import { type Handshake, Refusal } from '../../emulators/websocket-gateway/handshake';

// The local gateway's reading of a REQUEST authorizer's result (emulator only: API Gateway evaluates its own). The cases
// follow "Output from an API Gateway Lambda authorizer"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/live/$connect';
type Statement = Record<string, unknown>;
const policy = (...statements: Statement[]) => ({ Version: '2012-10-17', Statement: statements });
const invoke = (effect: 'Allow' | 'Deny', resource: string | string[] = ARN, action: string | string[] = 'execute-api:Invoke'): Statement => (
  { Effect: effect, Action: action, Resource: resource });

describe('policyAllows (emulator only): execute-api:Invoke on the $connect method ARN', () => {
  test.each<[string, unknown, boolean]>([
    ['an Allow of the exact ARN', policy(invoke('Allow')), true],
    ['a Deny of the exact ARN', policy(invoke('Deny')), false],
    ['an Allow and a Deny of it: the Deny wins', policy(invoke('Allow'), invoke('Deny')), false],
    ['an Allow of the stage and a Deny of a wildcard: the Deny wins', policy(invoke('Allow', `${ARN.replace('$connect', '')}*`), invoke('Deny', '*')), false],
    ['an Allow of a wildcard resource (`*` in the stage, any route)', policy(invoke('Allow', 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/*/*')), true],
    ['an Allow with `?` for one character', policy(invoke('Allow', ARN.replace('live', 'l?ve'))), true],
    ['an Allow of another route only', policy(invoke('Allow', ARN.replace('$connect', '$default'))), false],
    ['an Allow of another API only', policy(invoke('Allow', ARN.replace('abc123defg', 'otherapi00'))), false],
    ['an Allow among resources of a list', policy(invoke('Allow', ['arn:aws:execute-api:eu-west-1:123456789012:otherapi00/*', ARN])), true],
    ['an Allow of execute-api:* (action case ignored)', policy(invoke('Allow', ARN, 'EXECUTE-API:*')), true],
    ['an Allow of another action only', policy(invoke('Allow', ARN, 'execute-api:ManageConnections')), false],
    ['a Statement that is one object, not a list', { Version: '2012-10-17', Statement: invoke('Allow') }, true],
    ['no statement', policy(), false],
    ['no policy at all', undefined, false],
    ['an Allow with a Condition (not evaluated here: fails closed)', policy({ ...invoke('Allow'), Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), false],
    ['an Allow by NotAction (not evaluated here: fails closed)', policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: ARN }), false],
  ])('%s → %p', (_, document, allowed) => {
    expect(policyAllows(document, ARN)).toBe(allowed);
  });
});

describe('globMatches (emulator only): IAM wildcards in a resource', () => {
  test('`*` spans any run (also `/`), `?` exactly one character, every other character literally', () => {
    expect(globMatches('arn:*/$connect', ARN)).toBe(true);
    expect(globMatches('a?c', 'abc')).toBe(true);
    expect(globMatches('a?c', 'ac')).toBe(false);
    expect(globMatches('a.c', 'abc')).toBe(false);
    expect(globMatches('(x)+[y]', '(x)+[y]')).toBe(true);
  });
});

describe('identity sources (emulator only): checked before the authorizer runs', () => {
  const handshake: Handshake = {
    headers: { Authorization: 'Bearer t', Empty: '' },
    multiValueHeaders: { Authorization: ['Bearer t'], Empty: [''] },
    queryStringParameters: { token: 'abc' },
    multiValueQueryStringParameters: { token: ['abc'] },
  };

  test('a header in any case and a query-string parameter are read; a missing one is undefined', () => {
    expect(identityValue('route.request.header.authorization', handshake)).toBe('Bearer t');
    expect(identityValue('route.request.querystring.token', handshake)).toBe('abc');
    expect(identityValue('route.request.querystring.Token', handshake)).toBeUndefined();
    expect(identityValue('route.request.header.x-api-key', handshake)).toBeUndefined();
    expect(identityValue('route.request.header.empty', handshake)).toBe('');
  });

  test('only header and query-string sources are supported', () => {
    expect(isSupportedIdentitySource('route.request.header.Authorization')).toBe(true);
    expect(isSupportedIdentitySource('route.request.querystring.token')).toBe(true);
    expect(isSupportedIdentitySource('stageVariables.token')).toBe(false);
    expect(isSupportedIdentitySource('context.requestId')).toBe(false);
  });
});

describe('authorizerContextOf (emulator only): the result as requestContext.authorizer', () => {
  const result = (context: Record<string, unknown>, document: unknown = policy(invoke('Allow'))) => (
    { principalId: 'sub-ana', policyDocument: document, context } as unknown as APIGatewayAuthorizerResult);
  const refusal = (run: () => unknown): Refusal => {
    try {
      run();
    } catch (error) {
      if (error instanceof Refusal) return error;
      throw error;
    }
    throw new Error('not refused');
  };

  test('context values are stringified, null ones dropped, and principalId added', () => {
    expect(authorizerContextOf(result({ username: 'ana', tokens: 12, admin: false, gone: null }), ARN))
      .toEqual({ username: 'ana', tokens: '12', admin: 'false', principalId: 'sub-ana' });
  });

  test('a policy that does not allow the method refuses with 403', () => {
    expect(refusal(() => authorizerContextOf(result({}, policy(invoke('Deny'))), ARN)).statusCode).toBe(403);
  });

  test('an object or array value, a result over 8 KB, or no result refuses with 500', () => {
    expect(refusal(() => authorizerContextOf(result({ nested: { a: 1 } }), ARN)).statusCode).toBe(500);
    expect(refusal(() => authorizerContextOf(result({ list: ['a'] }), ARN)).statusCode).toBe(500);
    expect(refusal(() => authorizerContextOf(result({ big: 'x'.repeat(8 * 1024) }), ARN)).statusCode).toBe(500);
    expect(refusal(() => authorizerContextOf(undefined, ARN)).statusCode).toBe(500);
  });

  test('a result just under 8 KB is accepted', () => {
    const base = Buffer.byteLength(JSON.stringify(result({ big: '' })));
    expect(authorizerContextOf(result({ big: 'x'.repeat(8 * 1024 - base) }), ARN).big).toHaveLength(8 * 1024 - base);
  });
});
