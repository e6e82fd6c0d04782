import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { largestAmount } from './decide';
import type { HandOff } from './hand-off-port';
import { CONNECTION_INDEX_PREFIX } from '../../../chat/handlers/lib/connection-index';
import { checkedId, checkedSub } from '../../../chat/handlers/lib/conversation-keys';
import { ORDER_ID } from '../../../orders/handlers/lib/order-input';

/*
 * The refund approvals waiting for an agent (docs/adr/0033-support-chat-refund-approval-by-callback.md): the refund
 * workflow's waiting task stores its task token here, in the relay's `CONN#` partitions (`CONN#REFUND` /
 * `<customer sub>#<conversationId>`), with the orders the hand-off carries and the amount the customer asked for; an
 * agent's `approveRefund` or `rejectRefund` takes the item (a conditional delete: a token is used once) and answers
 * the workflow with `SendTaskSuccess`, the decision in its output (the workflow's `Choice` reads it).
 */

/** The partition of the pending refund approvals. */
export const REFUND_APPROVALS_KEY = `${CONNECTION_INDEX_PREFIX}REFUND`;

/** The most characters of a rejection's reason kept (a task's output holds 256 KiB). */
export const MAX_REJECTION_REASON = 1_000;

/** A refund approval as an agent sees it in `listHandOffs`. */
export interface PendingRefund {
  readonly customer: string;
  readonly conversationId: string;
  /** The orders the hand-off carries: the only ones a refund may be approved for. */
  readonly orderIds: readonly string[];
  /** The largest amount the customer's messages in the hand-off name (no currency conversion). */
  readonly requestedAmount: number;
  /** ISO 8601: when the approval expires (the workflow's task timeout). */
  readonly expiresAt: string;
}

/** The waiting task's output (`SendTaskSuccess`): the agent's decision; after an approval, what the refund is. */
export type RefundDecisionOutput = {
  readonly orderId: string;
  /** The deciding agent's Cognito `sub` and display name (from the authorizer's context). */
  readonly agent: { readonly sub: string; readonly name: string };
} & ({ readonly decision: 'approved'; readonly amount: number } | { readonly decision: 'rejected'; readonly reason: string });

/** An agent's decision, checked by the protocol (`checkAgentMessage`). */
export type RefundDecision =
  | { readonly approve: true; readonly orderId: string; readonly amount: number }
  | { readonly approve: false; readonly orderId: string; readonly reason?: string };

/** Why a decision was refused: no approval waits (none, already decided, expired), or the order is not the hand-off's. */
export type RefundRefusal = 'refund_not_pending' | 'order_not_in_hand_off' | 'bad_request';

/** Properties of `RefundApprovals`. */
export interface RefundApprovalsProps {
  readonly tableName: string;
  /** A document client whose role may use the `CONN#` partitions (the relay's, or the workflow function's). */
  readonly client: DynamoDBDocumentClient;
  /** Step Functions (the relay's): `SendTaskSuccess`, `SendTaskFailure`. @default - none: `decide` is not available */
  readonly stepFunctions?: SFNClient;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The sort key of one conversation's pending approval. */
const sortKey = (customer: string, conversationId: string) => `${checkedSub(customer)}#${checkedId('conversation id', conversationId)}`;

/** Whether an amount is a positive number of at most two decimals. */
export function isRefundAmount(amount: unknown): amount is number {
  return typeof amount === 'number' && Number.isFinite(amount) && amount > 0 && amount <= Number.MAX_SAFE_INTEGER / 100
    && Math.abs(Math.round(amount * 100) - amount * 100) < 1e-6;
}

/** The amount a hand-off's customer asked for: the largest `largestAmount` of the customer's messages it carries. */
export function requestedAmountOf(handOff: Pick<HandOff, 'transcript'>): number | undefined {
  const amounts = handOff.transcript.filter((m) => m.role === 'user').map((m) => largestAmount(m.text)).filter((a): a is number => a !== undefined);
  return amounts.length > 0 ? Math.max(...amounts) : undefined;
}

/** The pending refund approvals and the agents' decisions on them. */
export class RefundApprovals {
  private readonly now: () => number;

  constructor(private readonly props: RefundApprovalsProps) {
    this.now = props.now ?? Date.now;
  }

