import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HAND_OFF_EVENT, type HandOffDetail } from './hand-off-events';
import { checkedId, checkedSub } from '../../../chat/handlers/lib/conversation-keys';

/*
 * The connector between the hand-off queue and the ticketing system: one ticket per hand-off, however often SQS delivers
 * the message, and a new ticket for each new hand-off of a conversation (an agent closed the last one, the customer
 * asked again). The ticket record sits in a partition of its own, `TICKET#<sub>` /
 * `CONV#<conversationId>#HANDOFF#<handOffId>`, the only one the connector's role may touch (`dynamodb:LeadingKeys`
 * `TICKET#*`): it never reads a conversation.
 */

/** The prefix of the connector's partitions (its role's `dynamodb:LeadingKeys`). */
export const TICKET_PREFIX = 'TICKET#';

/** A hand-off id as the hand-off service makes it (`<sub>:<conversationId>:<createdAt>`): what a sort key may hold. */
const HAND_OFF_ID = /^[A-Za-z0-9_:-]{1,200}$/;

/** The ticket record's key: the customer's tickets, one per hand-off of a conversation. */
export const ticketKey = (sub: string, conversationId: string, handOffId: string) => {
  if (!HAND_OFF_ID.test(handOffId)) throw new Error('the hand-off id is not one the hand-off service makes');
  return { pk: `${TICKET_PREFIX}${checkedSub(sub)}`, sk: `CONV#${checkedId('conversation id', conversationId)}#HANDOFF#${handOffId}` };
};

/** The headers of the webhook request: the API key and the hand-off id the ticketing system may deduplicate on. */
export const WEBHOOK_HEADERS = { apiKey: 'x-api-key', idempotencyKey: 'idempotency-key' } as const;

/** One SQS record as the Lambda event source mapping delivers it. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

/** Properties of the connector. */
export interface TicketConnectorProps {
  readonly tableName: string;
  /** A document client with the connector's own credentials. */
  readonly client: DynamoDBDocumentClient;
  /** The ticketing system's webhook (HTTPS in production). */
  readonly webhookUrl: string;
  /** The webhook's API key (Secrets Manager, cached by the handler). */
  readonly apiKey: () => Promise<string>;
  /** Milliseconds the webhook may take. @default 10_000 */
  readonly timeoutMs?: number;
  /** Milliseconds a delivery holds the ticket record before another may try again. @default 60_000 */
  readonly leaseMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told of each record that failed, and why (the handler logs it). @default nothing */
  readonly onFailure?: (record: QueueRecord, error: unknown) => void;
}

/** What became of one record: a ticket opened now, one found (a redelivery), or a failure SQS delivers again. */
export type RecordResult = { readonly kind: 'created' | 'duplicate'; readonly ticketId: string } | { readonly kind: 'failed'; readonly error: unknown };

/** The hand-off in an SQS record of the EventBridge rule's target: the event's `detail`, checked. */
export function handOffOfRecord(body: string): HandOffDetail {
  const event = JSON.parse(body) as { 'source'?: unknown; 'detail-type'?: unknown; 'detail'?: unknown };
  if (event.source !== HAND_OFF_EVENT.source || event['detail-type'] !== HAND_OFF_EVENT.detailType) {
    throw new Error(`not a hand-off event: ${String(event.source)} / ${String(event['detail-type'])}`);
  }
  const detail = event.detail as Partial<HandOffDetail> | undefined;
  if (!detail || typeof detail.handOffId !== 'string' || typeof detail.conversationId !== 'string' || typeof detail.customer?.sub !== 'string') {
    throw new Error('the hand-off event has no handOffId, conversationId or customer');
  }
  ticketKey(detail.customer.sub, detail.conversationId, detail.handOffId);
  return detail as HandOffDetail;
}

