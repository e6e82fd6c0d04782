import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { LocalJwtIssuer } from '../../../../emulators/token-issuer/jwt-issuer';
import {
  type AuthorizerRequest,
  createAuthorizer,
  handler,
  settingsFromEnvironment,
  tokenOf,
} from '../../../../workloads/support-chat/chat/handlers/authorizer';
import { useAuthorizerIssuer } from '../support/authorizer-issuer';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/local/$connect';

let issuer: LocalJwtIssuer;
let warnings: string[];

function viaQuery(token: string): AuthorizerRequest {
  return { methodArn: METHOD_ARN, headers: { Host: 'abcdef1234.execute-api.us-east-1.amazonaws.com' }, queryStringParameters: { token } };
}

function viaHeader(value: string, name = 'Authorization'): AuthorizerRequest {
  return { methodArn: METHOD_ARN, headers: { [name]: value }, queryStringParameters: null };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// The exported handler reads its settings on its first call: access tokens, JWKS fetched over HTTP from the issuer.
useAuthorizerIssuer('access', (started) => { issuer = started; });

beforeEach(() => {
  warnings = [];
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => { warnings.push(args.map(String).join(' ')); });
});

afterEach(() => jest.restoreAllMocks());

describe('the local issuer', () => {
  test('mints tokens under the exact Cognito issuer, with the claims Cognito puts in id and access tokens', () => {
    expect(issuer.issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_ChatPool1');
    const decode = (token: string) => token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    const [idHeader, id] = decode(issuer.mintIdToken({ username: 'ana', groups: ['customer'] }));
    expect(idHeader).toEqual({ kid: issuer.kid, alg: 'RS256' });
    expect(id).toMatchObject({ 'iss': issuer.issuer, 'aud': issuer.clientId, 'token_use': 'id', 'cognito:username': 'ana', 'cognito:groups': ['customer'] });
    expect(id.exp - id.iat).toBe(3600);
    const [, access] = decode(issuer.mintAccessToken({ username: 'ana' }));
    expect(access).toMatchObject({ iss: issuer.issuer, client_id: issuer.clientId, token_use: 'access', username: 'ana' });
    expect(access).not.toHaveProperty('aud');
    expect(access).not.toHaveProperty('cognito:groups');
  });

  test('serves its JWKS at /<userPoolId>/.well-known/jwks.json and nothing else', async () => {
    expect(new URL(issuer.jwksUrl).pathname).toBe('/eu-west-1_ChatPool1/.well-known/jwks.json');
    expect(await (await fetch(issuer.jwksUrl)).json()).toEqual(issuer.jwks);
    expect((await fetch(new URL('/other/.well-known/jwks.json', issuer.jwksUrl))).status).toBe(404);
  });
});

describe('the exported handler (settings from the environment, JWKS over HTTP, access tokens)', () => {
  // Each case with the verifier's error class: the request is refused for the reason the case names, not another one.
  const rejected: Array<[string, string, () => AuthorizerRequest]> = [
    ['an expired token', 'JwtExpiredError', () => viaQuery(issuer.mintAccessToken({ username: 'ana', expiresInSeconds: -60 }))],
    ['a token of another app client', 'CognitoJwtInvalidClientIdError',
      () => viaQuery(issuer.mintAccessToken({ username: 'ana', clientId: 'someotherclient0000000000' }))],
    ['a token of another user pool', 'ParameterValidationError',
      () => viaQuery(issuer.mintAccessToken({ username: 'ana', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }))],
    ['a token of another Region', 'ParameterValidationError',
      () => viaQuery(issuer.mintAccessToken({ username: 'ana', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_ChatPool1' }))],
    ['an id token where access tokens are expected', 'CognitoJwtInvalidTokenUseError', () => viaQuery(issuer.mintIdToken({ username: 'ana' }))],
    ['a token signed by another key under the same kid', 'JwtInvalidSignatureError',
      () => viaQuery(issuer.mintAccessToken({ username: 'ana', signingKey: 'other' }))],
    ['a token signed by a key the JWKS does not have', 'KidNotFoundInJwksError',
      () => viaQuery(issuer.mintAccessToken({ username: 'ana', signingKey: 'other', kid: 'unknown-kid' }))],
    ['a token whose payload was changed after signing', 'JwtInvalidSignatureError', () => {
      const [header, payload, signature] = issuer.mintAccessToken({ username: 'ana', groups: ['customer'] }).split('.');
      const forged = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), 'cognito:groups': ['admin'] };
      return viaQuery(`${header}.${base64url(forged)}.${signature}`);
    }],
    ['an unsigned token (alg none)', 'JwtInvalidSignatureAlgorithmError', () => {
      const [, payload] = issuer.mintAccessToken({ username: 'ana' }).split('.');
      return viaQuery(`${base64url({ alg: 'none', kid: issuer.kid })}.${payload}.c2lnbmF0dXJl`);
    }],
    ['no token', 'missing token', () => ({ methodArn: METHOD_ARN, headers: { Host: 'x' }, queryStringParameters: null })],
    ['an empty token', 'missing token', () => viaQuery('')],
    ['a malformed token', 'JwtParseError', () => viaQuery('not-a-jwt')],
    ['a token of three parts that are not JSON', 'JwtParseError', () => viaHeader('Bearer aaa.bbb.ccc')],
  ];

  test.each(rejected)('refuses %s with Unauthorized (401), logging %s but never the token', async (_, reason, request) => {
    const event = request();
    await expect(handler(event)).rejects.toThrow(/^Unauthorized$/);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 'WARN', reason });
    const token = tokenOf(event);
    if (token) {
      expect(warnings[0]).not.toContain(token);
      for (const part of token.split('.').filter((p) => p.length > 8)) expect(warnings[0]).not.toContain(part);
    }
  });

  test('allows a valid access token from the token query-string parameter, with sub, username, role groups and exp in the context', async () => {
    const token = issuer.mintAccessToken({ username: 'agent.bo', sub: 'sub-bo', groups: ['agent', 'customer', 'eu-west-1_ChatPool1_Google'] });
    const result = await handler(viaQuery(token));
    expect(result).toEqual({
      principalId: 'sub-bo',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { sub: 'sub-bo', username: 'agent.bo', groups: 'customer,agent', exp: String((JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp) },
    });
    expect(Object.values(result.context ?? {}).every((value) => typeof value === 'string')).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('creates the verifier once per container', async () => {
    const create = jest.spyOn(CognitoJwtVerifier, 'create');
    for (const username of ['a', 'b', 'c']) {
      await handler(viaHeader(`Bearer ${issuer.mintAccessToken({ username, groups: ['customer'] })}`));
    }
    // None when an earlier test's call created it, one when this test runs alone.
    expect(create.mock.calls.length).toBeLessThanOrEqual(1);
  });
});

describe('createAuthorizer with the JWKS preloaded (cacheJwks, no fetch), id tokens', () => {
  let authorize: ReturnType<typeof createAuthorizer>;

  beforeAll(() => {
    authorize = createAuthorizer(settingsFromEnvironment({
      USER_POOL_ID: issuer.userPoolId,
      CLIENT_ID: issuer.clientId,
      TOKEN_USE: 'id',
      JWKS_JSON: JSON.stringify(issuer.jwks),
    }));
  });

  test('allows a valid id token from the Authorization header (Bearer, any header case), with the context', async () => {
    for (const [name, prefix] of [['Authorization', 'Bearer '], ['authorization', ''], ['AUTHORIZATION', 'bearer ']]) {
      const result = await authorize(viaHeader(`${prefix}${issuer.mintIdToken({ username: 'ana', sub: 'sub-ana', groups: ['customer'] })}`, name));
      expect(result.principalId).toBe('sub-ana');
      expect(result.context).toMatchObject({ sub: 'sub-ana', username: 'ana', groups: 'customer' });
      expect(Number(result.context?.exp)).toBeGreaterThan(Date.now() / 1000);
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }]);
    }
  });

  test('allows an agent (the agent group only) with the display name from name, else preferred_username, never the e-mail', async () => {
    const named = await authorize(viaQuery(issuer.mintIdToken({ username: 'dana', sub: 'sub-dana', groups: ['agent'], claims: { name: 'Dana K.', preferred_username: 'dk' } })));
    expect(named.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }]);
    expect(named.context).toMatchObject({ sub: 'sub-dana', groups: 'agent', name: 'Dana K.' });
    const preferred = await authorize(viaQuery(issuer.mintIdToken({ username: 'eli', groups: ['agent'], claims: { preferred_username: 'Eli' } })));
    expect(preferred.context).toMatchObject({ groups: 'agent', name: 'Eli' });
    const unnamed = await authorize(viaQuery(issuer.mintIdToken({ username: 'fay', groups: ['agent'], email: 'fay@corp.example' })));
    expect(unnamed.context).not.toHaveProperty('name');
    expect(JSON.stringify(unnamed.context)).not.toContain('fay@corp.example');
    // A customer's context carries no name, whatever the token holds.
    const customer = await authorize(viaQuery(issuer.mintIdToken({ username: 'ana', groups: ['customer'], claims: { name: 'Ana' } })));
    expect(customer.context).not.toHaveProperty('name');
  });

  test.each([
    ['no group', []],
    ['the admin group only', ['admin']],
    ['a federated provider\'s group only', ['eu-west-1_ChatPool1_Google']],
  ])('a valid token of a user in %s is denied (explicit Deny, no context)', async (_name, groups) => {
    const result = await authorize(viaQuery(issuer.mintIdToken({ username: 'new.user', groups })));
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN }]);
    expect(result.context).toBeUndefined();
  });

  test.each([
    ['expired', () => issuer.mintIdToken({ username: 'ana', expiresInSeconds: 0 })],
    ['another client', () => issuer.mintIdToken({ username: 'ana', clientId: 'someotherclient0000000000' })],
    ['another issuer', () => issuer.mintIdToken({ username: 'ana', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' })],
    ['an access token', () => issuer.mintAccessToken({ username: 'ana' })],
    ['a bad signature', () => issuer.mintIdToken({ username: 'ana', signingKey: 'other' })],
  ])('refuses %s', async (_, mint) => {
    await expect(authorize(viaQuery(mint()))).rejects.toThrow(/^Unauthorized$/);
  });

  test('the header wins over the query string', async () => {
    const good = issuer.mintIdToken({ username: 'ana' });
    await expect(authorize({ methodArn: METHOD_ARN, headers: { Authorization: 'Bearer junk' }, queryStringParameters: { token: good } }))
      .rejects.toThrow('Unauthorized');
  });
});

describe('settings from the environment', () => {
  test.each([
    [{ CLIENT_ID: 'c', TOKEN_USE: 'id' }, /USER_POOL_ID/],
    [{ USER_POOL_ID: 'eu-west-1_x', TOKEN_USE: 'id' }, /CLIENT_ID/],
    [{ USER_POOL_ID: 'eu-west-1_x', CLIENT_ID: 'c' }, /TOKEN_USE/],
    [{ USER_POOL_ID: 'eu-west-1_x', CLIENT_ID: 'c', TOKEN_USE: 'refresh' }, /TOKEN_USE/],
  ])('refuses an incomplete environment %j', (env, message) => {
    expect(() => settingsFromEnvironment(env)).toThrow(message);
  });

  test('production sets neither local hook', () => {
    expect(settingsFromEnvironment({ USER_POOL_ID: 'eu-west-1_x', CLIENT_ID: 'c', TOKEN_USE: 'access' }))
      .toEqual({ userPoolId: 'eu-west-1_x', clientId: 'c', tokenUse: 'access' });
  });
});
