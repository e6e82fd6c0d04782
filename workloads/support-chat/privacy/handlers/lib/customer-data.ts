import {
  DeleteObjectCommand, ListObjectVersionsCommand, GetObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EXPORT_PREFIXES, exportKeyParts, pseudonymInName } from '../../../analytics/handlers/lib/export-layout';
import { checkedId, checkedSub, RELAY_RATE_PREFIX, userKey } from '../../../chat/handlers/lib/conversation-keys';
import { TICKET_PREFIX } from '../../../handoff/handlers/lib/ticket-connector';

/**
 * Every place the tenant writes one customer's data, each as a store an export reads and an erasure empties:
 *
 * - `conversations`: the partition `USER#<sub>` of the conversation table: messages, idempotency records, tool calls
 *   and results, the hand-off state (with the hand-off as published), the day's token counters, the turn's minute counts;
 * - `tickets`: `TICKET#<sub>`, the ticket connector's records (the ticket id, a reference into the ticketing system);
 * - `relay-rate`: `RATE#<sub>`, the relay's counts of the customer's messages per minute;
 * - `analytics`: the analytics exports, one object per conversation and one with its turns, under the prefixes and
 *   names of the conversation export's layout (`export-layout.ts`: `<conversationId>.<pseudonym digits>.json`): every
 *   version of each is deleted. With the pseudonym (`CustomerPseudonyms`, the export's own), every export of the
 *   customer is found, those of conversations whose items already expired included, and another customer's export of
 *   the same conversation id is left alone; without it, the exports of the customer's conversation ids.
 *
 * Each key is built from the customer's `sub` by the same functions the writers use (`conversation-keys.ts`,
 * `ticket-connector.ts`, `export-layout.ts`), so a store cannot drift from where its writer puts the data.
 */

/** The stores, in the order an erasure empties them: the conversation partition last, since it names the conversations. */
export const STORE_NAMES = ['analytics', 'tickets', 'relay-rate', 'conversations'] as const;
export type StoreName = typeof STORE_NAMES[number];

/** One version (or delete marker) of an analytics export. */
interface ExportVersion {
  readonly key: string;
  readonly versionId?: string;
  readonly deleteMarker: boolean;
}

/** One item or object of a store, as an export returns it. */
export type ExportedRecord = Readonly<Record<string, unknown>>;

/** Properties of `CustomerData`. */
export interface CustomerDataProps {
  readonly conversationsTable: string;
  readonly documents: DynamoDBDocumentClient;
  /** The analytics bucket of the exports and the customer's pseudonym there. @default - no analytics exports */
  readonly analytics?: {
    readonly bucket: string;
    readonly s3: S3Client;
    /** The customer's pseudonym in the exports (`CustomerPseudonyms.of`, hex). @default - none: exports are matched by conversation id only */
    readonly pseudonymOf?: (sub: string) => Promise<string>;
  };
}

const PAGE = 100;

/** The partition key of each DynamoDB store of one customer. */
function partitionOf(store: Exclude<StoreName, 'analytics'>, sub: string): string {
  if (store === 'conversations') return userKey(sub);
  if (store === 'tickets') return `${TICKET_PREFIX}${checkedSub(sub)}`;
  return `${RELAY_RATE_PREFIX}${checkedSub(sub)}`;
}

/** The conversation id an item's sort key names (`CONV#<id>` or `CONV#<id>#…`), if any. */
export function conversationIdOfSortKey(sk: unknown): string | undefined {
  if (typeof sk !== 'string') return undefined;
  const match = /^CONV#([A-Za-z0-9_-]{1,64})(?:#|$)/.exec(sk);
  return match?.[1];
}

/** One customer's data in every store the tenant writes: read for an export, deleted for an erasure. */
export class CustomerData {
  constructor(private readonly props: CustomerDataProps) {}

