import { decide, largestAmount, type HandOffPolicy } from '../../../../workloads/support-chat/handoff/handlers/lib/decide';
import type { EscalationContext } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-port';
import { buildHandOff, TRANSCRIPT_MESSAGE_CHARACTERS, TRANSCRIPT_MESSAGES } from '../../../../workloads/support-chat/handoff/handlers/lib/hand-off-record';
import { isNegativeTrend, sentimentOf } from '../../../../workloads/support-chat/handoff/handlers/lib/sentiment';
import { findEscalationTrigger } from '../../../../workloads/support-chat/language/handlers/lib/escalation-triggers';
import { TENANT_MESSAGES } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';

/* The hand-off triggers, the sentiment heuristic and the hand-off record, as pure functions (no emulator). */

const POLICY: HandOffPolicy = { unresolvedTurns: 4, refundApprovalThreshold: 200 };
const SUB = '0b7c6e1e-6a0c-4d6a-9a2e-5f1f2b3c4d5e';

function context(text: string, overrides: Partial<EscalationContext> = {}): EscalationContext {
  return { customer: { sub: SUB, tier: 'standard', language: 'en' }, conversationId: 'c1', text, unresolvedTurns: 0, ...overrides };
}

describe('decide', () => {
  test.each([
    ['I want to talk to a human', 'human_requested'],
    ['转人工', 'human_requested'],
    ['Ich werde Sie verklagen', 'legal_threat'],
    ['I want a refund of €350 for order 1234', 'refund_over_limit'],
    ['Quiero un reembolso de 1.250,50 EUR', 'refund_over_limit'],
    ['我要退款 300元', 'refund_over_limit'],
  ])('%s hands off with %s', (text, reason) => {
    expect(decide(context(text), POLICY)).toEqual({ escalate: true, reason });
  });

  test.each([
    'Where is my parcel?',
    'I want a refund of €150',
    'Refund for order 123456 please',
    'Can I cancel my order?',
  ])('%s stays with the assistant (standard tier, under the threshold, an order number is no amount)', (text) => {
    expect(decide(context(text), POLICY)).toEqual({ escalate: false });
  });

  test('a premium customer asking to cancel or for a refund hands off; a premium customer asking about a parcel does not', () => {
    const premium = { customer: { sub: SUB, tier: 'premium', language: 'fr' as const } };
    expect(decide(context('Je voudrais annuler ma commande', premium), POLICY)).toEqual({ escalate: true, reason: 'premium_refund_or_cancellation' });
    expect(decide(context('Ich möchte eine Rückerstattung', premium), POLICY)).toEqual({ escalate: true, reason: 'premium_refund_or_cancellation' });
    expect(decide(context('Where is my parcel?', premium), POLICY)).toEqual({ escalate: false });
  });

  test('a guardrail intervention hands off; the unresolved turns at the threshold hand off, one under do not', () => {
    expect(decide(context('hello', { guardrailIntervened: true }), POLICY)).toEqual({ escalate: true, reason: 'guardrail_intervened' });
    expect(decide(context('and now?', { unresolvedTurns: 4 }), POLICY)).toEqual({ escalate: true, reason: 'unresolved_turns' });
    expect(decide(context('and now?', { unresolvedTurns: 3 }), POLICY)).toEqual({ escalate: false });
    // The settings' number wins over the policy's.
    expect(decide(context('and now?', { unresolvedTurns: 3, unresolvedTurnsLimit: 3 }), POLICY)).toEqual({ escalate: true, reason: 'unresolved_turns' });
  });

  test('two negative messages in a row hand off; one does not', () => {
    expect(decide(context('This is unacceptable, terrible service!!'), POLICY)).toEqual({ escalate: false });
    expect(decide(context('This is unacceptable, terrible service!!', { previousCustomerMessages: ['Useless. I am so frustrated.'] }), POLICY))
      .toEqual({ escalate: true, reason: 'negative_sentiment' });
    expect(decide(context('Thanks, that helped', { previousCustomerMessages: ['Useless. I am so frustrated.'] }), POLICY)).toEqual({ escalate: false });
  });

  test('a legal threat wins over every other trigger', () => {
    expect(decide(context('I will sue you over this refund of $5,000', { unresolvedTurns: 9, guardrailIntervened: true }), POLICY))
      .toEqual({ escalate: true, reason: 'legal_threat' });
  });
});

