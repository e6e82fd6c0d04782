import {
  budgetExhausted, inProgress, inputRefusal, messageIdConflict, modelFailure, rateLimited, rateLimitedAtRelay, relayRefusal, turnFailure,
  unknownMessage,
} from '../../../../workloads/support-chat/chat/handlers/lib/error-frames';
import { ERROR_CODES } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { AttemptTimeoutError, DeadlineExceededError, GuardrailIntervenedError } from '../../../../workloads/support-chat/chat/handlers/lib/resilience';
import { SUPPORTED_LANGUAGES } from '../../../../workloads/support-chat/language/handlers/lib/languages';
import { TENANT_MESSAGES } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';

describe('where an error becomes an error frame', () => {
  test('a failure of the answer is the guardrail\'s, the deadline\'s (ours or the SDK\'s abort and timeout), or the models\'', () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(modelFailure(new GuardrailIntervenedError('stopped')).code).toBe('guardrail_intervened');
    expect(modelFailure(new DeadlineExceededError('late')).code).toBe('deadline_exceeded');
    expect(modelFailure(named('AbortError')).code).toBe('deadline_exceeded');
    expect(modelFailure(named('TimeoutError')).code).toBe('deadline_exceeded');
    expect(modelFailure(named('ThrottlingException')).code).toBe('model_unavailable');
    expect(modelFailure(undefined).code).toBe('model_unavailable');
    expect(modelFailure(new AttemptTimeoutError('first_token', 800)).code).toBe('deadline_exceeded');
    expect(modelFailure(named('ServiceUnavailableException')).message).not.toMatch(/ServiceUnavailable/);
  });

  test('a turn that failed outside its model calls: internal, or deadline_exceeded at its cut-off; nothing of the error reflected', () => {
    expect(turnFailure(new DeadlineExceededError('cut-off')).code).toBe('deadline_exceeded');
    const store = Object.assign(new Error('Requested resource not found: Table: support-chat-conversations'), { name: 'ResourceNotFoundException' });
    expect(turnFailure(store)).toEqual({ code: 'internal', message: expect.not.stringMatching(/support-chat-conversations|ResourceNotFound/) });
    expect(ERROR_CODES).toEqual(expect.arrayContaining([turnFailure(undefined).code, turnFailure(new DeadlineExceededError('x')).code]));
  });

  test('every frame it makes carries a code of the protocol, and a message with the figure the user must respect', () => {
    const frames = [
      budgetExhausted(), inProgress(), relayRefusal('notJson'), relayRefusal('badMessage'), rateLimited(20), unknownMessage(),
      ...(['input_too_long', 'missing_text', 'bad_ids'] as const).map((p) => inputRefusal(p, 4000)),
    ];
    for (const frame of frames) {
      expect(ERROR_CODES).toContain(frame.code);
      expect(frame.message.length).toBeGreaterThan(0);
    }
    expect(rateLimited(20).message).toContain('20');
    expect(inputRefusal('input_too_long', 4000)).toEqual({ code: 'input_too_long', message: expect.stringContaining('4000') });
    expect(inputRefusal('bad_ids', 4000).code).toBe('bad_request');
  });

  test('each frame\'s message is the tenant\'s text of its code in the language asked for, English by default', () => {
    for (const language of SUPPORTED_LANGUAGES) {
      expect(messageIdConflict(language)).toEqual({ code: 'message_id_conflict', message: TENANT_MESSAGES.message_id_conflict[language] });
      expect(budgetExhausted(language)).toEqual({ code: 'budget_exhausted', message: TENANT_MESSAGES.budget_exhausted[language] });
      expect(relayRefusal('tokenExpired', language)).toEqual({ code: 'token_expired', message: TENANT_MESSAGES.token_expired[language] });
      expect(relayRefusal('internal', language)).toEqual({ code: 'internal', message: TENANT_MESSAGES.internal[language] });
      expect(turnFailure(undefined, language).message).toBe(TENANT_MESSAGES.internal[language]);
      expect(modelFailure(new GuardrailIntervenedError('x'), language).message).toBe(TENANT_MESSAGES.guardrail_intervened[language]);
      expect(rateLimited(7, language).message).toBe(TENANT_MESSAGES.rate_limited[language].replace('{max}', '7'));
      expect(rateLimitedAtRelay(7, language).message).toBe(TENANT_MESSAGES.rate_limited_not_sent[language].replace('{max}', '7'));
      expect(inputRefusal('input_too_long', 4000, language).message).toBe(TENANT_MESSAGES.input_too_long[language].replace('{max}', '4000'));
    }
    expect(inProgress()).toEqual(inProgress('en'));
    expect(rateLimited(20, 'zh').message).not.toBe(rateLimited(20, 'en').message);
  });
});
