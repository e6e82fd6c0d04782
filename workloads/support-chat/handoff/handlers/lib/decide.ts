import type { EscalationContext, EscalationDecision } from './hand-off-port';
import { isNegativeTrend, sentimentOf } from './sentiment';
import { findEscalationTrigger } from '../../../language/handlers/lib/escalation-triggers';
import { containsPhrase, matchingForm, wordText } from '../../../language/handlers/lib/word-boundaries';

/** The thresholds of the hand-off triggers (config `workloads.supportChat.handOff`, the settings' `unresolvedTurns`). */
export interface HandOffPolicy {
  /** Assistant answers without resolution after which the next message goes to a person. */
  readonly unresolvedTurns: number;
  /** A refund asked for over this amount (in the shop's currency) goes to a person, whatever the tier. */
  readonly refundApprovalThreshold: number;
  /** Tiers whose refund or cancellation questions go to a person. @default ['premium'] */
  readonly premiumTiers?: readonly string[];
}

/** Refund words, five languages, matching form. */
const REFUND = ['refund', 'money back', 'reembolso', 'devolucion del dinero', '退款', '退钱', 'remboursement', 'rembourser', 'erstattung', 'ruckerstattung', 'geld zuruck']
  .map(matchingForm);
/** Cancellation words, five languages, matching form. */
const CANCELLATION = ['cancel', 'cancellation', 'cancelar', 'cancelacion', 'anular', '取消', 'annuler', 'annulation', 'stornieren', 'stornierung', 'kundigen', 'kundigung']
  .map(matchingForm);

const NUMBER = String.raw`\d{1,3}(?:[.,\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const CURRENCY = String.raw`[€$£¥￥]|eur|euros?|usd|dollars?|gbp|pounds?|chf|cny|rmb|元|块|欧元|美元|英镑`;
/** An amount with a currency before or after it (`€250`, `250 EUR`, `1.250,50 €`, `300元`). */
const MONEY = new RegExp(String.raw`(?:(?:${CURRENCY})\s?(${NUMBER}))|(?:(${NUMBER})\s?(?:${CURRENCY})(?![a-z]))`, 'giu');

/**
 * The largest amount of money a message names: a number next to a currency sign, code or word, thousands separators
 * understood when they group by three (`€1,250.50`, `1.250,50 EUR`, `300元`); an order number without a currency is not
 * an amount. Heuristic: it does not convert currencies or know which amount is the refund.
 */
export function largestAmount(text: string): number | undefined {
  const amounts = [...text.matchAll(MONEY)].map((m) => {
    const raw = (m[1] ?? m[2]).replace(/\s/g, ' ');
    const decimal = /[.,]\d{1,2}$/.exec(raw);
    const whole = (decimal ? raw.slice(0, -decimal[0].length) : raw).replace(/[.,\u00a0 ]/g, '');
    return Number(whole) + (decimal ? Number(`0.${decimal[0].slice(1)}`) : 0);
  });
  return amounts.length > 0 ? Math.max(...amounts) : undefined;
}

function mentions(text: string, words: readonly string[]): boolean {
  const form = wordText(text);
  return words.some((w) => containsPhrase(form, w));
}

/**
 * Whether a message goes to a person, and why; the first trigger that holds, in this order: a legal threat or an explicit
 * request for a person (`findEscalationTrigger`), a guardrail intervention, a refund over the threshold, a premium
 * customer asking about a refund or a cancellation, negative sentiment (the last two customer messages, this one
 * included, each at or below -0.5 by the `sentimentOf` lexicon heuristic), too many unresolved turns. No model call.
 */
export function decide(context: EscalationContext, policy: HandOffPolicy): EscalationDecision {
  const trigger = findEscalationTrigger(context.text);
  if (trigger) return { escalate: true, reason: trigger.reason };
  if (context.guardrailIntervened) return { escalate: true, reason: 'guardrail_intervened' };
  const refund = mentions(context.text, REFUND);
  if (refund && (largestAmount(context.text) ?? 0) > policy.refundApprovalThreshold) return { escalate: true, reason: 'refund_over_limit' };
  const premium = (policy.premiumTiers ?? ['premium']).includes(context.customer.tier);
  if (premium && (refund || mentions(context.text, CANCELLATION))) return { escalate: true, reason: 'premium_refund_or_cancellation' };
  const trend = [...(context.previousCustomerMessages ?? []), context.text].map(sentimentOf);
  if (isNegativeTrend(trend)) return { escalate: true, reason: 'negative_sentiment' };
  if (context.unresolvedTurns >= (context.unresolvedTurnsLimit ?? policy.unresolvedTurns)) return { escalate: true, reason: 'unresolved_turns' };
  return { escalate: false };
}
