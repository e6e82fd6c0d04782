import type { SupportedLanguage } from '../../../language/handlers/lib/languages';

/*
 * What the turn needs of the hand-off to human agents: whether a conversation is with a person already (the AI then stays
 * silent), whether this message should go to one, and the hand-off itself (an EventBridge event the connector turns into a
 * ticket). The triggers are the issue's: an explicit request, low confidence, too many turns without resolution, negative
 * sentiment, a guardrail intervention, a premium customer asking about a refund or cancellation, a refund over the
 * configured amount.
 */

/** Why a conversation goes to a person. */
export type HandOffReason =
  | 'human_requested' | 'legal_threat' | 'low_confidence' | 'unresolved_turns' | 'negative_sentiment'
  | 'guardrail_intervened' | 'premium_refund_or_cancellation' | 'refund_over_limit';

/** The customer as the hand-off carries them. */
export interface HandOffCustomer {
  readonly sub: string;
  /** The customer's tier (the token's `custom:tier`, `standard` when absent). */
  readonly tier: string;
  readonly language: SupportedLanguage;
}

/** What the turn knows when it asks whether to hand off. */
export interface EscalationContext {
  readonly customer: HandOffCustomer;
  readonly conversationId: string;
  /** The new message. */
  readonly text: string;
  /** Assistant turns in this conversation since the last one the customer marked resolved. */
  readonly unresolvedTurns: number;
  /** The settings' number of unresolved turns that hands off (`limits.unresolvedTurnsBeforeHandOff`). @default - the policy's */
  readonly unresolvedTurnsLimit?: number;
  /** Whether the guardrail intervened on this message. */
  readonly guardrailIntervened?: boolean;
  /** Whether the knowledge base found no supporting passage (`Retrieval.supported`). */
  readonly unsupported?: boolean;
  /** The customer's earlier messages of the conversation, oldest first (for the sentiment trend). @default none */
  readonly previousCustomerMessages?: readonly string[];
}

/** The decision: stay with the assistant, or hand off with a reason. */
export type EscalationDecision = { readonly escalate: false } | { readonly escalate: true; readonly reason: HandOffReason };

/** The hand-off as it travels to the ticketing system (the EventBridge event's `detail`). */
export interface HandOff {
  readonly conversationId: string;
  readonly customer: HandOffCustomer;
  readonly reason: HandOffReason;
  readonly summary: string;
  readonly transcript: readonly { readonly role: 'user' | 'assistant' | 'agent'; readonly text: string; readonly at: string }[];
  readonly orders?: readonly Record<string, unknown>[];
  /** Sentiment of the customer's recent messages, oldest first, each from -1 (negative) to 1 (positive). */
  readonly sentimentTrend: readonly number[];
  readonly suggestedReply?: string;
}

/** The hand-off as the turn uses it. */
export interface HandOffPort {
  /** Whether the conversation is with a person: the assistant then stores the message and stays silent. */
  isWithAgent(sub: string, conversationId: string): Promise<boolean>;
  /** Whether this message hands the conversation off, and why. */
  decide(context: EscalationContext): Promise<EscalationDecision>;
  /** Marks the conversation as with a person and publishes the hand-off; idempotent per conversation. */
  handOff(handOff: HandOff): Promise<void>;
  /** The conversation's hand-off: never handed off (`none`), with a person (`open`), or closed by an agent. */
  state(sub: string, conversationId: string): Promise<HandOffState>;
  /** Closes the hand-off (an agent's `leaveConversation` with `close`): the assistant answers again; idempotent. */
  close(sub: string, conversationId: string): Promise<void>;
}

/** Where a conversation's hand-off stands. */
export type HandOffState = 'none' | 'open' | 'closed';
