import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relayRateKey } from './conversation-keys';

/** Properties of `RelayRateGate`. */
export interface RelayRateGateProps {
  readonly tableName: string;
  /** A document client with the relay's own credentials: its role may update only `RATE#` partitions. */
  readonly client: DynamoDBDocumentClient;
  /** The per-user rate of the settings in force (`limits.messagesPerUserPerMinute`, the turn's `SettingsSource`). */
  readonly limit: () => Promise<number>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Seconds a minute's count is kept after its minute (TTL `expiresAt`): long past any use, short for the table. */
const KEEP_SECONDS = 3_600;

/**
 * The per-user rate at the relay, before the turn is invoked: one conditional `UpdateItem` per message that adds 1 to
 * the user's count of the minute only while it is under the limit (DynamoDB evaluates the condition and the `ADD` as one
 * operation on the item), so an over-rate message is refused before anything is stored or a model is called. Every
 * well-formed message counts, answered or not; the turn still counts its own (its partition, its check) behind it.
 */
export class RelayRateGate {
  private readonly now: () => number;

  constructor(private readonly props: RelayRateGateProps) {
    this.now = props.now ?? Date.now;
  }

  public async admit(sub: string): Promise<{ granted: boolean; limit: number }> {
    const limit = await this.props.limit();
    const at = this.now();
    const minute = new Date(at).toISOString().slice(0, 16);
    const minuteStart = Date.parse(`${minute}:00Z`);
    try {
      await this.props.client.send(new UpdateCommand({
        TableName: this.props.tableName,
        Key: relayRateKey(sub, minute),
        UpdateExpression: 'ADD used :one SET expiresAt = if_not_exists(expiresAt, :expires)',
        ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': Math.floor(minuteStart / 1000) + 60 + KEEP_SECONDS },
      }));
      return { granted: true, limit };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { granted: false, limit };
      throw error;
    }
  }
}
