import type { IncomingHttpHeaders } from 'node:http';

/** The Bedrock Runtime operations the emulator serves. */
export type BedrockOperation = 'Converse' | 'ConverseStream';

/** How a request ended, as the emulator saw it. */
export type BedrockRequestOutcome =
  | 'pending'
  | 'completed'
  | 'guardrail-intervened'
  | 'fault'
  | 'stream-exception'
  | 'cut'
  | 'client-closed'
  | 'refused';

/** A text block of a Converse message or system prompt (other block types are kept as sent). */
export interface BedrockContentBlock {
  readonly text?: string;
  readonly [key: string]: unknown;
}

/** A Converse message as sent. */
export interface BedrockMessage {
  readonly role: string;
  readonly content: readonly BedrockContentBlock[];
}

/** One request the emulator received, recorded for assertions; the outcome and times are filled in as it is answered. */
export interface BedrockRequestRecord {
  /** 0-based arrival order among all requests to the emulator. */
  readonly sequence: number;
  /** 0-based arrival order among the requests for the same model id. */
  readonly modelSequence: number;
  /** The operation, from the path. */
  readonly operation: BedrockOperation;
  /** The model id from the path, URL-decoded: a model id, an inference profile id (`eu.anthropic…`) or an ARN. */
  readonly modelId: string;
  /**
   * What the request is answered as: the system profile an application profile ARN of `applicationProfiles` wraps, else
   * `modelId` itself. Queued behaviours for a model id match either.
   */
  readonly profileId: string;
  /** The HTTP version the client spoke: `2.0` for the SDK's default handler, `1.1` for fetch or `NodeHttpHandler`. */
  readonly httpVersion: string;
  /** The request path as it arrived (still URL-encoded). */
  readonly path: string;
  /** The Region of the SigV4 credential scope, when signed. */
  readonly signingRegion?: string;
  /** The access key id of the SigV4 credential scope, when signed. */
  readonly accessKeyId?: string;
  /** The HTTP headers. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body. */
  readonly body: Record<string, unknown>;
  /** `body.messages`. */
  readonly messages: readonly BedrockMessage[];
  /** `body.system`. */
  readonly system?: readonly BedrockContentBlock[];
  /** `body.inferenceConfig`. */
  readonly inferenceConfig?: Record<string, unknown>;
  /** `body.guardrailConfig`: `guardrailIdentifier`, `guardrailVersion`, `trace`, `streamProcessingMode`. */
  readonly guardrailConfig?: Record<string, unknown>;
  /** `Date.now()` when the request body had arrived. */
  readonly receivedAt: number;
  /** `Date.now()` when the first text chunk (or the Converse response) was written. */
  firstTokenAt?: number;
  /** `Date.now()` when the answer ended, whatever the outcome. */
  endedAt?: number;
  /**
   * `monotonicMs()` when the request's headers arrived (before its body was read): the server-side start of the model call,
   * on a clock other processes of the host can read too (`bench:chat` lines it up with its clients' clock).
   */
  readonly arrivedAtMonotonicMs: number;
  /** `monotonicMs()` when the first text chunk (or the Converse response) was written. */
  firstTokenAtMonotonicMs?: number;
  /** `monotonicMs()` when the answer ended (last bytes written, fault sent, connection cut or refused), whatever the outcome. */
  endedAtMonotonicMs?: number;
  /** Text chunks written. */
  chunksSent: number;
  /** How it ended. */
  outcome: BedrockRequestOutcome;
}

/**
 * Milliseconds (fractional, nanosecond resolution) of `process.hrtime.bigint()`: on Linux that is CLOCK_MONOTONIC, one clock
 * for every process of the host (time since boot, never set back), so timestamps taken in the emulator's process and in
 * another process compare directly. (`performance.now()` counts from each process's own start: not comparable.)
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The operation and model id of a Bedrock Runtime path, or undefined for any other path. */
export function parseModelPath(path: string): { operation: BedrockOperation; modelId: string } | undefined {
  const match = /^\/model\/([^/?]+)\/(converse|converse-stream)(?:\?.*)?$/.exec(path);
  if (!match) return undefined;
  return { operation: match[2] === 'converse' ? 'Converse' : 'ConverseStream', modelId: decodeURIComponent(match[1]) };
}

/** Why a request's authentication is refused: the status, error type and message AWS answers with. */
export interface AuthRefusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** The SigV4 credential scope of a request that carries one. */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/**
 * Checks that the request is SigV4-signed for the `bedrock` signing name, as AWS's front end does before the operation
 * runs. The signature itself is not verified (the emulator has no secret keys). Returns the scope, or the refusal.
 */
export function checkSigV4(headers: IncomingHttpHeaders): SigV4Scope | AuthRefusal {
  const authorization = headers.authorization;
  if (!authorization) return { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const scope = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/
    .exec(authorization);
  if (!scope) {
    return {
      status: 403,
      errorType: authorization.startsWith('Bearer ') ? 'AccessDeniedException' : 'IncompleteSignatureException',
      message: authorization.startsWith('Bearer ')
        ? 'Bearer-token (API key) authentication is not served by the emulator; sign requests with SigV4.'
        : `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization.split(' ')[0]}`,
    };
  }
  const [, accessKeyId, , region, service] = scope;
  if (service !== 'bedrock') {
    return { status: 403, errorType: 'InvalidSignatureException', message: 'Credential should be scoped to correct service: \'bedrock\'. ' };
  }
  if (!headers['x-amz-date'] && !headers.date) {
    return { status: 400, errorType: 'IncompleteSignatureException', message: 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.' };
  }
  return { accessKeyId, region, service };
}

/** Whether `checkSigV4` refused the request. */
export function isRefusal(result: SigV4Scope | AuthRefusal): result is AuthRefusal {
  return 'errorType' in result;
}
