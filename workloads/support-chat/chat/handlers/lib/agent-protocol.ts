import { echoableId } from './conversation-keys';
import { type FrameError, inputRefusal, relayRefusal } from './error-frames';
import type { ErrorCode } from './frames';
import { isRefundAmount } from '../../../handoff/handlers/lib/refund-approvals';
import { DEFAULT_LANGUAGE } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';
import { ORDER_ID } from '../../../orders/handlers/lib/order-input';

/*
 * Who may send which action over the chat's WebSocket, decided in one place (`authorizeAction`) from the groups the
 * `$connect` authorizer put in the connection's context, never from the body; and the agent actions' bodies.
 */

/** The actions of a customer: a message, the resume of one, the rating of the conversation. */
export const CUSTOMER_ACTIONS = ['sendMessage', 'resume', 'rate'] as const;

/** The actions of a human agent (the user pool's `agent` group). */
export const AGENT_ACTIONS = ['listHandOffs', 'joinConversation', 'agentReply', 'leaveConversation', 'approveRefund', 'rejectRefund'] as const;

export type CustomerAction = typeof CUSTOMER_ACTIONS[number];
export type AgentAction = typeof AGENT_ACTIONS[number];

/** The agent actions on a conversation's pending refund approval (the relay's: docs/adr/0033-support-chat-refund-approval-by-callback.md). */
export type RefundAgentAction = Extract<AgentAction, 'approveRefund' | 'rejectRefund'>;

/** The agent actions the turn carries out on the conversation (`listHandOffs` and the refund decisions are the relay's alone). */
export type ConversationAgentAction = Exclude<AgentAction, 'listHandOffs' | RefundAgentAction>;

/** The longest display name kept, in code points (the rest is cut). */
export const MAX_DISPLAY_NAME = 64;

/** The name an agent without `name` or `preferred_username` is shown by. */
export const DEFAULT_AGENT_NAME = 'Agent';

export function isAgentAction(action: unknown): action is AgentAction {
  return typeof action === 'string' && (AGENT_ACTIONS as readonly string[]).includes(action);
}

export function isCustomerAction(action: unknown): action is CustomerAction {
  return typeof action === 'string' && (CUSTOMER_ACTIONS as readonly string[]).includes(action);
}

/** The groups of the authorizer's context (`groups`: the role groups joined with commas). */
export function groupsOf(groups: string | undefined): readonly string[] {
  return typeof groups === 'string' ? groups.split(',').map((g) => g.trim()).filter((g) => g.length > 0) : [];
}

/**
 * The one authorization of the chat's actions: `sendMessage` and `resume` need the `customer` group, the agent actions
 * the `agent` group, of the connection's authorizer context. `allowed` for those; `forbidden` for a known action of the
 * other role (a customer's `agentReply`); `unknown` for anything else (a malformed body, `bad_request`).
 */
export function authorizeAction(action: unknown, groups: string | undefined): 'allowed' | 'forbidden' | 'unknown' {
  const held = groupsOf(groups);
  if (isCustomerAction(action)) return held.includes('customer') ? 'allowed' : 'forbidden';
  if (isAgentAction(action)) return held.includes('agent') ? 'allowed' : 'forbidden';
  return 'unknown';
}

/**
 * A display name as the customer sees it: the authorizer's `name` (the token's `name`, else `preferred_username`),
 * without control characters, trimmed, at most `MAX_DISPLAY_NAME` code points; `DEFAULT_AGENT_NAME` when empty.
 */
export function displayNameOf(name: unknown): string {
  if (typeof name !== 'string') return DEFAULT_AGENT_NAME;
  // eslint-disable-next-line no-control-regex
  const clean = [...name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim()].slice(0, MAX_DISPLAY_NAME).join('').trim();
  return clean.length > 0 ? clean : DEFAULT_AGENT_NAME;
}

/** The agent as the relay passes it to the turn: from the authorizer's context, never from the body. */
export interface AgentIdentity {
  readonly sub: string;
  readonly name: string;
}

/** An agent's action on one conversation, checked. */
export interface AgentConversationRequest {
  readonly action: ConversationAgentAction;
  /** The customer's Cognito `sub`: the conversation's partition. */
  readonly customer: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** `agentReply`: the reply. */
  readonly text?: string;
  /** `leaveConversation`: close the hand-off too. */
  readonly close?: boolean;
}

/** An agent's decision on a conversation's pending refund approval. */
export interface AgentRefundRequest {
  readonly action: RefundAgentAction;
  readonly customer: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** The order the refund is for (one the hand-off carries). */
  readonly orderId: string;
  /** `approveRefund`: the amount approved, a positive number of at most two decimals. */
  readonly amount?: number;
  /** `rejectRefund`: why, for the workflow's history (optional). */
  readonly reason?: string;
}

