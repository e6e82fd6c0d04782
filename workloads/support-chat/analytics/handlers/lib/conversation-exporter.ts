import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type ConversationItem, conversationRecord } from './conversation-record';
import { CustomerPseudonyms, exportKeys } from './export-layout';
import { checkedId, checkedSub, userKey } from '../../../chat/handlers/lib/conversation-keys';

/** Properties of `ConversationExporter`. */
export interface ConversationExporterProps {
  readonly tableName: string;
  readonly dynamodb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly secrets: SecretsManagerClient;
  /** The analytics bucket. */
  readonly bucket: string;
  /** The secret that holds the pseudonyms' HMAC key (Secrets Manager, generated at deployment, encrypted with the stack's key). */
  readonly pseudonymSecretId: string;
  /** The tenant's override of the degraded answer (`DEGRADED_TEXT`), to recognise it. @default none */
  readonly degradedText?: string;
}

/** A conversation to export: its customer and id, as a stream record's keys name them. */
export interface ConversationRef {
  readonly sub: string;
  readonly conversationId: string;
}

/**
 * Exports one conversation: reads its items from the customer's partition (`CONV#<id>#`, every page), builds the record
 * (`conversationRecord`: no text, no identity) and writes it, and its turns, as one JSON line each to the analytics
 * bucket, replacing what was there (`exportKeys`: the same conversation always has the same keys, so a repeat is
 * harmless). The customer is named by their pseudonym (`CustomerPseudonyms`: HMAC-SHA-256 of the `sub` with the tenant's
 * pseudonym key), never by the `sub`.
 */
export class ConversationExporter {
  private readonly pseudonyms: CustomerPseudonyms;

  constructor(private readonly props: ConversationExporterProps) {
    this.pseudonyms = new CustomerPseudonyms(props.secrets, props.pseudonymSecretId);
  }

  /** Exports the conversation; `skipped` when it has no message left (nothing is written or deleted then). */
  public async export(ref: ConversationRef): Promise<'written' | 'skipped'> {
    const sub = checkedSub(ref.sub);
    const conversationId = checkedId('conversation id', ref.conversationId);
    const items = await this.items(sub, conversationId);
    const built = conversationRecord(conversationId, await this.pseudonyms.of(sub), items, { degradedText: this.props.degradedText });
    if (!built) return 'skipped';
    const keys = exportKeys(built.conversation);
    await Promise.all([
      this.put(keys.conversation, `${JSON.stringify(built.conversation)}\n`),
      this.put(keys.turns, built.turns.map((t) => `${JSON.stringify(t)}\n`).join('')),
    ]);
    return 'written';
  }

  private async items(sub: string, conversationId: string): Promise<ConversationItem[]> {
    const items: ConversationItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.props.dynamodb.send(new QueryCommand({
        TableName: this.props.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': userKey(sub), ':prefix': `CONV#${conversationId}#` },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async put(key: string, body: string): Promise<void> {
    await this.props.s3.send(new PutObjectCommand({ Bucket: this.props.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
  }
}

/**
 * The conversation a stream record's keys belong to: `pk` `USER#<sub>` and `sk` `CONV#<id>#…`; undefined for any other
 * item (counters, rate items, tickets, the relay's partitions), which the event source's filter already drops.
 */
export function conversationOf(keys: { pk?: { S?: string }; sk?: { S?: string } } | undefined): ConversationRef | undefined {
  const pk = /^USER#([0-9a-f-]{36})$/.exec(keys?.pk?.S ?? '');
  const sk = /^CONV#([A-Za-z0-9_-]{1,64})#/.exec(keys?.sk?.S ?? '');
  if (!pk || !sk) return undefined;
  try {
    return { sub: checkedSub(pk[1]), conversationId: sk[1] };
  } catch {
    return undefined;
  }
}