  /**
   * Stores the workflow's task token for the hand-off's conversation until `timeoutSeconds` from now (DynamoDB's TTL
   * deletes it after; reads skip it before). Rejects a hand-off whose customer named no amount or that carries no order
   * (nothing an agent could approve): the workflow's task fails. A later request of the same conversation replaces it
   * (its former token then expires unused).
   */
  public async request(taskToken: string, handOff: HandOff, timeoutSeconds: number): Promise<PendingRefund> {
    if (typeof taskToken !== 'string' || taskToken.length === 0 || taskToken.length > 1024) throw new Error('the task token is missing or longer than 1024 characters');
    const requestedAmount = requestedAmountOf(handOff);
    if (requestedAmount === undefined || !isRefundAmount(requestedAmount)) throw new Error('the hand-off names no refund amount');
    const orderIds = [...new Set((handOff.orders ?? []).map((o) => o.orderId).filter((id): id is string => typeof id === 'string' && ORDER_ID.test(id)))];
    if (orderIds.length === 0) throw new Error('the hand-off carries no order');
    const expiresAt = Math.floor(this.now() / 1000) + timeoutSeconds;
    const { sub } = handOff.customer;
    await this.props.client.send(new PutCommand({
      TableName: this.props.tableName,
      Item: {
        pk: REFUND_APPROVALS_KEY,
        sk: sortKey(sub, handOff.conversationId),
        taskToken,
        customer: sub,
        conversationId: handOff.conversationId,
        orderIds,
        requestedAmount,
        expiresAt,
      },
    }));
    return { customer: sub, conversationId: handOff.conversationId, orderIds, requestedAmount, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** The approvals waiting, oldest expiry first (one query page). */
  public async pending(): Promise<PendingRefund[]> {
    const { Items = [] } = await this.props.client.send(new QueryCommand({
      TableName: this.props.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': REFUND_APPROVALS_KEY },
      ConsistentRead: true,
    }));
    return Items.filter((i) => this.live(i.expiresAt))
      .sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number))
      .map((i) => ({
        customer: i.customer as string,
        conversationId: i.conversationId as string,
        orderIds: i.orderIds as string[],
        requestedAmount: i.requestedAmount as number,
        expiresAt: new Date((i.expiresAt as number) * 1000).toISOString(),
      }));
  }

  /**
   * An agent's decision on the conversation's pending approval: refused `refund_not_pending` without one (none, already
   * decided, expired), `order_not_in_hand_off` for an order the hand-off does not carry, `bad_request` for an amount
   * that is not a positive number of at most two decimals or is over the amount asked for. Otherwise the item is deleted
   * on the condition that it still holds this token (a second decision finds none: `refund_not_pending`), then the
   * workflow is answered (`SendTaskSuccess`, the decision as its output); a token Step Functions no longer accepts (`TaskTimedOut`, `InvalidToken`,
   * `TaskDoesNotExist`) is `refund_not_pending` too. Any other failure of that call puts the item back (unless a newer
   * request took its place) and rethrows, so the agent can decide again instead of the request waiting out its timeout.
   * Resolves undefined when the workflow took the decision.
   */
  public async decide(customer: string, conversationId: string, agent: RefundDecisionOutput['agent'], decision: RefundDecision): Promise<RefundRefusal | undefined> {
    const stepFunctions = this.props.stepFunctions;
    if (!stepFunctions) throw new Error('RefundApprovals.decide needs the Step Functions client');
    const key = { pk: REFUND_APPROVALS_KEY, sk: sortKey(customer, conversationId) };
    const { Item } = await this.props.client.send(new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }));
    if (!Item || !this.live(Item.expiresAt) || typeof Item.taskToken !== 'string') return 'refund_not_pending';
    if (!(Item.orderIds as string[]).includes(decision.orderId)) return 'order_not_in_hand_off';
    if (decision.approve && (!isRefundAmount(decision.amount) || decision.amount > (Item.requestedAmount as number))) return 'bad_request';
    try {
      await this.props.client.send(new DeleteCommand({
        TableName: this.props.tableName,
        Key: key,
        ConditionExpression: 'taskToken = :token',
        ExpressionAttributeValues: { ':token': Item.taskToken },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'refund_not_pending';
      throw error;
    }
    const output: RefundDecisionOutput = decision.approve
      ? { decision: 'approved', orderId: decision.orderId, amount: decision.amount, agent }
      : { decision: 'rejected', orderId: decision.orderId, agent, reason: [...(decision.reason ?? '')].slice(0, MAX_REJECTION_REASON).join('') };
    try {
      await stepFunctions.send(new SendTaskSuccessCommand({ taskToken: Item.taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (error instanceof Error && ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'].includes(error.name)) return 'refund_not_pending';
      await this.props.client.send(new PutCommand({ TableName: this.props.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }))
        .catch((restore: unknown) => {
          if (!(restore instanceof ConditionalCheckFailedException)) throw restore;
        });
      throw error;
    }
    return undefined;
  }

  private live(expiresAt: unknown): boolean {
    return typeof expiresAt === 'number' && expiresAt * 1000 > this.now();
  }
}
