import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CustomerData, type ExportedRecord, STORE_NAMES, type StoreName } from './customer-data';
import type { PrivacyAnswer, PrivacyRequest } from './privacy-request';
import type { SubjectHasher } from './subject-hash';

/**
 * The privacy table's keys. It holds no customer's id: each record names the customer by the keyed hash of their id.
 *
 * - `REQUEST#<requestId>` / `AUDIT`: the audit record of one request: who asked (the caller's ARN), when, what (the
 *   action and the customer's hash), and how it ended, with the records erased per store; never deleted by an erasure
 *   and never expiring;
 * - `HOLD#<subjectHash>` / `HOLD`: a legal hold on the customer: while it exists, every erasure is refused.
 */
export const auditKey = (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'AUDIT' });
export const holdKey = (subjectHash: string) => ({ pk: `HOLD#${subjectHash}`, sk: 'HOLD' });

/**
 * Largest export answered, in bytes of JSON: Lambda's synchronous response payload is at most 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a larger export is refused whole.
 */
export const MAX_EXPORT_BYTES = 5 * 1024 * 1024;

/** Properties of `PrivacyService`. */
export interface PrivacyServiceProps {
  readonly privacyTable: string;
  /** The privacy function's own document client (the privacy table). */
  readonly documents: DynamoDBDocumentClient;
  readonly data: CustomerData;
  readonly hasher: SubjectHasher;
  /** @default Date.now */
  readonly now?: () => number;
}

type Counts = Partial<Record<StoreName, number>>;

/** The name of an error, never its message (which may quote a key, and so the customer's id). */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Export, erasure and legal holds of one customer's data, each with an audit record in the privacy table.
 *
 * An erasure deletes the customer's records store by store (`STORE_NAMES`: the conversation partition last, since the
 * analytics exports are found by its conversation ids). Every step is idempotent, so the same request id again after a
 * fault anywhere resumes it: the stores already emptied have nothing left to delete, the rest are emptied, and the audit
 * record adds up what each attempt deleted. A completed erasure asked again is answered from its audit record. A legal
 * hold on the customer refuses the erasure before anything is deleted, on every attempt.
 */
export class PrivacyService {
  private readonly now: () => number;

  constructor(private readonly props: PrivacyServiceProps) {
    this.now = props.now ?? Date.now;
  }

  public async handle(request: PrivacyRequest): Promise<PrivacyAnswer> {
    const subjectHash = await this.props.hasher.hash(request.sub);
    const begun = await this.begin(request, subjectHash);
    if ('status' in begun) return begun;
    switch (request.action) {
      case 'erase': return this.erase(request, subjectHash, begun.erased);
      case 'export': return this.export(request, subjectHash);
      case 'hold': return this.hold(request, subjectHash);
      case 'release': return this.release(request, subjectHash);
    }
  }

  private async erase(request: PrivacyRequest, subjectHash: string, before: Counts): Promise<PrivacyAnswer> {
    const answer = (status: PrivacyAnswer['status'], message: string, extra: Partial<PrivacyAnswer> = {}): PrivacyAnswer =>
      ({ requestId: request.requestId, action: 'erase', status, message, subjectHash, ...extra });
    const hold = await this.holdOf(subjectHash);
    if (hold) {
      const message = `refused: the customer is under legal hold (case ${String(hold.caseReference)}, placed ${new Date(Number(hold.placedAt)).toISOString()}); nothing was erased`;
      await this.finish(request, { status: 'refused', code: 'legal_hold', erased: before });
      return answer('refused', message, { code: 'legal_hold', erased: before });
    }
    const erased: Counts = { ...before };
    let store: StoreName = 'conversations';
    try {
      const conversationIds = await this.props.data.conversationIds(request.sub);
      for (store of STORE_NAMES) {
        const counted = store;
        erased[counted] = erased[counted] ?? 0;
        await this.props.data.erase(store, request.sub, conversationIds, () => { erased[counted]! += 1; });
      }
    } catch (error) {
      const message = `erasure stopped at the ${store} store (${errorName(error)}); the stores before it are erased. Send the same request id again to resume`;
      await this.finish(request, { status: 'failed', code: 'store_failed', store, erased, error: errorName(error) });
      return answer('failed', message, { code: 'store_failed', store, erased });
    }
    await this.finish(request, { status: 'completed', erased });
    return answer('completed', `erased: ${STORE_NAMES.map((s) => `${s} ${erased[s] ?? 0}`).join(', ')}`, { erased });
  }

