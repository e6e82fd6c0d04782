import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwtParseError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { type Jwks, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { APIGatewayAuthorizerResult, Context } from 'aws-lambda';
import { type AuthorizerEnvironment, CHAT_API } from '../chat-wiring';
import { createTelemetry, inSubsegment, recordAuthorization } from './lib/telemetry';
import { SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';

/*
 * The Lambda REQUEST authorizer of the support-chat WebSocket API's `$connect` route: verifies a Cognito JWT with
 * `aws-jwt-verify` and answers with an IAM policy that allows `execute-api:Invoke` on the `$connect` route ARN.
 *
 * How API Gateway calls it and reads the answer: "Control access to WebSocket APIs with AWS Lambda REQUEST authorizers"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html) and "Output from
 * an API Gateway Lambda authorizer" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
 *
 * Every rejection throws `Error('Unauthorized')`, which API Gateway answers with 401 and no connection: the WebSocket
 * authorizer page's own example does this for a missing or invalid identity ("you'll receive a 401 response"). A Deny policy
 * would answer 403, which says "authenticated, not allowed"; every rejection here is an authentication failure (no token,
 * malformed, expired, wrong client, issuer or token use, bad signature), so 401 is the honest status, and a thrown error
 * carries no policy to get wrong. WebSocket APIs do not cache authorizer results, so there is no cached Deny to consider.
 *
 * A valid token of a user outside the `customer` and `agent` groups (`CONNECT_GROUPS`) is authenticated but not allowed:
 * the answer is an explicit Deny on the `$connect` route, which API Gateway answers with 403 and no connection. Which
 * actions a connection may send is the relay's one decision (`authorizeAction`), from the `groups` put in the context.
 */

/** The Cognito groups that are roles of the chat; the authorizer context carries those the user is in. */
export const ROLE_GROUPS = ['customer', 'agent', 'admin'] as const;

/** The groups of which a user must be in one to connect: customers chat, agents join handed-off conversations. */
export const CONNECT_GROUPS: readonly typeof ROLE_GROUPS[number][] = ['customer', 'agent'];

/** The parts of the authorizer event (`APIGatewayRequestAuthorizerEvent` for WebSocket `$connect`) this authorizer reads. */
export interface AuthorizerRequest {
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`. */
  readonly methodArn: string;
  /** Request headers as API Gateway passes them (names as the client sent them). */
  readonly headers?: Record<string, string | undefined> | null;
  /** Query-string parameters. */
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

/** What the authorizer puts in `context`, which API Gateway hands to every route as `requestContext.authorizer`. */
export interface ConnectionIdentity {
  /** The user's `sub`. */
  readonly sub: string;
  /** `cognito:username` (id token) or `username` (access token). */
  readonly username: string;
  /** The user's role groups (`ROLE_GROUPS`) joined with commas; context values must be strings, numbers or booleans. */
  readonly groups: string;
  /**
   * The token's `exp` (seconds since the epoch, as a string): API Gateway passes the context on every route of the
   * connection, and the relay closes a connection whose token has expired.
   */
  readonly exp: string;
  [key: string]: string;
}

/** How the verifier is set up. */
export interface AuthorizerSettings {
  /** The Cognito user pool id (`USER_POOL_ID`). */
  readonly userPoolId: string;
  /** The app client id tokens must be issued to (`CLIENT_ID`): the id token's `aud`, the access token's `client_id`. */
  readonly clientId: string;
  /** Which token the client presents (`TOKEN_USE`): `id` or `access`. */
  readonly tokenUse: 'id' | 'access';
  /**
   * Local harness only (`JWKS_JSON`): a JWKS loaded into the verifier's cache with `cacheJwks`, so no fetch happens for
   * its keys.
   *
   * @default - none; the JWKS is fetched from the pool's `<issuer>/.well-known/jwks.json` and cached
   */
  readonly jwks?: Jwks;
  /**
   * Local harness only (`JWKS_URL`): fetch the JWKS from this URL instead of the pool's Cognito URL (plain HTTP allowed).
   * Issuer, audience, token use, expiry and signature are checked exactly as in production.
   *
   * @default - the pool's Cognito JWKS URL over HTTPS
   */
  readonly jwksUrl?: string;
}

/** The authorizer: a request in, an Allow policy out, or `Error('Unauthorized')` thrown. */
export type Authorizer = (request: AuthorizerRequest) => Promise<APIGatewayAuthorizerResult>;

/** Reads the settings from `USER_POOL_ID`, `CLIENT_ID`, `TOKEN_USE` and, for the local harness, `JWKS_JSON` and `JWKS_URL`. */
export function settingsFromEnvironment(env: Partial<Record<keyof AuthorizerEnvironment, string>> = process.env): AuthorizerSettings {
  const { USER_POOL_ID: userPoolId, CLIENT_ID: clientId, TOKEN_USE: tokenUse, JWKS_JSON: jwksJson, JWKS_URL: jwksUrl } = env;
  if (!userPoolId || !clientId) throw new Error('USER_POOL_ID and CLIENT_ID must be set');
  if (tokenUse !== 'id' && tokenUse !== 'access') throw new Error(`TOKEN_USE must be id or access, not ${tokenUse}`);
  return {
    userPoolId,
    clientId,
    tokenUse,
    ...(jwksJson ? { jwks: JSON.parse(jwksJson) as Jwks } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
  };
}

/** A header's value, its name in any case. */
function headerOf(request: AuthorizerRequest, name: string): string | undefined {
  return Object.entries(request.headers ?? {}).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1] ?? undefined;
}

/**
 * The token in a `Sec-WebSocket-Protocol` header: the one subprotocol beside `CHAT_API.subprotocol`
 * (`support-chat.v1, <token>`, in either order). Undefined unless there are exactly those two.
 */
export function tokenOfSubprotocols(header: string): string | undefined {
  const offered = header.split(',').map((value) => value.trim()).filter((value) => value.length > 0);
  if (offered.length !== 2 || !offered.includes(CHAT_API.subprotocol)) return undefined;
  return offered.find((value) => value !== CHAT_API.subprotocol);
}

/**
 * The token of the request. When the `Sec-WebSocket-Protocol` header is there (always, behind the deployed API, whose
 * identity source it is), only from it: the subprotocol beside `support-chat.v1`. Without it (the local harness's URL
 * clients), the `Authorization` header (any case; `Bearer ` prefix optional), else the `token` query-string parameter.
 */
export function tokenOf(request: AuthorizerRequest): string | undefined {
  const subprotocols = headerOf(request, CHAT_API.tokenHeader);
  if (subprotocols !== undefined) return tokenOfSubprotocols(subprotocols);
  const header = headerOf(request, 'authorization');
  const raw = header ?? request.queryStringParameters?.[CHAT_API.tokenQueryParameter];
  const token = raw?.trim().replace(/^bearer\s+/i, '');
  return token ? token : undefined;
}

/** Fetches the JWKS from one fixed URL whatever URI the verifier asks for (the local harness's issuer). */
class FixedUrlFetcher implements Fetcher {
  constructor(private readonly url: string) {}

  public async fetch(): Promise<ArrayBuffer> {
    const response = await globalThis.fetch(this.url);
    if (!response.ok) throw new Error(`JWKS fetch answered ${response.status}`);
    return response.arrayBuffer();
  }
}

/**
 * Logs why a handshake is refused and throws what API Gateway turns into 401. The reason is the verifier's error class and
 * its message, which names the failed check and at most a claim value (client id, token use, issuer, expiry); never the
 * token. A parse error's message can quote the decoded token, so only its class is logged.
 */
function refuse(reason: string, error?: unknown): never {
  const detail = error instanceof Error && !(error instanceof JwtParseError) ? { detail: error.message } : {};
  console.warn(JSON.stringify({ level: 'WARN', message: 'connection refused by the authorizer', reason, ...detail }));
  throw new Error('Unauthorized');
}

/** Creates the authorizer with its verifier (once; the verifier caches the JWKS and the keys it derives). */
export function createAuthorizer(settings: AuthorizerSettings): Authorizer {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: settings.userPoolId, clientId: settings.clientId, tokenUse: settings.tokenUse },
    settings.jwksUrl ? { jwksCache: new SimpleJwksCache({ fetcher: new FixedUrlFetcher(settings.jwksUrl) }) } : undefined,
  );
  if (settings.jwks) verifier.cacheJwks(settings.jwks);

  return async (request) => {
    const token = tokenOf(request);
    if (!token) refuse('missing token');
    let payload: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      refuse(error instanceof Error ? error.constructor.name : 'Error', error);
    }
    const username = payload.token_use === 'id' ? payload['cognito:username'] : payload.username;
    const userGroups = payload['cognito:groups'] ?? [];
    if (!CONNECT_GROUPS.some((group) => userGroups.includes(group))) {
      console.warn(JSON.stringify({ level: 'WARN', message: 'connection refused by the authorizer', reason: `not in the ${CONNECT_GROUPS.join(' or ')} group` }));
      return {
        principalId: payload.sub,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: request.methodArn }] },
      };
    }
    const context: ConnectionIdentity = {
      sub: payload.sub,
      username: String(username),
      groups: ROLE_GROUPS.filter((group) => userGroups.includes(group)).join(','),
      exp: String(payload.exp),
      ...(userGroups.includes('agent') ? agentName(payload) : {}),
    };
    return {
      principalId: payload.sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: request.methodArn }],
      },
      context,
    };
  };
}

/**
 * An agent's display name for the context (`name`): the token's `name` claim, else `preferred_username`, attributes an
 * administrator sets; never the e-mail. None when neither is set (the relay then shows `Agent`).
 */
function agentName(payload: Record<string, unknown>): { name?: string } {
  const name = [payload.name, payload.preferred_username].find((value) => typeof value === 'string' && value.trim().length > 0);
  return typeof name === 'string' ? { name: name.trim() } : {};
}

/** Whether the result is a Deny (a valid token of a user outside `CONNECT_GROUPS`). */
function denies(result: APIGatewayAuthorizerResult): boolean {
  return result.policyDocument.Statement.some((statement) => statement.Effect === 'Deny');
}

let authorizer: Authorizer | undefined;
const telemetry = createTelemetry(SUPPORT_CHAT_SERVICES.authorizer);

/** The authorizer's Lambda event: the request it reads, and the connection and request ids API Gateway adds. */
export type AuthorizerEvent = AuthorizerRequest & { readonly requestContext?: { readonly connectionId?: string; readonly requestId?: string } };

/**
 * The Lambda handler. The settings are read and the verifier created on the first invocation, once per container.
 * Telemetry (docs/adr/0008-support-chat-telemetry.md): logs carry the Lambda request id, the connection id and API
 * Gateway's request id (`correlation_id`); one set of EMF metrics per invocation (authorized, refused, or an error other
 * than a refusal); an X-Ray subsegment, with the JWKS fetch in it.
 */
export async function handler(event: AuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> {
  const { logger, metrics, tracer } = telemetry;
  if (context) logger.addContext(context);
  if (event.requestContext?.connectionId) logger.appendKeys({ connectionId: event.requestContext.connectionId });
  if (event.requestContext?.requestId) logger.setCorrelationId(event.requestContext.requestId);
  let outcome: 'authorized' | 'refused' | 'error' = 'error';
  try {
    const result = await inSubsegment(tracer, '## authorizer', async () => {
      authorizer ??= createAuthorizer(settingsFromEnvironment());
      return authorizer(event);
    });
    outcome = denies(result) ? 'refused' : 'authorized';
    return result;
  } catch (error) {
    // A refusal is logged by `refuse` with its reason; anything else is a fault of the function.
    if (error instanceof Error && error.message === 'Unauthorized') outcome = 'refused';
    else logger.error('the authorizer failed', error as Error);
    throw error;
  } finally {
    recordAuthorization(metrics, outcome);
    logger.resetKeys();
  }
}
