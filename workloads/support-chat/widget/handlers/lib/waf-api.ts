/**
 * Calls to the AWS WAF (wafv2) API for the widget's custom resources: JSON 1.1 over HTTPS, signed with Signature
 * Version 4 from the function's credentials (the variables Lambda sets), with the retries of the AWS SDKs' standard
 * mode. The app's dependencies carry no wafv2 SDK client, so the protocol is written here; it is small:
 * - a POST to `/` with `X-Amz-Target: AWSWAF_20190729.<Operation>` and the input as JSON
 *   (https://docs.aws.amazon.com/waf/latest/APIReference/CommonParameters.html);
 * - Signature Version 4, service `wafv2`
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html);
 * - errors as `x-amzn-ErrorType` or the body's `__type`, with `message`;
 * - up to six attempts; throttling (429, `ThrottlingException`) and transient errors (500, 502, 503, 504, a refused or
 *   reset connection, no answer within `ATTEMPT_TIMEOUT_MS`) are retried after a random fraction (full jitter) of
 *   base x 2^retry, at most 20 s, base 1,000 ms after throttling and 50 ms otherwise, as the SDKs' standard retry mode
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Any other error fails at once.
 * The endpoint is `https://wafv2.<region>.amazonaws.com/` unless `AWS_ENDPOINT_URL_WAFV2` (or `AWS_ENDPOINT_URL`) names
 * another, the SDKs' convention for service endpoints.
 */
import { createHash, createHmac } from 'node:crypto';

/** Attempts per call, the SDKs' standard mode default plus the app's `RETRY` setting (six). */
export const MAX_ATTEMPTS = 6;
/** How long one attempt may wait for the answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 20_000;
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** Credentials of a signed request. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** An error WAF answered, shaped like an SDK service exception (`name`, `message`, `$metadata`). */
export class WafApiError extends Error {
  public readonly $metadata: { httpStatusCode: number; requestId?: string };

  constructor(name: string, message: string, httpStatusCode: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode, requestId };
  }
}

/** What `signatureV4Authorization` signs. */
export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: SigningCredentials;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The `Authorization` header of a Signature Version 4 request with a body and no query string: the canonical request
 * of `method`, `path` and the given headers (all signed, names lowercased and sorted, values trimmed), signed with the
 * key derived for `date`, `region` and `service`. `amzDate` is the `X-Amz-Date` header's value (`YYYYMMDDTHHMMSSZ`).
 */
export function signatureV4Authorization(request: SignedRequest): string {
  const headers = Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonicalRequest = [
    request.method, request.path, '', ...headers.map(([k, v]) => `${k}:${v}`), '', signedHeaders, sha256(request.body),
  ].join('\n');
  const date = request.amzDate.slice(0, 8);
  const scope = `${date}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${request.credentials.secretAccessKey}`, date);
  for (const part of [request.region, request.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

function environmentCredentials(): SigningCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
}

function endpointOf(region: string): URL {
  return new URL(process.env.AWS_ENDPOINT_URL_WAFV2 ?? process.env.AWS_ENDPOINT_URL ?? `https://wafv2.${region}.amazonaws.com/`);
}

/** The error's name from `x-amzn-ErrorType` or `__type` (`prefix#Name:detail` forms reduced to `Name`). */
function errorName(header: string | null, body: Record<string, unknown>): string {
  const raw = header ?? (typeof body.__type === 'string' ? body.__type : 'UnknownError');
  return raw.split(':')[0].split('#').pop() || 'UnknownError';
}

async function attempt(operation: string, body: string, region: string): Promise<unknown> {
  const url = endpointOf(region);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const credentials = environmentCredentials();
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'host': url.host,
    'x-amz-date': amzDate,
    'x-amz-target': `AWSWAF_20190729.${operation}`,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const authorization = signatureV4Authorization({ method: 'POST', path: url.pathname, headers, body, amzDate, region, service: 'wafv2', credentials });
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, { method: 'POST', headers: { ...sent, authorization }, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) as Record<string, unknown> : {};
  } catch {
    if (response.ok) throw new WafApiError('InvalidResponse', `WAF answered ${operation} with a body that is not JSON`, response.status, response.headers.get('x-amzn-requestid') ?? undefined);
  }
  if (!response.ok) {
    const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : text.slice(0, 200);
    throw new WafApiError(errorName(response.headers.get('x-amzn-errortype'), parsed), message, response.status, response.headers.get('x-amzn-requestid') ?? undefined);
  }
  return parsed;
}

/** Base delay of the retry after `error`, or undefined when the error is not retried. */
function retryBase(error: unknown): number | undefined {
  if (error instanceof WafApiError) {
    if (error.$metadata.httpStatusCode === 429 || THROTTLING_ERRORS.has(error.name)) return 1_000;
    return TRANSIENT_STATUS.has(error.$metadata.httpStatusCode) ? 50 : undefined;
  }
  const name = (error as Error).name;
  // fetch rejects with TypeError on a refused or reset connection, TimeoutError when the attempt's time is up.
  return name === 'TypeError' || name === 'TimeoutError' ? 50 : undefined;
}

/** Calls the WAF API operation in `region` and returns its output, retrying as the SDKs' standard mode does. */
export async function callWaf<T>(operation: string, input: Readonly<Record<string, unknown>>, region: string): Promise<T> {
  const body = JSON.stringify(input);
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(operation, body, region) as T;
    } catch (error) {
      const base = retryBase(error);
      if (base === undefined || retry + 1 >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** retry)));
    }
  }
}
