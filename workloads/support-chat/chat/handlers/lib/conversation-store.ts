import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { agentMessageKey, conversationToolCallPrefix, idempotencyKey, messageKey, messagePrefix, toolCallKey, toolCallPrefix, userKey } from './conversation-keys';
import { type Rating, ratingKey } from '../../../analytics/handlers/lib/rating';
import type { Citation } from '../../../knowledge/handlers/lib/knowledge-source';
import { isSupportedLanguage, type SupportedLanguage } from '../../../language/handlers/lib/languages';

/** A stored message of a conversation. */
export interface StoredMessage {
  readonly conversationId: string;
  /** The client's id of the user message (the answer carries the id of the message it answers). */
  readonly messageId: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /**
   * The customer's language when the user message was stored (the turn's detection, with the conversation's language
   * as the fallback), so a later message that does not say ("ok") keeps it.
   * @default - none: stored before languages were recorded, or an answer
   */
  readonly language?: SupportedLanguage;
  /** An answer's citations (the knowledge base's documents it was grounded on), so a replay shows them. @default none */
  readonly citations?: readonly Citation[];
  /** A human agent's message (role `assistant`): the agent's display name. @default - the assistant's message */
  readonly agentName?: string;
  /** What the answer's billed calls cost, USD (`cost/handlers/lib/turn-usage.ts`); the analytics export sums it. @default - not costed */
  readonly costUsd?: number;
}

/**
 * A tool call the answer to a user message made: what the model asked (`input`) and what it got back (`result`, only
 * the calling customer's data: the tool filtered it), stored under the user's partition with the conversation's
 * retention, for the transcript and an audit of what the model was shown.
 */
export interface StoredToolCall {
  readonly conversationId: string;
  /** The user message whose answer made the call. */
  readonly messageId: string;
  /** The answer's round of tool calls (0 first) and the call's place in it. */
  readonly round: number;
  readonly index: number;
  readonly toolUseId: string;
  readonly name: string;
  readonly input: unknown;
  readonly status: 'success' | 'error';
  readonly result: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

/** Largest tool input or result stored, in UTF-8 bytes of its JSON (a larger one is cut to a note of its size). */
export const MAX_TOOL_JSON_BYTES = 64 * 1024;

/** Properties of `ConversationStore`. */
export interface ConversationStoreProps {
  readonly tableName: string;
  /** A document client, with credentials confined to the user's items (`session-policy.ts`) in production. */
  readonly client: DynamoDBDocumentClient;
  /** Days a message is kept: DynamoDB deletes it after its `expiresAt` (TTL). */
  readonly retentionDays: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Result of storing a user message: whether this call stored it, and its answer if one was stored before. `conflict`:
 * the message id was stored before with another text; the turn refuses it (`messageIdConflict`, `message_id_conflict`)
 * and gets no answer to replay, since that answer is to another question.
 */
export interface PutUserMessageResult {
  readonly created: boolean;
  readonly message: StoredMessage;
  readonly answer?: StoredMessage;
  /** Set when `created` is false: true when the stored message has another text (then `answer` is never set). */
  readonly conflict?: boolean;
}

/**
 * Whether a message id is reused with another text: the stored text and the sent one differ in any code unit. The same
 * text is a retry (idempotent: the stored answer is replayed).
 */
export function isMessageIdConflict(stored: StoredMessage, text: string): boolean {
  return stored.text !== text;
}

/**
 * Largest message text stored, in UTF-8 bytes. A DynamoDB item holds at most 400 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items); each message is
 * its own item, so a conversation never outgrows one, and a message never comes near: input is capped by
 * `limits.maxInputCharacters` and answers by the model's `maxTokens`.
 */
export const MAX_MESSAGE_BYTES = 350 * 1024;

/** How many of a conversation's latest messages `conversationLanguage` reads. */
export const MESSAGES_READ_FOR_LANGUAGE = 10;

function conditionFailed(error: unknown): boolean {
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
}

/**
 * The conversation store: persist first, stream second. A user message is stored with its client `messageId` before
 * the model is called, together with an idempotency record, in one transaction, so a retried or replayed message is
 * stored once; the answer is stored when the stream ends, and the record then names it, so a client that reconnects
 * finds the answer by `messageId`. Messages expire after `retentionDays` (TTL attribute `expiresAt`).
 *
 * One turn at a time answers a message: the record carries a lease (`leaseUntil`, milliseconds) that the storing turn
 * takes with the message, and that a resume or a repeated message takes only once it expired or was released (`claim`,
 * `release`), so two turns never call the model for the same message.
 */
export class ConversationStore {
  private readonly now: () => number;