  private async export(request: PrivacyRequest, subjectHash: string): Promise<PrivacyAnswer> {
    const data: Partial<Record<StoreName, ExportedRecord[]>> = {};
    let store: StoreName = 'conversations';
    try {
      const conversationIds = await this.props.data.conversationIds(request.sub);
      for (store of STORE_NAMES) data[store] = await this.props.data.read(store, request.sub, conversationIds);
    } catch (error) {
      await this.finish(request, { status: 'failed', code: 'store_failed', store, error: errorName(error) });
      return { requestId: request.requestId, action: 'export', status: 'failed', code: 'store_failed', store, subjectHash, message: `the export could not read the ${store} store (${errorName(error)}); send it again` };
    }
    const counts = Object.fromEntries(STORE_NAMES.map((s) => [s, data[s]!.length])) as Counts;
    const bytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
    if (bytes > MAX_EXPORT_BYTES) {
      await this.finish(request, { status: 'failed', code: 'export_too_large', exported: counts });
      return { requestId: request.requestId, action: 'export', status: 'failed', code: 'export_too_large', subjectHash, message: `the export is ${bytes} bytes, over the ${MAX_EXPORT_BYTES} a Lambda answer may carry; nothing is returned` };
    }
    await this.finish(request, { status: 'completed', exported: counts });
    return { requestId: request.requestId, action: 'export', status: 'completed', subjectHash, data, message: `exported: ${STORE_NAMES.map((s) => `${s} ${counts[s]}`).join(', ')}` };
  }

  private async hold(request: PrivacyRequest, subjectHash: string): Promise<PrivacyAnswer> {
    await this.props.documents.send(new PutCommand({
      TableName: this.props.privacyTable,
      Item: { ...holdKey(subjectHash), subjectHash, caseReference: request.caseReference, placedBy: request.requestedBy, placedAt: this.now() },
    }));
    await this.finish(request, { status: 'completed' });
    return { requestId: request.requestId, action: 'hold', status: 'completed', subjectHash, message: `legal hold placed for case ${request.caseReference}: erasures are refused until it is released` };
  }

  private async release(request: PrivacyRequest, subjectHash: string): Promise<PrivacyAnswer> {
    await this.props.documents.send(new DeleteCommand({ TableName: this.props.privacyTable, Key: holdKey(subjectHash) }));
    await this.finish(request, { status: 'completed' });
    return { requestId: request.requestId, action: 'release', status: 'completed', subjectHash, message: 'legal hold released (or there was none): erasures may proceed' };
  }

  private async holdOf(subjectHash: string): Promise<Record<string, unknown> | undefined> {
    return this.get(holdKey(subjectHash));
  }

  /**
   * Creates the request's audit record, or takes up the one a first attempt created: the answer instead when the id
   * was used for another action or customer, or names a completed erasure (replayed from its record).
   */
  private async begin(request: PrivacyRequest, subjectHash: string): Promise<{ erased: Counts } | PrivacyAnswer> {
    const at = this.now();
    try {
      await this.props.documents.send(new PutCommand({
        TableName: this.props.privacyTable,
        Item: {
          ...auditKey(request.requestId),
          requestId: request.requestId,
          action: request.action,
          subjectHash,
          requestedBy: request.requestedBy,
          requestedAt: at,
          updatedAt: at,
          status: 'in_progress',
          attempts: 1,
          ...(request.caseReference ? { caseReference: request.caseReference } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { erased: {} };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const Item = await this.get(auditKey(request.requestId));
    if (!Item || Item.action !== request.action || Item.subjectHash !== subjectHash) {
      return {
        requestId: request.requestId,
        action: request.action,
        status: 'refused',
        code: 'request_id_conflict',
        message: 'this request id was used for another action or customer: use a new id per request',
        subjectHash,
      };
    }
    const erased = (Item.erased ?? {}) as Counts;
    if (request.action === 'erase' && Item.status === 'completed') {
      return {
        requestId: request.requestId,
        action: 'erase',
        status: 'completed',
        subjectHash,
        erased,
        replayed: true,
        message: `completed before at ${new Date(Number(Item.updatedAt)).toISOString()}: ${STORE_NAMES.map((s) => `${s} ${erased[s] ?? 0}`).join(', ')}`,
      };
    }
    await this.props.documents.send(new UpdateCommand({
      TableName: this.props.privacyTable,
      Key: auditKey(request.requestId),
      UpdateExpression: 'SET #status = :in, updatedAt = :at, lastRequestedBy = :by ADD attempts :one',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':in': 'in_progress', ':at': at, ':by': request.requestedBy, ':one': 1 },
    }));
    return { erased };
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    return (await this.props.documents.send(new GetCommand({ TableName: this.props.privacyTable, Key: key, ConsistentRead: true }))).Item;
  }

  /** Writes how the attempt ended into the audit record. */
  private async finish(request: PrivacyRequest, outcome: {
    status: 'completed' | 'refused' | 'failed'; code?: string; store?: StoreName; error?: string; erased?: Counts; exported?: Counts;
  }): Promise<void> {
    const values: Record<string, unknown> = { ':status': outcome.status, ':at': this.now() };
    const names: Record<string, string> = { '#status': 'status' };
    const sets = ['#status = :status', 'updatedAt = :at'];
    const removes: string[] = [];
    // Every field by an attribute name: `store` and others are DynamoDB reserved words.
    for (const field of ['code', 'store', 'error', 'erased', 'exported'] as const) {
      const value = outcome[field];
      // An empty map is left out: nothing was counted yet.
      if (value !== undefined && !(typeof value === 'object' && Object.keys(value).length === 0)) {
        names[`#${field}`] = field;
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = outcome[field];
      } else if (field !== 'erased' && field !== 'exported') {
        names[`#${field}`] = field;
        removes.push(`#${field}`);
      }
    }
    await this.props.documents.send(new UpdateCommand({
      TableName: this.props.privacyTable,
      Key: auditKey(request.requestId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }
}