/**
 * Opens the ticket of one hand-off, once: a record with a ticket id ends it (`duplicate`); otherwise the delivery takes the
 * record's lease (a condition: no ticket and no unexpired lease), posts the hand-off to the webhook with the API key and
 * the hand-off id as `Idempotency-Key`, and stores the ticket id the webhook answers (`{"ticketId": "…"}`). A webhook that
 * fails, times out or answers without a ticket id gives the lease back and fails the record, which SQS delivers again
 * and, after the queue's `maxReceiveCount`, moves to the dead-letter queue. A delivery that dies between the webhook's
 * answer and the store leaves the lease to expire; the next one posts again with the same `Idempotency-Key`.
 */
export async function openTicket(record: QueueRecord, props: TicketConnectorProps): Promise<RecordResult> {
  const now = props.now ?? Date.now;
  try {
    const handOff = handOffOfRecord(record.body);
    const key = ticketKey(handOff.customer.sub, handOff.conversationId, handOff.handOffId);
    const found = await ticketOf(props, key);
    if (found) return { kind: 'duplicate', ticketId: found };
    try {
      await props.client.send(new PutCommand({
        TableName: props.tableName,
        Item: { ...key, handOffId: handOff.handOffId, leaseUntil: now() + (props.leaseMs ?? 60_000) },
        ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(ticketId) AND leaseUntil < :now)',
        ExpressionAttributeValues: { ':now': now() },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const raced = await ticketOf(props, key);
      if (raced) return { kind: 'duplicate', ticketId: raced };
      throw new Error(`another delivery is opening the ticket of ${handOff.handOffId}`);
    }
    let ticketId: string;
    try {
      ticketId = await postToWebhook(handOff, props);
    } catch (error) {
      await props.client.send(new UpdateCommand({
        TableName: props.tableName,
        Key: key,
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: 'attribute_not_exists(ticketId)',
        ExpressionAttributeValues: { ':zero': 0 },
      })).catch(() => undefined);
      throw error;
    }
    await props.client.send(new UpdateCommand({
      TableName: props.tableName,
      Key: key,
      UpdateExpression: 'SET ticketId = :ticket, openedAt = :at REMOVE leaseUntil',
      ExpressionAttributeValues: { ':ticket': ticketId, ':at': now() },
    }));
    return { kind: 'created', ticketId };
  } catch (error) {
    props.onFailure?.(record, error);
    return { kind: 'failed', error };
  }
}

async function ticketOf(props: TicketConnectorProps, key: { pk: string; sk: string }): Promise<string | undefined> {
  const { Item } = await props.client.send(new GetCommand({ TableName: props.tableName, Key: key, ConsistentRead: true }));
  return typeof Item?.ticketId === 'string' ? Item.ticketId : undefined;
}

/** Posts the hand-off (the event's `detail`, docs: the webhook payload) and reads the ticket id of a 2xx answer. */
async function postToWebhook(handOff: HandOffDetail, props: TicketConnectorProps): Promise<string> {
  const response = await (props.fetch ?? globalThis.fetch)(props.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [WEBHOOK_HEADERS.apiKey]: await props.apiKey(), [WEBHOOK_HEADERS.idempotencyKey]: handOff.handOffId },
    body: JSON.stringify(handOff),
    signal: AbortSignal.timeout(props.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
  let ticketId: unknown;
  try {
    ticketId = (JSON.parse(text) as { ticketId?: unknown }).ticketId;
  } catch {
    ticketId = undefined;
  }
  if (typeof ticketId !== 'string' || ticketId.length === 0 || ticketId.length > 256) throw new Error('the webhook answered without a ticketId');
  return ticketId;
}

/**
 * The connector's batch (SQS event source mapping with `ReportBatchItemFailures`): each record on its own, the failed
 * ones reported so that SQS delivers only those again.
 */
export async function openTickets(
  records: readonly QueueRecord[], props: TicketConnectorProps,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const results = await Promise.all(records.map((r) => openTicket(r, props)));
  return { batchItemFailures: records.filter((_, i) => results[i].kind === 'failed').map((r) => ({ itemIdentifier: r.messageId })) };
}
