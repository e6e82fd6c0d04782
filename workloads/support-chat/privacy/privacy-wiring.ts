/**
 * How the privacy capability's parts are wired: the privacy function's environment, which the construct sets, the
 * handler reads and the CLI names. This file imports nothing, so the handler's bundle carries only these names.
 */

/** The environment of the privacy function (`handlers/privacy.ts`). */
export interface PrivacyEnvironment {
  /** The conversation table: the customer's `USER#`, `TICKET#` and `RATE#` partitions. */
  readonly CONVERSATIONS_TABLE_NAME: string;
  /** The privacy table: one audit record per request and the legal holds, which no erasure touches. */
  readonly PRIVACY_TABLE_NAME: string;
  /** The Secrets Manager secret whose value keys the hash of a customer's id in the audit records. */
  readonly SUBJECT_KEY_SECRET_ID: string;
  /** The analytics bucket holding the conversation exports (`analytics/handlers/lib/export-layout.ts`); empty: none. */
  readonly ANALYTICS_BUCKET_NAME: string;
  /** The secret of the analytics' pseudonym key, to find every export of the customer; empty: by conversation id. */
  readonly ANALYTICS_PSEUDONYM_SECRET_ID: string;
}

/** The privacy function's name: the CLI invokes it by this name. */
export const PRIVACY_FUNCTION_NAME = 'support-chat-privacy';

/** Seconds the privacy function may run: an erasure of a customer with thousands of items and exports. */
export const PRIVACY_TIMEOUT_SECONDS = 300;
