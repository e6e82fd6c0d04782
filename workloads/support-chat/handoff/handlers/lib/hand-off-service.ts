import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decide, type HandOffPolicy } from './decide';
import { type HandOffDetail, publishHandOff } from './hand-off-events';
import type { EscalationContext, EscalationDecision, HandOff, HandOffPort, HandOffState } from './hand-off-port';
import { checkedId, userKey } from '../../../chat/handlers/lib/conversation-keys';

/**
 * The sort key of a conversation's hand-off state, in the customer's partition (`USER#<sub>`), beside its messages
 * (`CONV#<id>#MSG#…`, which it never matches): the turn's session policy already confines it to the user's items.
 */
export const handOffKey = (conversationId: string) => `CONV#${checkedId('conversation id', conversationId)}#HANDOFF`;

/** Properties of `HandOffService`. */
export interface HandOffServiceProps {
  readonly tableName: string;
  /** The document client of one user: the turn's, confined to that user's items. */
  readonly clientFor: (sub: string) => Promise<DynamoDBDocumentClient>;
  readonly events: EventBridgeClient;
  /** The bus the hand-off is published on (the tenant's). */
  readonly busName: string;
  readonly policy: HandOffPolicy;
  /** Days the state is kept (the conversation's retention: DynamoDB's TTL deletes it with the messages). */
  readonly retentionDays: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The hand-off as the turn calls it (`HandOffPort`) on the conversation table and the tenant's bus. `handOff` is
 * idempotent per conversation: the first call stores the state (`withAgent`, the reason, the hand-off id, `published`
 * false) with a condition that it does not exist, publishes, then marks it published; a second trigger of the same
 * conversation finds the state and publishes nothing, unless the first publish failed (then it publishes the stored
 * hand-off id again, so the connector still opens one ticket).
 */
export class HandOffService implements HandOffPort {
  private readonly now: () => number;

  constructor(private readonly props: HandOffServiceProps) {
    this.now = props.now ?? Date.now;
  }

  /**
   * Whether the conversation was handed off. A hand-off stored but never published (the publish failed after the state
   * was written) is published now, from the stored detail, before this answers true: a conversation never stays silent
   * without its hand-off on the bus. Rejects when that publish fails again (the turn then answers `internal`).
   */
  public async isWithAgent(sub: string, conversationId: string): Promise<boolean> {
    const client = await this.props.clientFor(sub);
    const key = { pk: userKey(sub), sk: handOffKey(conversationId) };
    const { Item } = await client.send(new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }));
    if (Item?.withAgent !== true) return false;
    if (Item.published !== true && typeof Item.detail === 'string') await this.publish(client, key, JSON.parse(Item.detail) as HandOffDetail);
    return true;
  }

  public async state(sub: string, conversationId: string): Promise<HandOffState> {
    const client = await this.props.clientFor(sub);
    const { Item } = await client.send(new GetCommand({
      TableName: this.props.tableName, Key: { pk: userKey(sub), sk: handOffKey(conversationId) }, ConsistentRead: true,
    }));
    if (!Item) return 'none';
    return Item.withAgent === true ? 'open' : 'closed';
  }

  /**
   * Closes the hand-off: `withAgent` false and `closedAt`, on the condition that it is open (closing a closed or unknown
   * one changes nothing). The turn then answers the customer again; a later trigger opens a new hand-off (`handOff`).
   */
  public async close(sub: string, conversationId: string): Promise<void> {
    const client = await this.props.clientFor(sub);
    try {
      await client.send(new UpdateCommand({
        TableName: this.props.tableName,
        Key: { pk: userKey(sub), sk: handOffKey(conversationId) },
        UpdateExpression: 'SET withAgent = :false, closedAt = :now',
        ConditionExpression: 'withAgent = :true',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':now': this.now() },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  public async decide(context: EscalationContext): Promise<EscalationDecision> {
    return decide(context, this.props.policy);
  }

  public async handOff(handOff: HandOff): Promise<void> {
    const { sub } = handOff.customer;
    const client = await this.props.clientFor(sub);
    const key = { pk: userKey(sub), sk: handOffKey(handOff.conversationId) };
    const createdAt = this.now();
    let detail: HandOffDetail = { ...handOff, handOffId: `${sub}:${handOff.conversationId}:${createdAt}` };
    const put = (condition: string) => client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        ...key,
        withAgent: true,
        reason: handOff.reason,
        handOffId: detail.handOffId,
        // The event as published, so a publish that failed can be made again (`isWithAgent`); far under 400 KB.
        detail: JSON.stringify(detail),
        published: false,
        createdAt,
        expiresAt: Math.floor(createdAt / 1000) + this.props.retentionDays * 86_400,
      },
      ConditionExpression: condition,
      ...(condition.includes(':false') ? { ExpressionAttributeValues: { ':false': false } } : {}),
    }));
    try {
      await put('attribute_not_exists(pk)');
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await client.send(new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }));
      if (Item && Item.withAgent === false) {
        // An agent closed the last hand-off: this trigger opens a new one (a new hand-off id, so a new ticket), once.
        try {
          await put('withAgent = :false');
        } catch (reopen) {
          if (!(reopen instanceof ConditionalCheckFailedException)) throw reopen;
          return;
        }
        await this.publish(client, key, detail);
        return;
      }
      if (!Item || Item.published === true) return;
      detail = typeof Item.detail === 'string' ? JSON.parse(Item.detail) as HandOffDetail : { ...handOff, handOffId: Item.handOffId as string };
    }
    await this.publish(client, key, detail);
  }

  /** Publishes the hand-off, then marks the state published. */
  private async publish(client: DynamoDBDocumentClient, key: { pk: string; sk: string }, detail: HandOffDetail): Promise<void> {
    await publishHandOff(this.props.events, this.props.busName, detail);
    await client.send(new UpdateCommand({
      TableName: this.props.tableName,
      Key: key,
      UpdateExpression: 'SET published = :true',
      ExpressionAttributeValues: { ':true': true },
    }));
  }
}
