import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * Chooses the conversation history sent with a turn: the conversation's first message, then as many of the latest
 * messages as fit `maxMessages` and the token budget, in order, with the current user message last, shaped as the Converse
 * API requires (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html): the list starts with a
 * `user` message and alternates `user`/`assistant`; otherwise Bedrock answers `ValidationException: A conversation must
 * alternate between user and assistant roles`.
 *
 * The shaping rule, applied in this order:
 * 1. Messages with blank text are dropped; consecutive messages of one role (a retried question, a turn that got no
 *    answer, answers stored in parts) are merged into one, their texts joined by a blank line, in order.
 * 2. Assistant messages before the first user message (a greeting) are dropped: the list must start with `user`. The
 *    conversation's first message, kept always, is thus its first user message.
 * 3. The window: the first message plus the newest messages, walking back from the newest, while the total stays within
 *    `maxMessages` and the history's token estimate within `maxTokens`. The walk stops at the first message that does not
 *    fit, so the window has no gaps. The first message counts against both limits even when it alone exceeds the budget.
 * 4. The current user message is appended (it is not part of the budget), and adjacent messages of one role that the
 *    window or the append brings together (the first message next to a later question; an unanswered question next to the
 *    current one) are merged as in 1. The result starts with `user`, alternates, and ends with the current message.
 */

/** A stored message of the conversation. */
export interface ChatMessage {
  /** Who wrote it. */
  readonly role: 'user' | 'assistant';
  /** Its text. */
  readonly text: string;
}

/** Estimates the tokens of a text. */
export type TokenEstimator = (text: string) => number;

/** CJK ideographs, kana and Hangul: scripts where one character is often a token or more. */
const WIDE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * The default token estimate, conservative (rounded up, errs high): a third of the characters, where models' tokenizers
 * average about four characters of English (and three to four of other Latin-script languages) per token, plus one token
 * per CJK or Hangul character, which a chars/3 rule would underestimate. Not a tokenizer: inject the model's own count
 * when precision matters.
 */
export function estimateTokens(text: string): number {
  let wide = 0;
  let other = 0;
  for (const char of text) {
    if (WIDE_SCRIPT.test(char)) wide++;
    else other++;
  }
  return wide + Math.ceil(other / 3);
}

/** Options of `selectHistory`. */
export interface HistoryOptions {
  /**
   * The most prior messages sent (after merging), the first message included.
   *
   * @default 10
   */
  readonly maxMessages?: number;
  /**
   * The token budget of the prior messages (the current message is not counted).
   *
   * @default 2000
   */
  readonly maxTokens?: number;
  /**
   * The token estimate.
   *
   * @default estimateTokens (about chars/3, conservative)
   */
  readonly estimateTokens?: TokenEstimator;
}

/** The history chosen for a turn. */
export interface SelectedHistory {
  /** The messages to send, the current user message last. */
  readonly messages: readonly ChatMessage[];
  /** The token estimate of the prior messages sent (the current message excluded). */
  readonly historyTokens: number;
  /** Prior messages (after merging) left out by the window. */
  readonly omitted: number;
}

const SEPARATOR = '\n\n';

/** Step 1 and 4 of the rule: drops blank messages and merges adjacent messages of one role. */
export function mergeAdjacent(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    if (message.text.trim().length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === message.role) merged[merged.length - 1] = { role: last.role, text: last.text + SEPARATOR + message.text };
    else merged.push({ role: message.role, text: message.text });
  }
  return merged;
}

/**
 * Chooses the messages sent with a turn: `prior` is the stored conversation, oldest first, without the current message;
 * `current` is the user's new message. See the module comment for the rule.
 */
