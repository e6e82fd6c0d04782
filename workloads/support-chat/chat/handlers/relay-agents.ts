import { agentRefusal, authorizeAction, checkAgentMessage, type ConversationAgentAction, displayNameOf, isAgentAction } from './lib/agent-protocol';
import { type ConnectionIndex, postToConversation } from './lib/connection-index';
import { echoableId } from './lib/conversation-keys';
import { type FrameError, rateLimitedAtRelay, relayRefusal } from './lib/error-frames';
import { encodeFrame, type Frame, type OpenHandOff, postOrGone } from './lib/frames';
import type { TurnRequest } from './turn-core';
import type { RefundApprovals } from '../../handoff/handlers/lib/refund-approvals';

/*
 * The relay's side of human agents (workloads/support-chat/README.md, "Human agents in the conversation"): the one
 * authorization of every action by the connection's groups (`authorizeAction`), the agent actions, and the fan-out of
 * a person's frames to the other connections of a handed-off conversation through the connection index.
 */

/** What the relay's agent side needs (the relay's own dependencies satisfy it). */
export interface AgentRelayDependencies {
  readonly invokeTurn: (request: TurnRequest) => AsyncIterable<string>;
  readonly post: (connectionId: string, frame: string) => Promise<void>;
  /**
   * The connection index in the conversation table (`CONN#` partitions).
   *
   * @default - none: agent actions are answered `not_handed_off`, and nothing is indexed
   */
  readonly connectionIndex?: ConnectionIndex;
  /**
   * The refund approvals waiting for an agent (`CONN#REFUND`) and the workflow's callback (`SendTaskSuccess`,
   * `SendTaskFailure`).
   *
   * @default - none: `approveRefund` and `rejectRefund` are answered `refund_not_pending`
   */
  readonly refunds?: RefundApprovals;
  readonly admit?: (sub: string) => Promise<{ readonly granted: boolean; readonly limit: number }>;
  readonly onTurnFailed?: (error: unknown) => void;
  readonly maxInputCharacters?: number;
}

/** The connection a message came on, from API Gateway and the `$connect` authorizer's context. */
export interface Caller {
  readonly connectionId: string;
  readonly sub: string;
  readonly groups?: string;
  /** The token's `exp`, seconds since the epoch (the authorizer's context: a string). */
  readonly exp?: string | number;
  /** The agent's display name (the authorizer's `name`). */
  readonly name?: string;
}

/** The frame types the turn sends for each agent action that the conversation's other connections get too. */
const SHARED_FRAME: Readonly<Record<ConversationAgentAction, Frame['type']>> = {
  joinConversation: 'agentJoined',
  agentReply: 'message',
  leaveConversation: 'agentLeft',
};

function errorFrame(ids: { conversationId: string; messageId: string }, { code, message }: FrameError, seq = 0): string {
  return encodeFrame({ type: 'error', ...ids, seq, code, message });
}

function expiresAtOf(exp: string | number | undefined): number {
  return typeof exp === 'number' ? exp : Number(exp);
}


/**
 * Handles a message that is not a customer's own: an agent action, or any action the connection's groups do not allow
 * (`forbidden`, nothing stored or invoked). Resolves false, doing nothing, for a customer's action on a customer's
 * connection and for a body without a known action (the customer path answers it, `bad_request`).
 */
export async function relayAgentAction(deps: AgentRelayDependencies, caller: Caller, body: string | null | undefined): Promise<boolean> {
  let message: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    message = parsed as Record<string, unknown>;
  } catch {
    return false;
  }
  const decision = authorizeAction(message.action, caller.groups);
  if (decision === 'unknown') return false;
  const ids = { conversationId: echoableId(message.conversationId), messageId: echoableId(message.messageId) };
  if (decision === 'forbidden') {
    await postOrGone(deps, caller.connectionId, errorFrame(ids, agentRefusal('forbidden'))).catch(deps.onTurnFailed ?? (() => undefined));
    return true;
  }
  if (!isAgentAction(message.action)) return false;
  await agentAction(deps, caller, message).catch(async (error: unknown) => {
    deps.onTurnFailed?.(error);
    await postOrGone(deps, caller.connectionId, errorFrame(ids, relayRefusal('internal'))).catch(() => undefined);
  });
  return true;
}

