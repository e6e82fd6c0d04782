import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type ConversationRef, conversationOf } from './conversation-exporter';

/** What one batch did. */
export interface ExportBatchResult {
  readonly response: DynamoDBBatchResponse;
  /** Conversations written, skipped (no message left) and failed. */
  readonly written: number;
  readonly skipped: number;
  readonly failed: number;
}

/**
 * One batch of the conversation table's stream (KEYS_ONLY): the conversations its records touch, each exported once
 * however many of its items changed (a turn writes several), two at a time. A conversation whose export fails is
 * reported by the sequence number of its earliest record in the batch (`batchItemFailures`): Lambda retries the batch
 * from there (the records before it are done), so nothing is lost and a conversation exported twice is only written
 * again (the export is idempotent). Records of other items are ignored.
 */
export async function exportBatch(
  event: DynamoDBStreamEvent, exportOne: (ref: ConversationRef) => Promise<'written' | 'skipped'>, onError: (error: unknown) => void = () => undefined,
): Promise<ExportBatchResult> {
  const conversations = new Map<string, { ref: ConversationRef; firstSequence: string; position: number }>();
  event.Records.forEach((record, position) => {
    const ref = conversationOf(record.dynamodb?.Keys as Parameters<typeof conversationOf>[0]);
    const sequence = record.dynamodb?.SequenceNumber;
    if (!ref || !sequence) return;
    const id = `${ref.sub}/${ref.conversationId}`;
    if (!conversations.has(id)) conversations.set(id, { ref, firstSequence: sequence, position });
  });
  const failures: { sequence: string; position: number }[] = [];
  let written = 0;
  let skipped = 0;
  const queue = [...conversations.values()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        if ((await exportOne(next.ref)) === 'written') written++;
        else skipped++;
      } catch (error) {
        onError(error);
        failures.push({ sequence: next.firstSequence, position: next.position });
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const earliest = failures.sort((a, b) => a.position - b.position)[0];
  return {
    response: { batchItemFailures: earliest ? [{ itemIdentifier: earliest.sequence }] : [] },
    written,
    skipped,
    failed: failures.length,
  };
}
