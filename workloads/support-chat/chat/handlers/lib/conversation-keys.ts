/**
 * The conversation table's key layout: every item of one user sits under the partition key `USER#<sub>`, so a session
 * policy with `dynamodb:LeadingKeys` can confine a handler to that user's items (`session-policy.ts`).
 *
 * - `CONV#<conversationId>#MSG#<createdAt, 13 digits>#<messageId>#<u|a>`: a message (user or assistant), in time order;
 * - `CONV#<conversationId>#ID#<messageId>`: the idempotency record of one user message: which message item holds it and,
 *   once answered, which holds the answer (a retry or a reconnecting client finds both by the client's `messageId`);
 * - `CONV#<conversationId>#AGENT#<messageId>`: the idempotency record of one human agent's message (which message item
 *   holds it; the message is an `assistant` item with the agent's name);
 * - `CONV#<conversationId>#TOOL#<messageId>#<round, 2 digits>#<call, 2 digits>`: a tool call the answer to one user message
 *   made (the model's input and the result it got), kept beside the messages and never read as history;
 * - `BUDGET#<yyyy-mm-dd>`: the user's tokens of the day (`budget-counter.ts`);
 * - `RATE#<yyyy-mm-ddThh:mm>`: the user's messages of the minute (per-user throttling, the same counter), as the turn
 *   counts them.
 *
 * The relay counts the user's messages of the minute before the turn runs under a partition of its own,
 * `RATE#<sub>` / `MINUTE#<yyyy-mm-ddThh:mm>` (`relayRateKey`): its role may touch only partitions that begin with
 * `RATE#` (`dynamodb:LeadingKeys`), never a user's conversation.
 */

/** Cognito `sub` values are UUIDs; anything else (a `*`, a `#`) could widen a key prefix or a policy, so it is refused. */
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Conversation and message ids are the client's: 1 to 64 of letters, digits, `-` and `_` (`CLIENT_ID_RULE`). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** `ID` in words, for the messages that refuse an id. */
export const CLIENT_ID_RULE = '1 to 64 of A-Z a-z 0-9 - _';

/**
 * A conversation or message id from a request as a frame, a log line or a trace may carry it: the id when it is well
 * formed, else `invalid` (a bad id is reported, never reflected).
 */
export function echoableId(id: unknown): string {
  return typeof id === 'string' && ID.test(id) ? id : 'invalid';
}

/** Raised for an id that may not be used in a key. */
export class InvalidKeyError extends Error {
  constructor(what: string, value: string) {
    super(`${what} must match ${what === 'user id' ? 'a Cognito sub (UUID)' : CLIENT_ID_RULE}; found ${JSON.stringify(value.slice(0, 80))}`);
    this.name = 'InvalidKeyError';
  }
}

export function checkedSub(sub: string): string {
  if (!SUB.test(sub)) throw new InvalidKeyError('user id', sub);
  return sub;
}

export function checkedId(what: 'conversation id' | 'message id', id: string): string {
  if (!ID.test(id)) throw new InvalidKeyError(what, id);
  return id;
}

/** The partition key of one user's items. */
export const userKey = (sub: string) => `USER#${checkedSub(sub)}`;

export const messagePrefix = (conversationId: string) => `CONV#${checkedId('conversation id', conversationId)}#MSG#`;

export const messageKey = (conversationId: string, createdAt: number, messageId: string, role: 'user' | 'assistant') =>
  `${messagePrefix(conversationId)}${String(createdAt).padStart(13, '0')}#${checkedId('message id', messageId)}#${role === 'user' ? 'u' : 'a'}`;

export const idempotencyKey = (conversationId: string, messageId: string) =>
  `CONV#${checkedId('conversation id', conversationId)}#ID#${checkedId('message id', messageId)}`;

/** The idempotency record of one agent's message (its `messageId` is the agent's, apart from the customer's ids). */
export const agentMessageKey = (conversationId: string, messageId: string) =>
  `CONV#${checkedId('conversation id', conversationId)}#AGENT#${checkedId('message id', messageId)}`;

/** The prefix of every tool call of a conversation. */
export const conversationToolCallPrefix = (conversationId: string) => `CONV#${checkedId('conversation id', conversationId)}#TOOL#`;

/** The prefix of the tool calls of the answer to one user message. */
export const toolCallPrefix = (conversationId: string, messageId: string) =>
  `CONV#${checkedId('conversation id', conversationId)}#TOOL#${checkedId('message id', messageId)}#`;

/** One tool call: its round in the answer and its place in the round (each 0 to 99). */
export const toolCallKey = (conversationId: string, messageId: string, round: number, index: number) => {
  if (![round, index].every((n) => Number.isInteger(n) && n >= 0 && n < 100)) throw new RangeError(`a tool call's round and index are 0 to 99, not ${round} and ${index}`);
  return `${toolCallPrefix(conversationId, messageId)}${String(round).padStart(2, '0')}#${String(index).padStart(2, '0')}`;
};

export const budgetKey = (day: string) => `BUDGET#${day}`;

/** The user's messages of one UTC minute (`yyyy-mm-ddThh:mm`), for the per-user rate. */
export const rateKey = (minute: string) => `RATE#${minute}`;

/** The prefix of the relay's rate partitions: the relay's role may use no other (`RELAY_RATE_LEADING_KEYS`). */
export const RELAY_RATE_PREFIX = 'RATE#';

/** The `dynamodb:LeadingKeys` pattern of the relay's rate partitions. */
export const RELAY_RATE_LEADING_KEYS = `${RELAY_RATE_PREFIX}*`;

/** The relay's count of one user's messages in one UTC minute (`yyyy-mm-ddThh:mm`). */
export const relayRateKey = (sub: string, minute: string) => ({ pk: `${RELAY_RATE_PREFIX}${checkedSub(sub)}`, sk: `MINUTE#${minute}` });
