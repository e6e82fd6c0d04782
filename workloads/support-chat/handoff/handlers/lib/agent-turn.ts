import type { HandOffPort } from './hand-off-port';
import type { AgentIdentity, ConversationAgentAction } from '../../../chat/handlers/lib/agent-protocol';
import { agentRefusal } from '../../../chat/handlers/lib/agent-protocol';
import { checkedId, checkedSub, echoableId } from '../../../chat/handlers/lib/conversation-keys';
import type { ConversationStore, StoredMessage } from '../../../chat/handlers/lib/conversation-store';
import { type FrameError, inputRefusal, messageIdConflict, turnFailure } from '../../../chat/handlers/lib/error-frames';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, type Frame, splitByEncodedBytes } from '../../../chat/handlers/lib/frames';

/*
 * The conversation's part of a human agent's action, run by the turn function (which holds the customer's confined data
 * session) for the relay: the hand-off's state decides whether the agent may act, an agent's reply is stored with the
 * conversation, and the frames the relay posts to the agent and, for the shared ones, to the customer come back on the
 * turn's response stream. Who the agent is comes from the relay (the authorizer's context), never from the body.
 */

/** Messages of the conversation an agent gets on joining (the first and the latest, as `ConversationStore.history`). */
export const JOIN_TRANSCRIPT_MESSAGES = 40;

/** An agent action as the relay hands it to the turn: `sub` is the customer's, `agent` the caller. */
export interface AgentTurnRequest {
  readonly action: ConversationAgentAction;
  readonly sub: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly agent?: AgentIdentity;
  readonly text?: string;
  readonly close?: boolean;
}

/** What an agent action needs of the turn's dependencies. */
export interface AgentTurnDependencies {
  readonly forUser: (sub: string) => Promise<{ readonly store: ConversationStore }>;
  readonly handOff?: HandOffPort;
  readonly limits: { readonly maxInputCharacters: number };
  /** @default Date.now */
  readonly now?: () => number;
}

/** What an agent action did, in the turn's outcome's terms (`handed_off`: the conversation is with a person). */
export interface AgentTurnOutcome {
  readonly result: 'handed_off' | 'refused' | 'failed';
  readonly code: string;
}

/** A frame without its ids and seq, which the action's frames share. */
type Body<F> = F extends Frame ? Omit<F, 'conversationId' | 'messageId' | 'seq'> : never;

/** The author of a stored message as a person reads it. */
function authorOf(message: StoredMessage): { from: 'customer' | 'assistant' | 'agent'; name?: string } {
  if (message.role === 'user') return { from: 'customer' };
  return message.agentName !== undefined ? { from: 'agent', name: message.agentName } : { from: 'assistant' };
}

/**
 * Runs one agent action and sends its frames (one JSON frame per `send`), ending with exactly one final frame (`done`
 * or `error`), whatever fails:
 *
 * - every action: `bad_request` without the agent or with malformed ids; `not_handed_off` for a conversation without a
 *   hand-off (unknown, or never handed off; also a tenant without hand-off), `conversation_closed` for one an agent
 *   closed;
 * - `joinConversation`: the conversation so far as `message` frames (`JOIN_TRANSCRIPT_MESSAGES` at most), `agentJoined`;
 * - `agentReply`: stored once by `messageId` (`message_id_conflict` for another text), then its `message` frame;
 * - `leaveConversation`: with `close`, the hand-off is closed first; then `agentLeft`.
 */
export async function runAgentAction(
  request: AgentTurnRequest, deps: AgentTurnDependencies, send: (data: string) => Promise<void>,
): Promise<AgentTurnOutcome> {
  const now = deps.now ?? Date.now;
  const ids = { conversationId: echoableId(request.conversationId), messageId: echoableId(request.messageId) };
  let seq = 0;
  let ended = false;
  let attached = true;
  const emit = async (body: Body<Frame>) => {
    if (body.type === 'done' || body.type === 'error') ended = true;
    const frame = fitted({ ...body, ...ids, seq: seq++ } as Frame);
    if (!attached) return;
    // The relay stopped reading (its client left): the action goes on, unheard.
    await send(encodeFrame(frame)).catch(() => {
      attached = false;
    });
  };
  const refuse = async (error: FrameError): Promise<AgentTurnOutcome> => {
    await emit({ type: 'error', code: error.code, message: error.message });
    return { result: 'refused', code: error.code };
  };
  try {
    const { agent } = request;
    if (!agent || typeof agent.sub !== 'string' || typeof agent.name !== 'string' || !wellFormed(request)) {
      return await refuse(inputRefusal('bad_ids', deps.limits.maxInputCharacters));
    }
    const state = deps.handOff ? await deps.handOff.state(request.sub, request.conversationId) : 'none';
    if (state === 'none') return await refuse(agentRefusal('not_handed_off'));
    if (state === 'closed') return await refuse(agentRefusal('conversation_closed'));
    const { store } = await deps.forUser(request.sub);
    const at = () => new Date(now()).toISOString();
    switch (request.action) {
      case 'joinConversation': {
        for (const message of await store.history(request.sub, request.conversationId, JOIN_TRANSCRIPT_MESSAGES)) {
          await emit({ type: 'message', ...authorOf(message), text: message.text, at: new Date(message.createdAt).toISOString() });
        }
        await emit({ type: 'agentJoined', name: agent.name, at: at() });
        break;
      }
      case 'agentReply': {
        const text = request.text;
        if (typeof text !== 'string' || text.trim().length === 0) return await refuse(inputRefusal('missing_text', deps.limits.maxInputCharacters));
        if ([...text].length > deps.limits.maxInputCharacters) return await refuse(inputRefusal('input_too_long', deps.limits.maxInputCharacters));
        const stored = await store.putAgentMessage(request.sub, request.conversationId, request.messageId, text, agent.name);
        if (stored.conflict) return await refuse(messageIdConflict());
        const { message } = stored;
        await emit({ type: 'message', from: 'agent', name: message.agentName ?? agent.name, text: message.text, at: new Date(message.createdAt).toISOString() });
        break;
      }
      case 'leaveConversation': {
        if (request.close) await deps.handOff!.close(request.sub, request.conversationId);
        await emit({ type: 'agentLeft', name: agent.name, at: at(), ...(request.close ? { closed: true as const } : {}) });
        break;
      }
      default:
        return await refuse(inputRefusal('bad_ids', deps.limits.maxInputCharacters));
    }
    await emit({ type: 'done' });
    return { result: 'handed_off', code: request.action };
  } catch (error) {
    const failure = turnFailure(error);
    if (!ended) await emit({ type: 'error', code: failure.code, message: failure.message });
    return { result: 'failed', code: failure.code };
  }
}

/** Whether the customer and the ids may be used in keys. */
function wellFormed(request: AgentTurnRequest): boolean {
  try {
    checkedSub(request.sub);
    checkedId('conversation id', request.conversationId);
    checkedId('message id', request.messageId);
    return true;
  } catch {
    return false;
  }
}

/** A frame whose `text` is cut (with `…`) so that it fits `DEFAULT_MAX_FRAME_BYTES` (a long assistant answer in a transcript). */
function fitted(frame: Frame): Frame {
  if (frame.type !== 'message' || Buffer.byteLength(encodeFrame(frame), 'utf8') <= DEFAULT_MAX_FRAME_BYTES) return frame;
  const envelope = Buffer.byteLength(encodeFrame({ ...frame, text: '' }), 'utf8');
  const [first = ''] = splitByEncodedBytes(frame.text, DEFAULT_MAX_FRAME_BYTES - envelope - 3);
  return { ...frame, text: `${first}…` };
}
