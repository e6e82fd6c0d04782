import type { HandOff, HandOffCustomer, HandOffReason } from './hand-off-port';
import { sentimentOf } from './sentiment';
import type { StoredMessage } from '../../../chat/handlers/lib/conversation-store';

/** Messages of the transcript a hand-off carries, the latest. */
export const TRANSCRIPT_MESSAGES = 20;
/** Characters of one transcript message kept (cut with `…`): 20 messages stay far under EventBridge's 256 KB event. */
export const TRANSCRIPT_MESSAGE_CHARACTERS = 2_000;
/** Characters of each quote in the summary. */
const QUOTE_CHARACTERS = 300;

const REASONS: Readonly<Record<HandOffReason, string>> = {
  human_requested: 'the customer asked for a person',
  legal_threat: 'the customer mentioned legal action',
  low_confidence: 'the assistant had no supporting information',
  unresolved_turns: 'several answers did not resolve the question',
  negative_sentiment: 'the customer\'s messages turned negative',
  guardrail_intervened: 'the AI use policy stopped an answer',
  premium_refund_or_cancellation: 'a premium customer asked about a refund or cancellation',
  refund_over_limit: 'a refund over the approval threshold was asked for',
};

/** Orders a hand-off carries at most (the latest looked up). */
export const HAND_OFF_ORDERS = 10;

/**
 * The orders the order tool showed the model in the conversation (`get_order_status` results: `{found, order}` or
 * `{orders}`), each order once by `orderId`, the latest look-up winning, at most `HAND_OFF_ORDERS`, most recent last.
 * The tool already confined them to the customer and trimmed them (no address, payment or customer id).
 */
export function ordersOfToolResults(results: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  const isOrder = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { orderId?: unknown }).orderId === 'string';
  for (const result of results) {
    const found = result.found === true ? [result.order] : Array.isArray(result.orders) ? result.orders as unknown[] : [];
    for (const order of found.filter(isOrder)) {
      byId.delete(order.orderId as string);
      byId.set(order.orderId as string, order);
    }
  }
  return [...byId.values()].slice(-HAND_OFF_ORDERS);
}

function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/**
 * The hand-off a person receives, built from the stored conversation with no model call: the summary is extractive (the
 * reason in words, the customer's first and latest message quoted), the transcript the latest `TRANSCRIPT_MESSAGES`
 * messages, each cut to `TRANSCRIPT_MESSAGE_CHARACTERS`; the sentiment trend is `sentimentOf` over the customer's
 * messages in it. No suggested reply: that would need a model call, which the turn's time budget does not hold.
 */
export function buildHandOff(args: {
  readonly conversationId: string;
  readonly customer: HandOffCustomer;
  readonly reason: HandOffReason;
  /** The conversation, oldest first, the new message included. */
  readonly messages: readonly StoredMessage[];
  readonly orders?: readonly Record<string, unknown>[];
}): HandOff {
  const latest = args.messages.slice(-TRANSCRIPT_MESSAGES);
  const customerMessages = args.messages.filter((m) => m.role === 'user');
  const first = customerMessages[0];
  const last = customerMessages[customerMessages.length - 1];
  const quotes = first === undefined ? '' : first === last
    ? ` The customer wrote: "${cut(first.text, QUOTE_CHARACTERS)}"`
    : ` The customer first wrote: "${cut(first.text, QUOTE_CHARACTERS)}"; latest: "${cut(last.text, QUOTE_CHARACTERS)}"`;
  return {
    conversationId: args.conversationId,
    customer: args.customer,
    reason: args.reason,
    summary: `Handed off because ${REASONS[args.reason]}; ${customerMessages.length} customer message(s), language ${args.customer.language}.${quotes}`,
    transcript: latest.map((m) => ({ role: m.agentName !== undefined ? 'agent' as const : m.role, text: cut(m.text, TRANSCRIPT_MESSAGE_CHARACTERS), at: new Date(m.createdAt).toISOString() })),
    ...(args.orders && args.orders.length > 0 ? { orders: args.orders } : {}),
    sentimentTrend: latest.filter((m) => m.role === 'user').map((m) => sentimentOf(m.text)),
  };
}