/** One agent action, from its checked body to its one final frame (a failure before that throws: `internal`). */
async function agentAction(deps: AgentRelayDependencies, caller: Caller, message: Record<string, unknown>): Promise<void> {
  const post = (frame: string) => postOrGone(deps, caller.connectionId, frame);
  const checked = checkAgentMessage(message, deps.maxInputCharacters);
  if (!checked.ok) {
    await post(errorFrame(checked.ids, checked.refusal));
    return;
  }
  const index = deps.connectionIndex;
  const { request } = checked;
  if (request.action === 'listHandOffs') {
    // A reconnected agent is back in the conversations they joined and did not leave (ADR 33).
    const connection = { connectionId: caller.connectionId, name: displayNameOf(caller.name), expiresAt: expiresAtOf(caller.exp) };
    if (index) await index.rejoin(caller.sub, connection);
    const handOffs = await withPendingRefunds(index ? await index.open() : [], deps.refunds);
    await post(encodeFrame({ type: 'handOffs', conversationId: '*', messageId: request.messageId, seq: 0, handOffs }));
    return;
  }
  const ids = { conversationId: request.conversationId, messageId: request.messageId };
  if (!index) {
    await post(errorFrame(ids, agentRefusal('not_handed_off')));
    return;
  }
  if (request.action !== 'joinConversation' && !(await index.joined(request.customer, request.conversationId, caller.connectionId))) {
    await post(errorFrame(ids, agentRefusal('not_joined')));
    return;
  }
  if ('orderId' in request) {
    const agent = { sub: caller.sub, name: displayNameOf(caller.name) };
    const decision = request.action === 'approveRefund'
      ? { approve: true as const, orderId: request.orderId, amount: request.amount! }
      : { approve: false as const, orderId: request.orderId, ...(request.reason !== undefined ? { reason: request.reason } : {}) };
    const refused = deps.refunds ? await deps.refunds.decide(request.customer, request.conversationId, agent, decision) : 'refund_not_pending';
    if (refused === 'bad_request') await post(errorFrame(ids, relayRefusal('badMessage')));
    else if (refused) await post(errorFrame(ids, agentRefusal(refused)));
    else await post(encodeFrame({ type: 'done', ...ids, seq: 0 }));
    return;
  }
  if (request.action === 'agentReply' && deps.admit) {
    const rate = await deps.admit(caller.sub);
    if (!rate.granted) {
      await post(errorFrame(ids, rateLimitedAtRelay(rate.limit)));
      return;
    }
  }
  const agent = { sub: caller.sub, name: displayNameOf(caller.name) };
  const turnRequest: TurnRequest = {
    action: request.action,
    sub: request.customer,
    conversationId: request.conversationId,
    messageId: request.messageId,
    agent,
    ...(request.text !== undefined ? { text: request.text } : {}),
    ...(request.close ? { close: true } : {}),
  };
  let seq = 0;
  let delivered = 0;
  let final = false;
  let attached = true;
  try {
    for await (const line of deps.invokeTurn(turnRequest)) {
      const frame = JSON.parse(line) as Frame;
      seq = frame.seq + 1;
      let out = line;
      if (frame.type === SHARED_FRAME[request.action]) {
        if (frame.type === 'agentJoined') {
          await index.add(request.customer, request.conversationId, {
            connectionId: caller.connectionId, role: 'agent', agentSub: agent.sub, name: agent.name, expiresAt: expiresAtOf(caller.exp),
          });
          await index.rememberJoin(agent.sub, request.customer, request.conversationId);
        } else if (frame.type === 'agentLeft') {
          await index.remove(request.customer, request.conversationId, 'agent', caller.connectionId);
          await index.forgetJoin(agent.sub, request.customer, request.conversationId);
          if (frame.closed) await index.markClosed(request.customer, request.conversationId);
        }
        delivered = await fanOut(deps, index, request.customer, request.conversationId, { ...frame, seq: 0 }, caller.connectionId);
      } else if (frame.type === 'done') {
        out = encodeFrame({ ...frame, delivered });
      }
      if (frame.type === 'done' || frame.type === 'error') final = true;
      if (attached) attached = await post(out);
    }
    if (!final) throw new Error('the turn\'s stream ended without a final frame');
  } catch (error) {
    deps.onTurnFailed?.(error);
    if (!final && attached) await post(errorFrame(ids, relayRefusal('internal'), seq)).catch(() => undefined);
  }
}

/** The open hand-offs, each with the refund approval waiting in it (a failed read of the approvals throws: `internal`). */
async function withPendingRefunds(handOffs: readonly OpenHandOff[], refunds: RefundApprovals | undefined): Promise<OpenHandOff[]> {
  if (!refunds || handOffs.length === 0) return [...handOffs];
  const pending = new Map((await refunds.pending()).map((r) => [`${r.customer}#${r.conversationId}`, r]));
  return handOffs.map((h) => {
    const refund = pending.get(`${h.customer}#${h.conversationId}`);
    return refund ? { ...h, refund: { orderIds: refund.orderIds, requestedAmount: refund.requestedAmount, expiresAt: refund.expiresAt } } : h;
  });
}

/**
 * Posts a person's frame to the conversation's other connections (the customer's and the joined agents'); a connection
 * that answers `GoneException` is taken out of the index, any other failure is reported and skipped. Resolves with how
 * many of the customer's connections got it. `only`: post to that role's connections alone.
 */
export async function fanOut(
  deps: Pick<AgentRelayDependencies, 'post' | 'onTurnFailed'>, index: ConnectionIndex, customer: string, conversationId: string, frame: Frame,
  except: string, only?: 'customer' | 'agent',
): Promise<number> {
  return postToConversation(index, deps.post, customer, conversationId, frame, { except, only, failed: deps.onTurnFailed ?? (() => undefined) });
}

/**
 * After a customer's message ended `handedOff`: the connection joins the conversation's index (agents' replies reach
 * it), the conversation is listed as an open hand-off, and a `sendMessage`'s text goes to the joined agents as a
 * `message` frame `from: 'customer'`. The customer has had their final frame; a failure here is logged, not sent.
 */
export async function afterHandedOff(
  deps: AgentRelayDependencies, caller: Caller, request: Pick<TurnRequest, 'action' | 'conversationId' | 'messageId' | 'text'>, now: number,
): Promise<void> {
  const index = deps.connectionIndex;
  if (!index) return;
  try {
    await index.add(caller.sub, request.conversationId, { connectionId: caller.connectionId, role: 'customer', expiresAt: expiresAtOf(caller.exp) });
    await index.markOpen(caller.sub, request.conversationId);
    if (request.action === 'sendMessage' && typeof request.text === 'string') {
      const frame: Frame = {
        type: 'message',
        conversationId: request.conversationId,
        messageId: request.messageId,
        seq: 0,
        from: 'customer',
        text: request.text,
        at: new Date(now).toISOString(),
      };
      await fanOut(deps, index, caller.sub, request.conversationId, frame, caller.connectionId, 'agent');
    }
  } catch (error) {
    deps.onTurnFailed?.(error);
  }
}
