import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { type Handshake, Refusal } from './handshake';
import { AUTHORIZER_RESULT_LIMIT_BYTES } from './websocket-quotas';

/*
 * What API Gateway does with a REQUEST authorizer around the Lambda call: the identity sources it checks first, and the
 * policy and context it reads from the result.
 */

const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.(.+)$/;

/** Whether the local gateway reads this identity source (`route.request.header.<name>`, `route.request.querystring.<name>`). */
export function isSupportedIdentitySource(source: string): boolean {
  return IDENTITY_SOURCE.test(source);
}

/** The value an identity source names (`route.request.header.<name>` in any case, `route.request.querystring.<name>`). */
export function identityValue(source: string, handshake: Handshake): string | undefined {
  const [, kind, name] = IDENTITY_SOURCE.exec(source) ?? [];
  if (kind === 'querystring') return handshake.queryStringParameters[name];
  return Object.entries(handshake.headers).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1];
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
export function globMatches(pattern: string, value: string): boolean {
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
export function policyAllows(policyDocument: unknown, methodArn: string): boolean {
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
 * configuration error: `Refusal` 500 (the status is assumed; AWS documents only that such values are not valid). A
 * policy that does not allow the method: `Refusal` 403.
 */
export function authorizerContextOf(result: APIGatewayAuthorizerResult | undefined, methodArn: string): Record<string, string> {
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
