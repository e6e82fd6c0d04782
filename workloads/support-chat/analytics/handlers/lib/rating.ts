import { checkedId } from '../../../chat/handlers/lib/conversation-keys';

/*
 * CSAT: the customer's rating of a conversation, sent over the WebSocket as
 * `{"action":"rate","conversationId","score","comment"?}`. The relay checks its shape (`checkRating`), the turn stores it
 * in the customer's own partition (`rate-conversation.ts`), so only the customer whose conversation it is can rate it:
 * the turn's session policy confines it to `USER#<sub>`, and a conversation that partition does not hold is refused.
 * The last rating wins: a customer may change their mind, and a retried `rate` is idempotent.
 */

/** The lowest and highest score. */
export const MIN_SCORE = 1;
export const MAX_SCORE = 5;

/** The longest comment, in code points. */
export const MAX_COMMENT_CHARACTERS = 1_000;

/**
 * The `messageId` of the frames that answer a `rate` (it has no message of its own): `rated`, or an error frame. A
 * client's message ids are its own; it tells a rating's frames apart by their `type` and this id.
 */
export const RATING_FRAME_ID = 'rate';

/** A rating as the relay hands it to the turn. */
export interface Rating {
  readonly conversationId: string;
  /** 1 (very unsatisfied) to 5 (very satisfied). */
  readonly score: number;
  /** The customer's words, 1 to `MAX_COMMENT_CHARACTERS` code points (kept with the conversation, never exported). */
  readonly comment?: string;
}

/** The sort key of a conversation's rating, beside its messages in the customer's partition (`CONV#<id>#RATING`). */
export const ratingKey = (conversationId: string) => `CONV#${checkedId('conversation id', conversationId)}#RATING`;

/** Why a rating is refused before anything is stored. */
export type RatingProblem = 'bad_ids' | 'bad_score' | 'bad_comment';

/**
 * A rating from a parsed message body (an object with `action` `rate`), or what is wrong with it: a well-formed
 * conversation id, an integer score of 1 to 5 (not `4.5`, `"5"` or `true`), and an optional comment that is a string
 * of at most `MAX_COMMENT_CHARACTERS` code points (an empty or blank comment counts as none).
 */
export function checkRating(
  message: { conversationId?: unknown; score?: unknown; comment?: unknown },
): { ok: true; rating: Rating } | { ok: false; problem: RatingProblem } {
  if (typeof message.conversationId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(message.conversationId)) return { ok: false, problem: 'bad_ids' };
  const { score, comment } = message;
  if (typeof score !== 'number' || !Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE) return { ok: false, problem: 'bad_score' };
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || [...comment].length > MAX_COMMENT_CHARACTERS)) return { ok: false, problem: 'bad_comment' };
  const kept = typeof comment === 'string' && comment.trim().length > 0 ? { comment } : {};
  return { ok: true, rating: { conversationId: message.conversationId, score, ...kept } };
}

/** The frame that acknowledges a stored rating: `{"type":"rated","conversationId","messageId":"rate","seq":0,"score"}`. */
export function ratedFrame(conversationId: string, score: number): string {
  return JSON.stringify({ type: 'rated', conversationId, messageId: RATING_FRAME_ID, seq: 0, score });
}