describe('sentimentOf (the lexicon heuristic)', () => {
  test.each([
    ['This is terrible and useless', -1],
    ['C\'est inadmissible, une arnaque', -1],
    ['Das ist eine Frechheit, ich bin wütend', -1],
    ['太差了，我很生气', -1],
    ['Es una estafa, estoy harto', -1],
    ['Thank you, perfect!', 1],
    ['Where is my parcel?', 0],
  ])('%s scores %d', (text, score) => {
    expect(sentimentOf(text)).toBe(score);
  });

  test('whole words only: "hated" is not "hate", "scampi" not "scam"; mixed messages land between', () => {
    expect(sentimentOf('I ordered scampi')).toBe(0);
    expect(sentimentOf('I hated waiting')).toBe(0);
    expect(sentimentOf('terrible delay, but thanks for the help')).toBe(0);
  });

  test('a negative trend is the last two messages at or below -0.5', () => {
    expect(isNegativeTrend([0, -1, -1])).toBe(true);
    expect(isNegativeTrend([-1, 0])).toBe(false);
    expect(isNegativeTrend([-1])).toBe(false);
  });
});

describe('largestAmount', () => {
  test.each([
    ['€1,250.50', 1250.5], ['1.250,50 EUR', 1250.5], ['300元', 300], ['$12.99 or $5', 12.99], ['250 euros', 250],
    ['order 123456', undefined], ['250eurox', undefined],
  ])('%s is %p', (text, amount) => {
    expect(largestAmount(text)).toBe(amount);
  });
});

describe('buildHandOff', () => {
  const at = Date.UTC(2026, 11, 7, 10);
  const message = (i: number, role: 'user' | 'assistant', text = `message ${i}`) => ({ conversationId: 'c1', messageId: `m${i}`, role, text, createdAt: at + i });

  test('an extractive summary quotes the first and latest customer message; the transcript is the latest messages, each cut', () => {
    const messages = Array.from({ length: 30 }, (_, i) => message(i, i % 2 === 0 ? 'user' : 'assistant', i === 28 ? 'x'.repeat(5_000) : undefined));
    const handOff = buildHandOff({ conversationId: 'c1', customer: { sub: SUB, tier: 'standard', language: 'en' }, reason: 'unresolved_turns', messages });
    expect(handOff.summary).toContain('several answers did not resolve the question');
    expect(handOff.summary).toContain('"message 0"');
    expect(handOff.transcript).toHaveLength(TRANSCRIPT_MESSAGES);
    expect(handOff.transcript[0]).toEqual({ role: 'user', text: 'message 10', at: new Date(at + 10).toISOString() });
    expect([...handOff.transcript[18].text]).toHaveLength(TRANSCRIPT_MESSAGE_CHARACTERS);
    expect(handOff.sentimentTrend).toHaveLength(10);
    expect(handOff.orders).toBeUndefined();
    expect(handOff.suggestedReply).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(handOff))).toBeLessThan(256 * 1024);
  });
});

describe('the tenant\'s texts that tell the customer how to reach a person', () => {
  test.each(['degraded_answer', 'offer_human_agent', 'knowledge_unavailable'] as const)('%s quotes, in each language, a phrase that hands off', (key) => {
    for (const [language, text] of Object.entries(TENANT_MESSAGES[key])) {
      const quoted = /["«“„]\u00a0?([^"»”“]+?)\u00a0?["»”“]/.exec(text)?.[1];
      expect({ language, trigger: quoted && findEscalationTrigger(quoted)?.reason }).toEqual({ language, trigger: 'human_requested' });
    }
  });
});
