import type { BedrockRequestRecord } from './bedrock-request';
import type { BedrockToolUse } from './bedrock-tool-call';

/** An error Bedrock answers before any stream starts: HTTP status, `x-amzn-ErrorType` and `{"message": ...}`. */
export interface BedrockFault {
  /** HTTP status, e.g. 429. */
  readonly status: number;
  /** The exception's name as the service sends it in `x-amzn-ErrorType`, e.g. `ThrottlingException`. */
  readonly errorType: string;
  /** The `message` of the JSON body. */
  readonly message: string;
}

/** The faults Bedrock Runtime answers with before a stream starts, with the service's status codes and messages. */
export const BEDROCK_FAULTS = {
  throttling: { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  validation: { status: 400, errorType: 'ValidationException', message: 'The provided model identifier is invalid.' },
  accessDenied: { status: 403, errorType: 'AccessDeniedException', message: 'You don\'t have access to the model with the specified model ID.' },
  internal: { status: 500, errorType: 'InternalServerException', message: 'The server encountered an internal error.' },
  serviceUnavailable: { status: 503, errorType: 'ServiceUnavailableException', message: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, BedrockFault>;

/** The exceptions ConverseStream can send inside the stream (`:exception-type`), as the SDK's union names them. */
export type BedrockStreamExceptionType =
  | 'throttlingException'
  | 'modelStreamErrorException'
  | 'serviceUnavailableException'
  | 'internalServerException'
  | 'validationException';

/** An exception sent inside the stream after some text. */
export interface BedrockStreamException {
  /** Text chunks (`contentBlockDelta` events) sent before the exception; past the last chunk means before `contentBlockStop`. */
  readonly afterChunks: number;
  /** The exception. */
  readonly type: BedrockStreamExceptionType;
  /** Its message. @default a message like the service's for that exception */
  readonly message?: string;
}

/** How the emulator cuts a stream: it destroys the TCP socket, as a dropped connection or a crashed front end would. */
export interface BedrockStreamCut {
  /** Text chunks sent before the cut; past the last chunk means before `contentBlockStop`. */
  readonly afterChunks: number;
  /** Whether the first half of the next event's bytes goes out before the cut (a frame torn in two). @default false */
  readonly partialFrame?: boolean;
}

/** A guardrail intervention: the guardrail's canned message replaces the answer and the stop reason is `guardrail_intervened`. */
export interface BedrockGuardrailIntervention {
  /** The text the guardrail puts in place of the answer. @default 'Sorry, I can\'t help with that request.' */
  readonly message?: string;
  /** What was blocked: the user's input or the model's output; picks where the default trace puts the assessment. @default 'input' */
  readonly source?: 'input' | 'output';
  /**
   * The `trace.guardrail` object of the metadata event (ConverseStream) or the response (Converse). Sent when given, or when
   * the request's `guardrailConfig.trace` is `enabled` (then a topic-policy block under the request's guardrail id).
   * @default undefined
   */
  readonly trace?: Record<string, unknown>;
  /**
   * A contextual grounding intervention: the answer was not grounded in the request's `grounding_source` blocks or not
   * relevant to its `query` block (the default trace then has a `contextualGroundingPolicy` output assessment with these
   * scores). Applies only to a request that carries both kinds of block, as the check needs them. @default undefined
   */
  readonly grounding?: {
    /** @default 0.1 (below the threshold: blocked) */
    readonly groundingScore?: number;
    /** @default 0.9 */
    readonly relevanceScore?: number;
    /** @default 0.75 */
    readonly threshold?: number;
  };
}

/**
 * An input policy of the emulated guardrail: text that matches `blocks` is blocked (an input intervention), on requests
 * that carry a `guardrailConfig`. It reads what Bedrock's guardrail reads
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html): the text of the
 * `guardContent` blocks when the request has any, else the text of every message. A stand-in for a policy's matching
 * (a word filter, a PII entity), not the service's detectors.
 */
export interface BedrockInputPolicy {
  /** What the policy blocks, e.g. a card number's pattern. */
  readonly blocks: RegExp;
  /** The guardrail's blocked-input message. @default 'Sorry, I can\'t help with that request.' */
  readonly message?: string;
}

/** Token figures reported in `usage`; missing ones are estimated from the text (about 4 characters a token). */
export interface BedrockUsage {
  /** @default estimated from the request's messages and system prompts */
  readonly inputTokens?: number;
  /** @default estimated from the answer */
  readonly outputTokens?: number;
  /** Input tokens read from the prompt cache (`cacheReadInputTokens`). @default not reported */
  readonly cacheReadInputTokens?: number;
  /** Input tokens written to the prompt cache (`cacheWriteInputTokens`). @default not reported */
  readonly cacheWriteInputTokens?: number;
}

/** What the emulator does with one request. Every field is optional; missing ones come from the emulator's defaults. */
export interface BedrockBehaviour {
  /** The answer, or a function of the request that makes it. @default `defaultAnswer`: deterministic text from the prompt */
  readonly answer?: string | ((request: BedrockRequestRecord) => string);
  /** Milliseconds from the request to the first text chunk (ConverseStream) or added to the response time (Converse). @default 0 */
  readonly firstTokenDelayMs?: number;
  /** Milliseconds between text chunks. @default 0 */
  readonly interTokenDelayMs?: number;
  /** Characters (code points) per `contentBlockDelta` event. @default 16 */
  readonly chunkSize?: number;
  /** Answer with this error before any stream (throttling, 5xx, validation, access denied). @default undefined */
  readonly fault?: BedrockFault;
  /** Send this exception inside the stream (ConverseStream; Converse answers the matching HTTP error). @default undefined */
  readonly streamException?: BedrockStreamException;
  /** Destroy the connection mid-stream (Converse: before the response). @default undefined */
  readonly cut?: BedrockStreamCut;
  /** A guardrail intervention instead of the answer. @default undefined */
  readonly guardrail?: BedrockGuardrailIntervention;
  /** An input policy the guardrail evaluates the request with (an intervention when it matches). @default undefined */
  readonly inputPolicy?: BedrockInputPolicy;
  /** The stop reason of a normal answer. @default 'end_turn' */
  readonly stopReason?: string;
  /** Token figures. @default estimated */
  readonly usage?: BedrockUsage;
  /** `metrics.latencyMs` reported. @default the time the emulator took */
  readonly latencyMs?: number;
  /**
   * Answer a ConverseStream request with tool calls (`stopReason: tool_use`) instead of text (`bedrock-tool-use.ts`); the
   * `answer` then applies to no request. @default undefined
   */
  readonly toolUse?: BedrockToolUse;
}

/** Shorthand for a request answered with `ThrottlingException` (429) before the stream. */
export const THROTTLE: BedrockBehaviour = { fault: BEDROCK_FAULTS.throttling };

/** The defaults of every behaviour field that has one: a quick, well-formed answer. */
export const DEFAULT_BEDROCK_BEHAVIOUR = {
  firstTokenDelayMs: 0,
  interTokenDelayMs: 0,
  chunkSize: 16,
  stopReason: 'end_turn',
} as const;

/** A behaviour with every defaulted field set. */
export type ResolvedBedrockBehaviour = BedrockBehaviour & typeof DEFAULT_BEDROCK_BEHAVIOUR;

/** Lays `behaviour` over `defaults` over `DEFAULT_BEDROCK_BEHAVIOUR`, field by field. */
export function resolveBehaviour(defaults: BedrockBehaviour, behaviour: BedrockBehaviour | undefined): ResolvedBedrockBehaviour {
  const merged = { ...DEFAULT_BEDROCK_BEHAVIOUR, ...stripUndefined(defaults), ...stripUndefined(behaviour ?? {}) };
  if (!Number.isInteger(merged.chunkSize) || merged.chunkSize < 1) throw new Error(`chunkSize must be a positive integer, not ${merged.chunkSize}`);
  return merged as ResolvedBedrockBehaviour;
}

function stripUndefined(behaviour: BedrockBehaviour): BedrockBehaviour {
  return Object.fromEntries(Object.entries(behaviour).filter(([, v]) => v !== undefined));
}
