import { SUPPORTED_LANGUAGES, isSupportedLanguage } from '../../../language/handlers/lib/languages';
import { tenantMessage } from '../../../language/handlers/lib/tenant-messages';

/*
 * What the analytics export keeps of one conversation: counts, times, outcomes and categories, never a text the customer
 * or the model wrote (no message, comment, transcript or tool input) and never the customer's identity (a keyed
 * pseudonym instead). Built from the conversation's items in the customer's partition (`CONV#<id>#…`: messages, the
 * hand-off state, the rating, tool calls), with no other source.
 */

/** One answered turn: how long its first token took and which inference profile answered, when the turn stored them. */
export interface TurnRecord {
  readonly conversation_id: string;
  readonly answered_at: string;
  /** Milliseconds from the turn's start to its first text. @default null: not stored with the answer */
  readonly first_token_ms: number | null;
  /** The inference profile that answered. @default null: not stored (the degraded answer, a tenant text, an older answer) */
  readonly profile: string | null;
}

/** One conversation as exported (one JSON line; the keys are the Glue table's columns). */
export interface ConversationRecord {
  readonly conversation_id: string;
  /** HMAC-SHA-256 of the customer's `sub` with the tenant's pseudonym key (KMS: the key never leaves it), hex. */
  readonly customer_pseudonym: string;
  /** The language of the customer's latest message that has one. */
  readonly language: string | null;
  /** ISO 8601 times of the first and the latest message. */
  readonly started_at: string;
  readonly ended_at: string;
  /** The customer's messages. */
  readonly turns: number;
  /** The answers stored (the model's, the tenant's texts, the escalation notice). */
  readonly answers: number;
  /** See `isResolved`. */
  readonly resolved: boolean;
  /** The conversation was handed off to a person. */
  readonly escalated: boolean;
  /** Why (the hand-off's reason code), when escalated. */
  readonly escalation_reason: string | null;
  /** The customer's CSAT score (1–5, the last rating), when rated. */
  readonly csat_score: number | null;
  /** Knowledge categories of the documents the answers cited (`policies`, `shipping`, …) and the tools the answers called. */
  readonly topics: string[];
  /** The sum of the answers' `costUsd`, when any answer carries one. */
  readonly cost_usd: number | null;
  /** Answers that carry a `costUsd` (so a partial sum is visible as such). */
  readonly costed_answers: number;
}

/** An item of the conversation table as DynamoDB returns it (document client). */
export type ConversationItem = Record<string, unknown>;

/**
 * The tenant's own answers that are not an answer to the question: "I don't have that information" (with the offer of
 * a person), the knowledge base being unavailable, and the degraded answer, in every language. A conversation whose last
 * answer is one of them (or ends with the offer, as a grounding-blocked answer does) is not resolved.
 */
const NO_ANSWER_TEXTS: readonly string[] = SUPPORTED_LANGUAGES.flatMap((language) =>
  (['offer_human_agent', 'knowledge_unavailable', 'degraded_answer'] as const).map((key) => tenantMessage(key, language)));

/** The category of a cited document: the first folder of its key (`policies/returns.md` → `policies`). */
function categoryOf(documentId: unknown): string | undefined {
  if (typeof documentId !== 'string') return undefined;
  const slash = documentId.indexOf('/');
  return slash > 0 ? documentId.slice(0, slash) : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The conversation's record from its items, or undefined when it has no message (expired or never written). `pseudonym`
 * is the customer's keyed pseudonym; `degradedText` the tenant's override of the degraded answer (`DEGRADED_TEXT`), if any.
 *
 * Resolved: not handed off, its latest customer message has an answer, and that answer is not one of the tenant's own
 * no-answer texts. It is a proxy: a customer who left satisfied without saying so and one who gave up look the same
 * (the CSAT score tells them apart when given).
 */
export function conversationRecord(
  conversationId: string, pseudonym: string, items: readonly ConversationItem[], options: { degradedText?: string } = {},
): { conversation: ConversationRecord; turns: TurnRecord[] } | undefined {
  const messages = items
    .filter((i) => typeof i.sk === 'string' && i.sk.includes('#MSG#') && (i.role === 'user' || i.role === 'assistant') && typeof i.createdAt === 'number')
    .sort((a, b) => (a.sk as string).localeCompare(b.sk as string));
  if (messages.length === 0) return undefined;
  const user = messages.filter((m) => m.role === 'user');
  const answers = messages.filter((m) => m.role === 'assistant');
  const handOff = items.find((i) => typeof i.sk === 'string' && i.sk.endsWith('#HANDOFF') && i.withAgent === true);
  const rating = items.find((i) => typeof i.sk === 'string' && i.sk.endsWith('#RATING'));
  const score = typeof rating?.score === 'number' && Number.isInteger(rating.score) && rating.score >= 1 && rating.score <= 5 ? rating.score : null;
  const language = [...user].reverse().map((m) => m.language).find(isSupportedLanguage) ?? null;

  const topics = new Set<string>();
  for (const answer of answers) {
    for (const citation of Array.isArray(answer.citations) ? answer.citations as { documentId?: unknown }[] : []) {
      const category = categoryOf(citation?.documentId);
      if (category) topics.add(category);
    }
  }
  for (const tool of items.filter((i) => typeof i.sk === 'string' && i.sk.includes('#TOOL#') && typeof i.name === 'string')) topics.add(tool.name as string);

  const costs = answers.map((a) => a.costUsd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c) && c >= 0);
  const lastUser = user[user.length - 1];
  const lastAnswer = lastUser && answers.find((a) => a.messageId === lastUser.messageId);
  const noAnswer = [...NO_ANSWER_TEXTS, ...(options.degradedText ? [options.degradedText] : [])];
  const gaveNoAnswer = (text: unknown) => typeof text === 'string' && noAnswer.some((t) => text === t || text.endsWith(`\n\n${t}`));
  const escalated = handOff !== undefined;
  return {
    conversation: {
      conversation_id: conversationId,
      customer_pseudonym: pseudonym,
      language,
      started_at: iso(messages[0].createdAt as number),
      ended_at: iso(messages[messages.length - 1].createdAt as number),
      turns: user.length,
      answers: answers.length,
      resolved: !escalated && lastAnswer !== undefined && !gaveNoAnswer(lastAnswer.text),
      escalated,
      escalation_reason: escalated && typeof handOff.reason === 'string' ? handOff.reason : null,
      csat_score: score,
      topics: [...topics].sort(),
      cost_usd: costs.length > 0 ? Math.round(costs.reduce((a, b) => a + b, 0) * 1e6) / 1e6 : null,
      costed_answers: costs.length,
    },
    turns: answers.map((a) => ({
      conversation_id: conversationId,
      answered_at: iso(a.createdAt as number),
      first_token_ms: typeof a.firstTokenMs === 'number' && Number.isFinite(a.firstTokenMs) ? Math.round(a.firstTokenMs) : null,
      profile: typeof a.profile === 'string' ? a.profile : null,
    })),
  };
}