export type CheckedAgentMessage =
  | { readonly ok: true; readonly request: AgentConversationRequest | AgentRefundRequest | { readonly action: 'listHandOffs'; readonly messageId: string } }
  | { readonly ok: false; readonly ids: { readonly conversationId: string; readonly messageId: string }; readonly refusal: FrameError };

/** Cognito `sub` values are UUIDs (as `checkedSub`). */
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `bad_request` with the protocol's text. */
function badRequest(): FrameError {
  return { code: 'bad_request', message: tenantMessage('bad_request', DEFAULT_LANGUAGE) };
}

/**
 * Checks an agent action's body (already a JSON object with an agent `action`): ids of the client-id rule, `customer` a
 * Cognito sub, for `agentReply` a non-empty `text` of at most `maxInputCharacters` code points, for `leaveConversation`
 * an optional boolean `close`, for `approveRefund` and `rejectRefund` as `checkedRefund`. Agents read English refusals.
 */
export function checkAgentMessage(message: Record<string, unknown>, maxInputCharacters = Number.POSITIVE_INFINITY): CheckedAgentMessage {
  const ids = { conversationId: echoableId(message.conversationId), messageId: echoableId(message.messageId) };
  if (ids.messageId === 'invalid') return { ok: false, ids, refusal: relayRefusal('badIds') };
  if (message.action === 'listHandOffs') return { ok: true, request: { action: 'listHandOffs', messageId: ids.messageId } };
  const action = message.action as Exclude<AgentAction, 'listHandOffs'>;
  if (ids.conversationId === 'invalid' || typeof message.customer !== 'string' || !SUB.test(message.customer)) {
    return { ok: false, ids, refusal: relayRefusal('badIds') };
  }
  if (action === 'approveRefund' || action === 'rejectRefund') return checkedRefund({ action, customer: message.customer, ...ids }, message, maxInputCharacters);
  const base = { action, customer: message.customer, ...ids };
  if (action === 'joinConversation') return { ok: true, request: base };
  if (action === 'leaveConversation') {
    if (message.close !== undefined && typeof message.close !== 'boolean') return { ok: false, ids, refusal: badRequest() };
    return { ok: true, request: { ...base, ...(message.close === true ? { close: true } : {}) } };
  }
  if (typeof message.text !== 'string' || message.text.trim().length === 0) return { ok: false, ids, refusal: relayRefusal('missingText') };
  if ([...message.text].length > maxInputCharacters) return { ok: false, ids, refusal: inputRefusal('input_too_long', maxInputCharacters) };
  return { ok: true, request: { ...base, text: message.text } };
}

/**
 * A refund decision's body: `orderId` an order id; `approveRefund` a positive `amount` of at most two decimals (whether
 * it is within what was asked is the pending approval's to say); `rejectRefund` an optional `reason` string of at most
 * `maxInputCharacters` code points.
 */
function checkedRefund(
  base: Omit<AgentRefundRequest, 'orderId'>, message: Record<string, unknown>, maxInputCharacters: number,
): CheckedAgentMessage {
  const ids = { conversationId: base.conversationId, messageId: base.messageId };
  if (typeof message.orderId !== 'string' || !ORDER_ID.test(message.orderId)) return { ok: false, ids, refusal: badRequest() };
  if (base.action === 'approveRefund') {
    if (!isRefundAmount(message.amount)) return { ok: false, ids, refusal: badRequest() };
    return { ok: true, request: { ...base, orderId: message.orderId, amount: message.amount } };
  }
  if (message.reason !== undefined && typeof message.reason !== 'string') return { ok: false, ids, refusal: badRequest() };
  if (typeof message.reason === 'string' && [...message.reason].length > maxInputCharacters) return { ok: false, ids, refusal: inputRefusal('input_too_long', maxInputCharacters) };
  return { ok: true, request: { ...base, orderId: message.orderId, ...(typeof message.reason === 'string' ? { reason: message.reason } : {}) } };
}

/** The refusals of the agent side: not the connection's role, or a conversation the agent may not act on (English). */
export type AgentRefusalCode = Extract<ErrorCode, 'forbidden' | 'not_handed_off' | 'conversation_closed' | 'not_joined' | 'refund_not_pending' | 'order_not_in_hand_off'>;

export function agentRefusal(code: AgentRefusalCode): FrameError {
  return { code, message: tenantMessage(code, DEFAULT_LANGUAGE) };
}
