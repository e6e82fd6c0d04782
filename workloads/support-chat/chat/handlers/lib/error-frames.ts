import { CLIENT_ID_RULE } from './conversation-keys';
import type { ErrorCode } from './frames';
import { AttemptTimeoutError, DeadlineExceededError, GuardrailIntervenedError } from './resilience';

/*
 * Where an error becomes an error frame: the code a client switches on (`ERROR_CODES`) and the message a person reads,
 * for every refusal and failure the relay and the turn report. The codes are stable; the messages may be reworded.
 */

/** An error frame's code and message. */
export interface FrameError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What a request can be refused for before anything is stored. */
export type InputProblem = 'input_too_long' | 'missing_text' | 'bad_ids';

/** The frame of a request refused for its input (`maxInputCharacters`: the tenant's limit). */
export function inputRefusal(problem: InputProblem, maxInputCharacters: number): FrameError {
  switch (problem) {
    case 'input_too_long': return { code: 'input_too_long', message: `Messages are limited to ${maxInputCharacters} characters; please shorten yours.` };
    case 'missing_text': return { code: 'bad_request', message: 'The message has no text.' };
    case 'bad_ids': return { code: 'bad_request', message: `conversationId and messageId must be ${CLIENT_ID_RULE}.` };
  }
}

/** The relay's frames for a message it cannot hand to the turn, or a turn that ended without a final frame. */
export const RELAY_REFUSALS = {
  notJson: { code: 'bad_request', message: 'Send a JSON object: {"action":"sendMessage","conversationId","messageId","text"}.' },
  badMessage: { code: 'bad_request', message: 'action must be sendMessage or resume, with conversationId and messageId.' },
  badIds: { code: 'bad_request', message: `conversationId and messageId must be ${CLIENT_ID_RULE}.` },
  missingText: { code: 'bad_request', message: 'sendMessage needs text: a non-empty string.' },
  tokenExpired: { code: 'token_expired', message: 'Your sign-in has expired; sign in again and reconnect. The connection is closed.' },
  internal: { code: 'internal', message: 'Something went wrong on our side; resume this message in a moment.' },
} as const satisfies Record<string, FrameError>;

/** The relay refused a message over the per-user rate before storing it: unlike the turn's refusal, nothing is saved. */
export function rateLimitedAtRelay(messagesPerUserPerMinute: number): FrameError {
  return { code: 'rate_limited', message: `At most ${messagesPerUserPerMinute} messages a minute; this message was not sent, please send it again in a moment.` };
}

/** A `messageId` already stored with another text: ids are one per message. */
export const MESSAGE_ID_CONFLICT: FrameError = {
  code: 'message_id_conflict',
  message: 'This messageId was already used for another message; send a new messageId for each message.',
};

/** A `resume` of a message the conversation does not have. */
export function unknownMessage(conversationId: string, messageId: string): FrameError {
  return { code: 'bad_request', message: `no message ${messageId} in conversation ${conversationId}` };
}

/** Another turn holds the message's lease. */
export const IN_PROGRESS: FrameError = { code: 'in_progress', message: 'This message is being answered; resume it in a moment to get the answer.' };

/** The per-user rate (`messagesPerUserPerMinute`) is used up. */
export function rateLimited(messagesPerUserPerMinute: number): FrameError {
  return { code: 'rate_limited', message: `At most ${messagesPerUserPerMinute} messages a minute; your message is saved, please wait a moment.` };
}

/** The user's or the tenant's daily tokens are used up. */
export const BUDGET_EXHAUSTED: FrameError = {
  code: 'budget_exhausted',
  message: 'The daily allowance for the assistant is used up; please try again tomorrow or ask for a human agent.',
};

/** The codes of a turn that failed once the model was called. */
export type ModelFailureCode = Extract<ErrorCode, 'guardrail_intervened' | 'deadline_exceeded' | 'model_unavailable'>;

const MODEL_FAILURE_MESSAGES: Readonly<Record<ModelFailureCode, string>> = {
  guardrail_intervened: 'The organization\'s AI use policy stopped this answer.',
  deadline_exceeded: 'The answer took too long; please ask again.',
  model_unavailable: 'The assistant could not finish this answer; please ask again.',
};

/**
 * The frame of an error that ended the answer: the guardrail's intervention, the turn's deadline (ours, or the SDK's
 * abort or timeout when it passed inside a call), or any other failure of the models.
 */
export function modelFailure(error: unknown): FrameError & { readonly code: ModelFailureCode } {
  const name = (error as Error | undefined)?.name;
  const code: ModelFailureCode = error instanceof GuardrailIntervenedError ? 'guardrail_intervened'
    : error instanceof DeadlineExceededError || error instanceof AttemptTimeoutError || name === 'AbortError' || name === 'TimeoutError'
      ? 'deadline_exceeded'
      : 'model_unavailable';
  return { code, message: MODEL_FAILURE_MESSAGES[code] };
}

/** The codes of a turn that failed outside its model calls. */
export type TurnFailureCode = Extract<ErrorCode, 'deadline_exceeded' | 'internal'>;

/**
 * The frame of a turn that failed outside its model calls: the store or the settings failed, a bug threw
 * (`internal`), or the turn was still running at its final-frame cut-off (a `DeadlineExceededError`: `deadline_exceeded`).
 * The message is the same whether or not the question was stored: sending it again is safe (its `messageId` makes it
 * idempotent).
 */
export function turnFailure(error: unknown): FrameError & { readonly code: TurnFailureCode } {
  return error instanceof DeadlineExceededError
    ? { code: 'deadline_exceeded', message: MODEL_FAILURE_MESSAGES.deadline_exceeded }
    : { code: 'internal', message: 'The assistant could not answer this message; please send it again.' };
}
