import { checkRating, RATING_FRAME_ID, ratedFrame, type Rating } from './rating';
import { checkedSub, echoableId } from '../../../chat/handlers/lib/conversation-keys';
import type { ConversationStore } from '../../../chat/handlers/lib/conversation-store';
import { relayRefusal } from '../../../chat/handlers/lib/error-frames';
import { encodeFrame } from '../../../chat/handlers/lib/frames';
import type { SupportedLanguage } from '../../../language/handlers/lib/languages';

/** What a `rate` request did: `rated` with the score stored, `refused` (malformed, or not this customer's), `failed`. */
export interface RatingOutcome {
  readonly result: 'rated' | 'refused' | 'failed';
  readonly code?: 'bad_request' | 'internal';
  /** The stored score (`rated` only). */
  readonly score?: number;
}

/** What the turn hands over for a `rate`: the user, the message's fields and the store of that user. */
export interface RateRequest {
  readonly sub: string;
  readonly conversationId?: unknown;
  readonly score?: unknown;
  readonly comment?: unknown;
}

/**
 * The turn's answer to a `rate`: checks the rating again (the turn trusts no caller), stores it in the customer's own
 * partition (`ConversationStore.putRating`: a conversation of another customer is not there, so it is refused like an
 * unknown one, with no hint that it exists) and sends exactly one frame: `rated` with the score, or an error frame
 * (`bad_request`, or `internal` when the store fails) with `messageId` `rate`. Never rejects.
 */
export async function rateConversation(
  request: RateRequest, store: () => Promise<Pick<ConversationStore, 'putRating'>>, language: SupportedLanguage, send: (frame: string) => Promise<void>,
): Promise<RatingOutcome> {
  const error = (code: 'bad_request' | 'internal') => send(encodeFrame({
    type: 'error',
    conversationId: echoableId(request.conversationId),
    messageId: RATING_FRAME_ID,
    seq: 0,
    code,
    message: relayRefusal(code === 'internal' ? 'internal' : 'badMessage', language).message,
  })).catch(() => undefined);
  const checked = checkRating(request);
  let sub: string;
  try {
    sub = checkedSub(request.sub);
  } catch {
    await error('bad_request');
    return { result: 'refused', code: 'bad_request' };
  }
  if (!checked.ok) {
    await error('bad_request');
    return { result: 'refused', code: 'bad_request' };
  }
  const rating: Rating = checked.rating;
  let stored: boolean;
  try {
    stored = await (await store()).putRating(sub, rating);
  } catch {
    await error('internal');
    return { result: 'failed', code: 'internal' };
  }
  if (!stored) {
    await error('bad_request');
    return { result: 'refused', code: 'bad_request' };
  }
  await send(ratedFrame(rating.conversationId, rating.score)).catch(() => undefined);
  return { result: 'rated', score: rating.score };
}