  /** The ids of the customer's conversations: from the conversation partition and the ticket records. */
  public async conversationIds(sub: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const store of ['conversations', 'tickets'] as const) {
      for (const item of await this.readPartition(store, sub)) {
        const id = conversationIdOfSortKey(item.sk);
        if (id) ids.add(id);
      }
    }
    return [...ids].sort();
  }

  /** Every record of one store for the customer. `conversationIds` is needed for `analytics`. */
  public async read(store: StoreName, sub: string, conversationIds: readonly string[]): Promise<ExportedRecord[]> {
    if (store !== 'analytics') return this.readPartition(store, sub);
    const records: ExportedRecord[] = [];
    for (const version of await this.exportVersions(sub, conversationIds)) {
      if (version.deleteMarker) continue;
      const { bucket, s3 } = this.props.analytics!;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: version.key, VersionId: version.versionId }));
      const body = await object.Body!.transformToString('utf8');
      records.push({ key: version.key, versionId: version.versionId, body });
    }
    return records;
  }

  /**
   * Deletes every record of one store for the customer, calling `deleted` after each. Idempotent: a record already
   * gone is not found again, and a second call deletes nothing.
   */
  public async erase(store: StoreName, sub: string, conversationIds: readonly string[], deleted: () => void): Promise<void> {
    if (store === 'analytics') {
      for (const version of await this.exportVersions(sub, conversationIds)) {
        const { bucket, s3 } = this.props.analytics!;
        // Deleting a version (with its id) removes it for good; a plain delete would only add a delete marker.
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: version.key, VersionId: version.versionId }));
        deleted();
      }
      return;
    }
    for (;;) {
      const page = await this.query(store, sub, undefined, PAGE);
      if (page.items.length === 0) return;
      for (const item of page.items) {
        await this.props.documents.send(new DeleteCommand({ TableName: this.props.conversationsTable, Key: { pk: item.pk, sk: item.sk } }));
        deleted();
      }
    }
  }

  private async readPartition(store: Exclude<StoreName, 'analytics'>, sub: string): Promise<ExportedRecord[]> {
    const items: ExportedRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.query(store, sub, start, PAGE);
      items.push(...page.items);
      start = page.next;
    } while (start);
    return items;
  }

  private async query(store: Exclude<StoreName, 'analytics'>, sub: string, start: Record<string, unknown> | undefined, limit: number) {
    const result = await this.props.documents.send(new QueryCommand({
      TableName: this.props.conversationsTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partitionOf(store, sub) },
      ConsistentRead: true,
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    return { items: (result.Items ?? []) as ExportedRecord[], next: result.LastEvaluatedKey };
  }

  /** Every version and delete marker of the customer's exports (none without an analytics bucket). */
  private async exportVersions(sub: string, conversationIds: readonly string[]): Promise<ExportVersion[]> {
    const analytics = this.props.analytics;
    if (!analytics) return [];
    const wanted = new Set(conversationIds.map((id) => checkedId('conversation id', id)));
    // Without the pseudonym, only the customer's conversation ids name their exports: none, nothing to list.
    if (!analytics.pseudonymOf && wanted.size === 0) return [];
    const pseudonym = analytics.pseudonymOf ? pseudonymInName(await analytics.pseudonymOf(sub)) : undefined;
    const found: ExportVersion[] = [];
    for (const prefix of EXPORT_PREFIXES) {
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const page = await analytics.s3.send(new ListObjectVersionsCommand({
          Bucket: analytics.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker,
        }));
        const entries = [
          ...(page.Versions ?? []).map((v) => ({ key: v.Key!, versionId: v.VersionId, deleteMarker: false })),
          ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, versionId: m.VersionId, deleteMarker: true })),
        ];
        for (const entry of entries) {
          const parts = exportKeyParts(entry.key, prefix);
          if (!parts) continue;
          const customers = parts.pseudonym && pseudonym ? parts.pseudonym === pseudonym : wanted.has(parts.conversationId);
          if (customers) found.push(entry);
        }
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
    }
    return found;
  }
}