  constructor(private readonly props: ConversationStoreProps) {
    this.now = props.now ?? Date.now;
  }

  /**
   * Stores a user message once: a second call with the same ids and text returns the first one (and its answer, if
   * any); with another text it returns `conflict` and the first message only, changing nothing. The call that stores it
   * holds the message's lease until `leaseUntil` (milliseconds since the epoch). `language`: the customer's language,
   * stored with the message (`conversationLanguage` reads it back).
   */
  public async putUserMessage(
    sub: string, conversationId: string, messageId: string, text: string, leaseUntil = 0, language?: SupportedLanguage,
  ): Promise<PutUserMessageResult> {
    const pk = userKey(sub);
    const createdAt = this.now();
    const message: StoredMessage = { conversationId, messageId, role: 'user', text, createdAt, ...(language ? { language } : {}) };
    const sk = messageKey(conversationId, createdAt, messageId, 'user');
    try {
      await this.props.client.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.props.tableName, Item: { pk, sk: idempotencyKey(conversationId, messageId), messageSk: sk, status: 'pending', leaseUntil, expiresAt: this.expiry(createdAt) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.props.tableName, Item: this.item(pk, sk, message), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }));
      return { created: true, message };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const found = await this.find(sub, conversationId, messageId);
      if (!found) throw error;
      if (isMessageIdConflict(found.message, text)) return { created: false, conflict: true, message: found.message };
      return { created: false, conflict: false, message: found.message, answer: found.answer };
    }
  }

