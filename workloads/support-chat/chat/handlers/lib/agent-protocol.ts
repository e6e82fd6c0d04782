import { echoableId } from './conversation-keys';
import { type FrameError, inputRefusal, relayRefusal } from './error-frames';
import type { ErrorCode } from './frames';
import { DEFAULT_LANGUAGE } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';

/*
 * Who may send which action over the chat's WebSocket, decided in one place (`authorizeAction`) from the groups the
 * `$connect` authorizer put in the connection's context, never from the body; and the agent actions' bodies.
 */

/** The actions of a customer: a message, the resume of one, the rating of the conversation. */
export const CUSTOMER_ACTIONS = ['sendMessage', 'resume', 'rate'] as const;

/** The actions of a human agent (the user pool's `agent` group). */
export const AGENT_ACTIONS = ['listHandOffs', 'joinConversation', 'agentReply', 'leaveConversation'] as const;

export type CustomerAction = typeof CUSTOMER_ACTIONS[number];
export type AgentAction = typeof AGENT_ACTIONS[number];

/** The agent actions the turn carries out on the conversation (`listHandOffs` is the relay's alone). */
export type ConversationAgentAction = Exclude<AgentAction, 'listHandOffs'>;

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

export type CheckedAgentMessage =
  | { readonly ok: true; readonly request: AgentConversationRequest | { readonly action: 'listHandOffs'; readonly messageId: string } }
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
 * an optional boolean `close`. Agents read English refusals.
 */
export function checkAgentMessage(message: Record<string, unknown>, maxInputCharacters = Number.POSITIVE_INFINITY): CheckedAgentMessage {
  const ids = { conversationId: echoableId(message.conversationId), messageId: echoableId(message.messageId) };
  if (ids.messageId === 'invalid') return { ok: false, ids, refusal: relayRefusal('badIds') };
  if (message.action === 'listHandOffs') return { ok: true, request: { action: 'listHandOffs', messageId: ids.messageId } };
  const action = message.action as ConversationAgentAction;
  if (ids.conversationId === 'invalid' || typeof message.customer !== 'string' || !SUB.test(message.customer)) {
    return { ok: false, ids, refusal: relayRefusal('badIds') };
  }
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

/** The refusals of the agent side: not the connection's role, or a conversation the agent may not act on (English). */
export type AgentRefusalCode = Extract<ErrorCode, 'forbidden' | 'not_handed_off' | 'conversation_closed' | 'not_joined'>;

export function agentRefusal(code: AgentRefusalCode): FrameError {
  return { code, message: tenantMessage(code, DEFAULT_LANGUAGE) };
}
