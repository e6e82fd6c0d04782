import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ConnectorEnvironment, WEBHOOK_TIMEOUT_MS } from '../handoff-wiring';
import { openTickets, type QueueRecord } from './lib/ticket-connector';

/**
 * The ticket connector Lambda function: the hand-off queue's event source mapping (with `ReportBatchItemFailures`)
 * delivers the hand-offs; each opens one ticket on the webhook (`openTickets`). The API key is read from Secrets
 * Manager and kept for five minutes, so a rotated key takes effect within that.
 */
const env = process.env as Partial<ConnectorEnvironment>;
const secrets = new SecretsManagerClient({});
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const KEY_CACHE_MS = 5 * 60_000;
let cached: { readonly value: string; readonly until: number } | undefined;

async function apiKey(): Promise<string> {
  if (cached && cached.until > Date.now()) return cached.value;
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: env.WEBHOOK_SECRET_ID }));
  if (!SecretString) throw new Error('the webhook\'s API key secret has no string value');
  cached = { value: SecretString, until: Date.now() + KEY_CACHE_MS };
  return SecretString;
}

export async function handler(event: { readonly Records: readonly QueueRecord[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  if (!env.TABLE_NAME || !env.WEBHOOK_URL || !env.WEBHOOK_SECRET_ID) throw new Error('the connector needs TABLE_NAME, WEBHOOK_URL and WEBHOOK_SECRET_ID');
  return openTickets(event.Records, {
    tableName: env.TABLE_NAME,
    client: documents,
    webhookUrl: env.WEBHOOK_URL,
    apiKey,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    onFailure: (record, error) => console.error(JSON.stringify({
      level: 'ERROR', message: 'the hand-off was not turned into a ticket', sqsMessageId: record.messageId, error: error instanceof Error ? error.message : String(error),
    })),
  });
}