  /** Stores the answer to a user message once; a second call returns the answer stored first. */
  public async putAnswer(
    sub: string, conversationId: string, messageId: string, text: string, citations: readonly Citation[] = [],
    cost: { readonly costUsd?: number } = {},
    timing: { readonly firstTokenMs?: number; readonly profile?: string } = {},
  ): Promise<StoredMessage> {
    const pk = userKey(sub);
    const createdAt = this.now();
    const answer: StoredMessage = {
      conversationId,
      messageId,
      role: 'assistant',
      text,
      createdAt,
      ...(citations.length > 0 ? { citations } : {}),
      ...(cost.costUsd !== undefined ? { costUsd: cost.costUsd } : {}),
    };
    // For the analytics export (`analytics/handlers/lib/conversation-record.ts`): the answering profile and its first token.
    const measured = {
      ...(timing.firstTokenMs !== undefined ? { firstTokenMs: timing.firstTokenMs } : {}),
      ...(timing.profile ? { profile: timing.profile } : {}),
    };
    const sk = messageKey(conversationId, createdAt, messageId, 'assistant');
    try {
      await this.props.client.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.props.tableName,
              Key: { pk, sk: idempotencyKey(conversationId, messageId) },
              UpdateExpression: 'SET #status = :answered, answerSk = :sk',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':answered': 'answered', ':pending': 'pending', ':sk': sk },
            },
          },
          { Put: { TableName: this.props.tableName, Item: { ...this.item(pk, sk, answer), ...measured }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }));
      return answer;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const found = await this.find(sub, conversationId, messageId);
      if (!found?.answer) throw new Error(`no pending user message ${messageId} in conversation ${conversationId}`);
      return found.answer;
    }
  }

  /**
   * Stores a human agent's message once, by the agent's `messageId` (an `assistant` item with `agentName`, beside an
   * idempotency record `CONV#<id>#AGENT#<messageId>`, in one transaction): the same id and text again returns the stored
   * message (`created` false); another text returns `conflict` and changes nothing.
   */
  public async putAgentMessage(
    sub: string, conversationId: string, messageId: string, text: string, agentName: string,
  ): Promise<{ readonly created: boolean; readonly conflict: boolean; readonly message: StoredMessage }> {
    const pk = userKey(sub);
    const createdAt = this.now();
    const message: StoredMessage = { conversationId, messageId, role: 'assistant', text, createdAt, agentName };
    const sk = messageKey(conversationId, createdAt, messageId, 'assistant');
    const recordKey = agentMessageKey(conversationId, messageId);
    try {
      await this.props.client.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.props.tableName, Item: { pk, sk: recordKey, messageSk: sk, expiresAt: this.expiry(createdAt) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.props.tableName, Item: this.item(pk, sk, message), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }));
      return { created: true, conflict: false, message };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const record = await this.get(pk, recordKey);
      const stored = record && await this.get(pk, record.messageSk as string);
      if (!stored) throw error;
      const found = this.message(stored);
      return { created: false, conflict: found.text !== text, message: found };
    }
  }

  /**
   * Takes the lease of an unanswered message until `leaseUntil`, if no other turn holds it (no lease, or one that expired
   * or was released). False when another turn is answering it, or it is answered or unknown.
   */
  public async claim(sub: string, conversationId: string, messageId: string, leaseUntil: number): Promise<boolean> {
    return this.setLease(sub, conversationId, messageId, leaseUntil, true);
  }

  /** Gives up the lease of a message this turn did not answer (refused or failed), so a resume can answer it at once. */
  public async release(sub: string, conversationId: string, messageId: string): Promise<void> {
    await this.setLease(sub, conversationId, messageId, 0, false);
  }

  /** Sets the lease of an unanswered message (`onlyIfFree`: and no unexpired lease); false when the condition fails. */
  private async setLease(sub: string, conversationId: string, messageId: string, leaseUntil: number, onlyIfFree: boolean): Promise<boolean> {
    try {
      await this.props.client.send(new UpdateCommand({
        TableName: this.props.tableName,
        Key: { pk: userKey(sub), sk: idempotencyKey(conversationId, messageId) },
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: onlyIfFree ? '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)' : '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':until': leaseUntil, ':pending': 'pending', ...(onlyIfFree ? { ':now': this.now() } : {}) },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The user message with this id and its answer, if stored. */
  public async find(sub: string, conversationId: string, messageId: string): Promise<{ message: StoredMessage; answer?: StoredMessage } | undefined> {
    const pk = userKey(sub);
    const record = await this.get(pk, idempotencyKey(conversationId, messageId));
    if (!record) return undefined;
    const message = await this.get(pk, record.messageSk as string);
    const answer = record.answerSk ? await this.get(pk, record.answerSk as string) : undefined;
    return message && { message: this.message(message), answer: answer && this.message(answer) };
  }

  /**
   * The conversation's first message and its last `limit` messages, oldest first, without repeats: what a turn may
   * send as history (`history.ts` beside this file trims it to the token budget).
   */
  public async history(sub: string, conversationId: string, limit: number): Promise<StoredMessage[]> {
    const query = (forward: boolean, count: number) => this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': messagePrefix(conversationId) },
      ScanIndexForward: forward,
      Limit: count,
      ConsistentRead: true,
    }));
    const [first, last] = await Promise.all([query(true, 1), query(false, limit)]);
    const items = [...(first.Items ?? []), ...[...(last.Items ?? [])].reverse()];
    const seen = new Set<string>();
    return items.filter((i) => !seen.has(i.sk) && seen.add(i.sk)).map((i) => this.message(i));
  }

  /**
   * The language of the conversation's latest user message that has one, among its last `MESSAGES_READ_FOR_LANGUAGE`
   * messages (one query), or `undefined`.
   */
  public async conversationLanguage(sub: string, conversationId: string): Promise<SupportedLanguage | undefined> {
    const result = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': messagePrefix(conversationId) },
      ScanIndexForward: false,
      Limit: MESSAGES_READ_FOR_LANGUAGE,
      ConsistentRead: true,
    }));
    return (result.Items ?? []).map((i) => this.message(i)).find((m) => m.role === 'user' && m.language)?.language;
  }

  /**
   * Stores one tool call of the answer to `messageId` (a plain put: an answer attempt on another model that repeats the
   * round overwrites it with its own call). Input and result are kept as JSON text, each at most `MAX_TOOL_JSON_BYTES`.
   */
  public async putToolCall(sub: string, call: Omit<StoredToolCall, 'createdAt'>): Promise<StoredToolCall> {
    const createdAt = this.now();
    const stored: StoredToolCall = { ...call, createdAt };
    await this.props.client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        pk: userKey(sub),
        sk: toolCallKey(call.conversationId, call.messageId, call.round, call.index),
        conversationId: call.conversationId,
        messageId: call.messageId,
        round: call.round,
        index: call.index,
        toolUseId: call.toolUseId.slice(0, 64),
        name: call.name.slice(0, 64),
        input: cappedJson(call.input),
        status: call.status,
        result: cappedJson(call.result),
        createdAt,
        expiresAt: this.expiry(createdAt),
      },
    }));
    return stored;
  }

  /** The tool calls of the answer to `messageId`, in order. */
  public async toolCalls(sub: string, conversationId: string, messageId: string): Promise<StoredToolCall[]> {
    const result = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': toolCallPrefix(conversationId, messageId) },
      ConsistentRead: true,
    }));
    return (result.Items ?? []).map((i) => ({
      conversationId: i.conversationId as string,
      messageId: i.messageId as string,
      round: i.round as number,
      index: i.index as number,
      toolUseId: i.toolUseId as string,
      name: i.name as string,
      input: JSON.parse(i.input as string) as unknown,
      status: i.status as StoredToolCall['status'],
      result: JSON.parse(i.result as string) as Record<string, unknown>,
      createdAt: i.createdAt as number,
    }));
  }

  /**
   * Stores the customer's rating of a conversation of theirs (`CONV#<id>#RATING`; the last rating wins): false, and
   * nothing stored, when this user's partition holds no message of the conversation (another customer's, or none).
   */
  public async putRating(sub: string, rating: Rating): Promise<boolean> {
    const pk = userKey(sub);
    const found = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': messagePrefix(rating.conversationId) },
      Limit: 1,
      ConsistentRead: true,
    }));
    if ((found.Items ?? []).length === 0) return false;
    const ratedAt = this.now();
    await this.props.client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        pk,
        sk: ratingKey(rating.conversationId),
        conversationId: rating.conversationId,
        score: rating.score,
        ...(rating.comment ? { comment: rating.comment } : {}),
        ratedAt,
        expiresAt: this.expiry(ratedAt),
      },
    }));
    return true;
  }

  /**
   * The results of the conversation's successful calls of the tool `name`, oldest message first (one query of at most
   * `limit` calls): what the tool showed the model, already confined to this customer (the hand-off's orders).
   */
  public async toolResults(sub: string, conversationId: string, name: string, limit = 100): Promise<Record<string, unknown>[]> {
    const result = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': conversationToolCallPrefix(conversationId) },
      Limit: limit,
      ConsistentRead: true,
    }));
    return (result.Items ?? [])
      .filter((i) => i.name === name && i.status === 'success' && typeof i.result === 'string')
      .sort((a, b) => (a.createdAt as number) - (b.createdAt as number))
      .map((i) => JSON.parse(i.result as string) as Record<string, unknown>);
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.props.client.send(new GetCommand({ TableName: this.props.tableName, Key: { pk, sk }, ConsistentRead: true }));
    return result.Item;
  }

  private item(pk: string, sk: string, message: StoredMessage): Record<string, unknown> {
    const bytes = Buffer.byteLength(message.text, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES) throw new Error(`a message of ${bytes} bytes is over the ${MAX_MESSAGE_BYTES} a conversation item may hold`);
    return { pk, sk, ...message, expiresAt: this.expiry(message.createdAt) };
  }

  private message(item: Record<string, unknown>): StoredMessage {
    return {
      conversationId: item.conversationId as string,
      messageId: item.messageId as string,
      role: item.role as StoredMessage['role'],
      text: item.text as string,
      createdAt: item.createdAt as number,
      ...(isSupportedLanguage(item.language) ? { language: item.language } : {}),
      ...(Array.isArray(item.citations) ? { citations: item.citations as Citation[] } : {}),
      ...(typeof item.agentName === 'string' ? { agentName: item.agentName } : {}),
      ...(typeof item.costUsd === 'number' ? { costUsd: item.costUsd } : {}),
    };
  }

  /** TTL: seconds since the epoch, as DynamoDB's time to live reads it. */
  private expiry(createdAt: number): number {
    return Math.floor(createdAt / 1000) + this.props.retentionDays * 86_400;
  }
}

/** `value` as JSON text, or a note of its size when it is over `MAX_TOOL_JSON_BYTES`. */
function cappedJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes <= MAX_TOOL_JSON_BYTES ? text : JSON.stringify({ omitted: `${bytes} bytes` });
}
