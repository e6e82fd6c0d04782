import type { HandOffPort } from './hand-off-port';
import { buildHandOff, ordersOfToolResults } from './hand-off-record';
import type { ConversationStore } from '../../../chat/handlers/lib/conversation-store';
import type { FrameWriter } from '../../../chat/handlers/lib/frames';
import type { SupportedLanguage } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';
import { ORDER_TOOL_NAME } from '../../../orders/handlers/lib/order-tool';

/** Messages of the conversation the hand-off check reads (one query): the transcript, the sentiment and the turns count. */
export const HAND_OFF_HISTORY_MESSAGES = 40;

/** What the hook knows of the turn: the stored message, its customer and the turn's store and writer. */
export interface HandOffTurn {
  readonly sub: string;
  /** The customer's tier (the token's `custom:tier`). @default 'standard' */
  readonly tier?: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** The customer's message, already stored by the turn. */
  readonly question: string;
  readonly language: SupportedLanguage;
  /** The settings' `limits.unresolvedTurnsBeforeHandOff`. @default - the hand-off's policy */
  readonly unresolvedTurnsLimit?: number;
  readonly store: ConversationStore;
  readonly writer: FrameWriter;
}

/**
 * The hand-off's hook at the start of the answer, after the turn stored the message and before any model call. When the
 * conversation is with a person, the assistant stays silent: the message is stored (the agent reads it) and the turn
 * ends with a `done` frame marked `handedOff`, with no text. When `decide` hands the message off, the hand-off is
 * published (`HandOffPort.handOff`, idempotent per conversation), the escalation notice is stored as the message's
 * answer (a resume replays it) and sent, then `done` marked `handedOff`. Otherwise it does nothing and the assistant
 * answers. Resolves with what it did.
 */
export async function handOffBeforeAnswer(port: HandOffPort, turn: HandOffTurn): Promise<'with_agent' | 'handed_off' | undefined> {
  if (await port.isWithAgent(turn.sub, turn.conversationId)) {
    // The agents' messages stored after this one (a reconnecting customer's resume), each under its own id.
    const messages = await turn.store.history(turn.sub, turn.conversationId, HAND_OFF_HISTORY_MESSAGES);
    const asked = messages.findIndex((m) => m.role === 'user' && m.messageId === turn.messageId);
    for (const m of asked < 0 ? [] : messages.slice(asked + 1)) {
      if (m.agentName === undefined) continue;
      await turn.writer.sendOther({
        type: 'message', conversationId: turn.conversationId, messageId: m.messageId, seq: 0, from: 'agent', name: m.agentName, text: m.text, at: new Date(m.createdAt).toISOString(),
      });
    }
    await turn.writer.end(undefined, [], { handedOff: true });
    return 'with_agent';
  }
  const messages = await turn.store.history(turn.sub, turn.conversationId, HAND_OFF_HISTORY_MESSAGES);
  const customer = { sub: turn.sub, tier: turn.tier ?? 'standard', language: turn.language };
  const decision = await port.decide({
    customer,
    conversationId: turn.conversationId,
    text: turn.question,
    // A human agent's messages are not the assistant's unresolved turns.
    unresolvedTurns: messages.filter((m) => m.role === 'assistant' && m.agentName === undefined).length,
    ...(turn.unresolvedTurnsLimit ? { unresolvedTurnsLimit: turn.unresolvedTurnsLimit } : {}),
    previousCustomerMessages: messages.filter((m) => m.role === 'user' && m.messageId !== turn.messageId).map((m) => m.text),
  });
  if (!decision.escalate) return undefined;
  // The orders the order tool looked up in this conversation (the customer's own), for the person who takes over.
  const orders = ordersOfToolResults(await turn.store.toolResults(turn.sub, turn.conversationId, ORDER_TOOL_NAME));
  await port.handOff(buildHandOff({ conversationId: turn.conversationId, customer, reason: decision.reason, messages, orders }));
  const notice = tenantMessage('escalation_notice', turn.language);
  await turn.store.putAnswer(turn.sub, turn.conversationId, turn.messageId, notice);
  await turn.writer.write(notice);
  await turn.writer.end(undefined, [], { handedOff: true });
  return 'handed_off';
}
