import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerPseudonyms } from '../../analytics/handlers/lib/export-layout';
import type { PrivacyEnvironment } from '../privacy-wiring';
import { CustomerData } from './lib/customer-data';
import { isPrivacyAnswer, parsePrivacyRequest, type PrivacyAnswer } from './lib/privacy-request';
import { PrivacyService } from './lib/privacy-service';
import { SubjectHasher } from './lib/subject-hash';

/**
 * The privacy function: export, erasure and legal holds of one customer's data, invoked by the privacy officer's role
 * only (its resource-based policy denies every other principal). Every invocation gets exactly one answer
 * (`PrivacyAnswer`), whatever fails; it never throws, so the CLI always has a status to show.
 */

/**
 * The service for an environment and clients: `documents` reaches the customer's stores, `privacyDocuments` the privacy
 * table (the same client unless given).
 */
export function privacyServiceOf(env: Partial<PrivacyEnvironment>, clients: {
  documents: DynamoDBDocumentClient; privacyDocuments?: DynamoDBDocumentClient; s3: S3Client; secrets: SecretsManagerClient;
}): PrivacyService {
  const missing = (['CONVERSATIONS_TABLE_NAME', 'PRIVACY_TABLE_NAME', 'SUBJECT_KEY_SECRET_ID'] as const).filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`the privacy function needs ${missing.join(', ')}`);
  return new PrivacyService({
    privacyTable: env.PRIVACY_TABLE_NAME!,
    documents: clients.privacyDocuments ?? clients.documents,
    data: new CustomerData({
      conversationsTable: env.CONVERSATIONS_TABLE_NAME!,
      documents: clients.documents,
      ...(env.ANALYTICS_BUCKET_NAME ? {
        analytics: {
          bucket: env.ANALYTICS_BUCKET_NAME,
          s3: clients.s3,
          // The pseudonym as the conversation export computes it, with the same key.
          ...(env.ANALYTICS_PSEUDONYM_SECRET_ID ? { pseudonymOf: pseudonymsOf(env.ANALYTICS_PSEUDONYM_SECRET_ID) } : {}),
        },
      } : {}),
    }),
    hasher: new SubjectHasher(secretOf(env.SUBJECT_KEY_SECRET_ID!)),
  });

  function secretOf(secretId: string): () => Promise<string> {
    return async () => {
      const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!SecretString) throw new Error('a key secret has no string value');
      return SecretString;
    };
  }
  function pseudonymsOf(secretId: string): (sub: string) => Promise<string> {
    const pseudonyms = new CustomerPseudonyms(clients.secrets, secretId);
    return (sub) => pseudonyms.of(sub);
  }
}

/** One invocation: the request checked, then handled; any failure is the `internal` answer. */
export async function answerPrivacyRequest(event: unknown, service: () => PrivacyService): Promise<PrivacyAnswer> {
  const request = parsePrivacyRequest(event);
  if (isPrivacyAnswer(request)) return request;
  try {
    return await service().handle(request);
  } catch (error) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'privacy request failed', requestId: request.requestId, action: request.action, error: error instanceof Error ? error.name : 'Error' }));
    return {
      requestId: request.requestId,
      action: request.action,
      status: 'failed',
      code: 'internal',
      message: `the request failed (${error instanceof Error ? error.name : 'Error'}); send the same request id again`,
    };
  }
}

let service: PrivacyService | undefined;

export async function handler(event: unknown): Promise<PrivacyAnswer> {
  return answerPrivacyRequest(event, () => service ??= privacyServiceOf(process.env as Partial<PrivacyEnvironment>, {
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    s3: new S3Client({}),
    secrets: new SecretsManagerClient({}),
  }));
}
