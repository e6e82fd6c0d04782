import type { ErrorCode } from './frames';
import { AttemptTimeoutError, DeadlineExceededError, GuardrailIntervenedError } from './resilience';
import { DEFAULT_LANGUAGE, type SupportedLanguage } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';

/*
 * Where an error becomes an error frame: the code a client switches on (`ERROR_CODES`) and the message a person reads,
 * for every refusal and failure the relay and the turn report. The codes are stable; the messages are the tenant's own
 * texts (`tenantMessage`) in the customer's language: the turn's detected one, the relay's from the client's `language`
 * field (English when absent). A message never names a table, an id or an AWS error.
 */

/** An error frame's code and message. */
export interface FrameError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What a request can be refused for before anything is stored. */
export type InputProblem = 'input_too_long' | 'missing_text' | 'bad_ids';

/** The frame of a request refused for its input (`maxInputCharacters`: the tenant's limit). */
export function inputRefusal(problem: InputProblem, maxInputCharacters: number, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  switch (problem) {
    case 'input_too_long': return { code: 'input_too_long', message: tenantMessage('input_too_long', language, { max: maxInputCharacters }) };
    case 'missing_text': return { code: 'bad_request', message: tenantMessage('missing_text', language) };
    case 'bad_ids': return { code: 'bad_request', message: tenantMessage('bad_request', language) };
  }
}

/** Why the relay refuses a message it cannot hand to the turn, or ends a turn that sent no final frame. */
export type RelayRefusal = 'notJson' | 'badMessage' | 'badIds' | 'missingText' | 'tokenExpired' | 'internal';

/** The relay's frame for `refusal`, in `language`. */
export function relayRefusal(refusal: RelayRefusal, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  switch (refusal) {
    case 'notJson':
    case 'badMessage':
    case 'badIds': return { code: 'bad_request', message: tenantMessage('bad_request', language) };
    case 'missingText': return { code: 'bad_request', message: tenantMessage('missing_text', language) };
    case 'tokenExpired': return { code: 'token_expired', message: tenantMessage('token_expired', language) };
    case 'internal': return { code: 'internal', message: tenantMessage('internal', language) };
  }
}

/** The relay refused a message over the per-user rate before storing it: unlike the turn's refusal, nothing is saved. */
export function rateLimitedAtRelay(messagesPerUserPerMinute: number, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'rate_limited', message: tenantMessage('rate_limited_not_sent', language, { max: messagesPerUserPerMinute }) };
}

/** A `messageId` already stored with another text: ids are one per message. */
export function messageIdConflict(language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'message_id_conflict', message: tenantMessage('message_id_conflict', language) };
}

/** A `resume` of a message the conversation does not have. */
export function unknownMessage(language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'bad_request', message: tenantMessage('bad_request', language) };
}

/** Another turn holds the message's lease. */
export function inProgress(language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'in_progress', message: tenantMessage('in_progress', language) };
}

/** The per-user rate (`messagesPerUserPerMinute`) is used up. */
export function rateLimited(messagesPerUserPerMinute: number, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'rate_limited', message: tenantMessage('rate_limited', language, { max: messagesPerUserPerMinute }) };
}

/** The user's or the tenant's daily tokens are used up. */
export function budgetExhausted(language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError {
  return { code: 'budget_exhausted', message: tenantMessage('budget_exhausted', language) };
}

/** The codes of a turn that failed once the model was called. */
export type ModelFailureCode = Extract<ErrorCode, 'guardrail_intervened' | 'deadline_exceeded' | 'model_unavailable'>;

/**
 * The frame of an error that ended the answer: the guardrail's intervention, the turn's deadline (ours, or the SDK's
 * abort or timeout when it passed inside a call), or any other failure of the models.
 */
export function modelFailure(error: unknown, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError & { readonly code: ModelFailureCode } {
  const name = (error as Error | undefined)?.name;
  const code: ModelFailureCode = error instanceof GuardrailIntervenedError ? 'guardrail_intervened'
    : error instanceof DeadlineExceededError || error instanceof AttemptTimeoutError || name === 'AbortError' || name === 'TimeoutError'
      ? 'deadline_exceeded'
      : 'model_unavailable';
  return { code, message: tenantMessage(code, language) };
}

/** The codes of a turn that failed outside its model calls. */
export type TurnFailureCode = Extract<ErrorCode, 'deadline_exceeded' | 'internal'>;

/**
 * The frame of a turn that failed outside its model calls: the store or the settings failed, a bug threw
 * (`internal`), or the turn was still running at its final-frame cut-off (a `DeadlineExceededError`: `deadline_exceeded`).
 * The message is the same whether or not the question was stored: sending it again is safe (its `messageId` makes it
 * idempotent).
 */
export function turnFailure(error: unknown, language: SupportedLanguage = DEFAULT_LANGUAGE): FrameError & { readonly code: TurnFailureCode } {
  const code: TurnFailureCode = error instanceof DeadlineExceededError ? 'deadline_exceeded' : 'internal';
  return { code, message: tenantMessage(code, language) };
}
