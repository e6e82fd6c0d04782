import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ConversationExporter } from './lib/conversation-exporter';
import { exportBatch } from './lib/export-batch';

/** The export function's environment (`analytics/constructs/conversation-analytics.ts` sets it). */
export interface ConversationExportEnvironment {
  readonly TABLE_NAME: string;
  readonly BUCKET_NAME: string;
  readonly PSEUDONYM_SECRET_ID: string;
  /** The tenant's degraded answer when it overrides the default texts. @default none */
  readonly DEGRADED_TEXT?: string;
}

const env = process.env as Partial<ConversationExportEnvironment>;
const logger = new Logger({ serviceName: 'support-chat-conversation-export' });
const exporter = new ConversationExporter({
  tableName: env.TABLE_NAME ?? '',
  dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  s3: new S3Client({}),
  secrets: new SecretsManagerClient({}),
  bucket: env.BUCKET_NAME ?? '',
  pseudonymSecretId: env.PSEUDONYM_SECRET_ID ?? '',
  degradedText: env.DEGRADED_TEXT,
});

/**
 * The conversation export: the conversation table's stream (keys only, conversation items only: the event source's
 * filter) in, one record per conversation out to the analytics bucket (`exportBatch`, `ConversationExporter`). Logs
 * the counts, never a key, id or text.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const result = await exportBatch(event, (ref) => exporter.export(ref), (error) => logger.error('a conversation export failed', error as Error));
  logger.info('exported', { records: event.Records.length, written: result.written, skipped: result.skipped, failed: result.failed });
  return result.response;
}