export function selectHistory(prior: readonly ChatMessage[], current: string, options: HistoryOptions = {}): SelectedHistory {
  const maxMessages = options.maxMessages ?? 10;
  const maxTokens = options.maxTokens ?? 2000;
  const estimate = options.estimateTokens ?? estimateTokens;
  if (!Number.isInteger(maxMessages) || maxMessages < 0) throw new RangeError(`maxMessages must be a non-negative integer, not ${maxMessages}`);
  if (!(maxTokens >= 0)) throw new RangeError(`maxTokens must not be negative, not ${maxTokens}`);
  if (current.trim().length === 0) throw new RangeError('the current message is blank');

  const normalized = mergeAdjacent(prior);
  const firstUser = normalized.findIndex((m) => m.role === 'user');
  const usable = firstUser < 0 ? [] : normalized.slice(firstUser);

  const window: ChatMessage[] = [];
  let historyTokens = 0;
  if (usable.length > 0 && maxMessages > 0) {
    const first = usable[0];
    historyTokens = estimate(first.text);
    const recent: ChatMessage[] = [];
    for (let i = usable.length - 1; i >= 1 && recent.length + 1 < maxMessages; i--) {
      const tokens = estimate(usable[i].text);
      if (historyTokens + tokens > maxTokens) break;
      historyTokens += tokens;
      recent.unshift(usable[i]);
    }
    window.push(first, ...recent);
  }
  const messages = mergeAdjacent([...window, { role: 'user', text: current }]);
  return { messages, historyTokens, omitted: normalized.length - window.length };
}

/** The messages in the Converse API's shape: one text content block each. */
export function toConverseMessages(messages: readonly ChatMessage[]): Message[] {
  return messages.map((m) => ({ role: m.role, content: [{ text: m.text }] }));
}

/**
 * The messages in the Converse API's shape with the user's new message (`current`, the end of the last message) in a
 * `guardContent` block: when a request has `guardContent`, the guardrail evaluates only those blocks
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html, "Evaluate only specific content
 * in a message"), so the history is not evaluated again on every turn: a message the guardrail blocked once (a pasted
 * card number) does not block the rest of the conversation, and the guardrail's text units stay those of one message.
 * The model still reads the guarded text as part of the message. The last message must be the user's and end with
 * `current` (`selectHistory` puts it there, merged after an unanswered question by a blank line).
 *
 * With `groundingSources` (the knowledge base's passages, one block each) the request carries what the guardrail's
 * contextual grounding check needs (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-contextual-grounding-check.html;
 * `GuardrailConverseTextBlock.qualifiers`, https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_GuardrailConverseTextBlock.html):
 * the passages as `grounding_source` and the question as `query`, against which the answer is checked for grounding and
 * relevance (several `grounding_source` blocks are evaluated together). A block qualified only `grounding_source` or
 * `query` is left out of the guardrail's other policies (content, denied topics, words, sensitive information), which
 * evaluate `guard_content` (and unqualified) blocks: so the question is `['query', 'guard_content']`, still checked by
 * every input policy as before, and the passages, the tenant's own documents, only ground. The history stays plain text,
 * outside every evaluation.
 */
export function toGuardedConverseMessages(messages: readonly ChatMessage[], current: string, groundingSources: readonly string[] = []): Message[] {
  const last = messages.at(-1);
  if (!last || last.role !== 'user' || !last.text.endsWith(current)) throw new Error('the last message must be the user\'s, ending with the new question');
  const before = last.text.slice(0, last.text.length - current.length).replace(/\n\n$/, '');
  const question: ContentBlock = groundingSources.length === 0
    ? { guardContent: { text: { text: current } } }
    : { guardContent: { text: { text: current, qualifiers: ['query', 'guard_content'] } } };
  const sources: ContentBlock[] = groundingSources.map((text) => ({ guardContent: { text: { text, qualifiers: ['grounding_source'] } } }));
  const guarded: ContentBlock[] = [...(before.length > 0 ? [{ text: before }] : []), ...sources, question];
  return [...toConverseMessages(messages.slice(0, -1)), { role: 'user', content: guarded }];
}
