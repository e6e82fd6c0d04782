import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where one daily counter lives: a user's under the user's partition key, the tenant's under `TENANT`. */
export interface CounterKey {
  readonly pk: string;
  readonly sk: string;
}

/** Outcome of a reservation. */
export interface Reservation {
  readonly granted: boolean;
  /** Tokens counted for the day after the call (with the reservation when granted). */
  readonly used: number;
}

/** Properties of `BudgetCounter`. */
export interface BudgetCounterProps {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The UTC day a counter belongs to, `yyyy-mm-dd`. */
export function budgetDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Daily token counters, enforced before a model call with one atomic conditional update: `reserve` adds the turn's
 * estimate only if the day's total stays within the limit (DynamoDB evaluates the condition and the `ADD` as one
 * operation, so concurrent turns cannot both pass the last tokens), `settle` corrects the estimate by the real usage
 * afterwards. A counter expires two days after its day (TTL `expiresAt`).
 */
export class BudgetCounter {
  private readonly now: () => number;

  constructor(private readonly props: BudgetCounterProps) {
    this.now = props.now ?? Date.now;
  }

  public async reserve(key: CounterKey, tokens: number, limit: number): Promise<Reservation> {
    if (!Number.isInteger(tokens) || tokens < 0) throw new Error(`a reservation is a whole number of tokens; found ${tokens}`);
    if (tokens > limit) return { granted: false, used: await this.used(key) };
    try {
      const result = await this.props.client.send(new UpdateCommand({
        TableName: this.props.tableName,
        Key: key,
        UpdateExpression: 'ADD used :n SET expiresAt = if_not_exists(expiresAt, :expires)',
        ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
        ExpressionAttributeValues: { ':n': tokens, ':most': limit - tokens, ':expires': this.expiry() },
        ReturnValues: 'UPDATED_NEW',
      }));
      return { granted: true, used: Number(result.Attributes?.used ?? tokens) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { granted: false, used: await this.used(key) };
    }
  }

  /** Adds `delta` (negative when the turn used less than it reserved). */
  public async settle(key: CounterKey, delta: number): Promise<number> {
    const result = await this.props.client.send(new UpdateCommand({
      TableName: this.props.tableName,
      Key: key,
      UpdateExpression: 'ADD used :d SET expiresAt = if_not_exists(expiresAt, :expires)',
      ExpressionAttributeValues: { ':d': delta, ':expires': this.expiry() },
      ReturnValues: 'UPDATED_NEW',
    }));
    return Number(result.Attributes?.used ?? 0);
  }

  public async used(key: CounterKey): Promise<number> {
    const result = await this.props.client.send(new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }));
    return Number(result.Item?.used ?? 0);
  }

  private expiry(): number {
    const dayStart = Date.parse(`${budgetDay(this.now())}T00:00:00Z`);
    return Math.floor(dayStart / 1000) + 3 * 86_400;
  }
}
