import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ConversationRecord } from './conversation-record';

/*
 * Where the analytics exports live and whom they name: the one layout the conversation export writes and the privacy
 * function's export and erasure read (workloads/support-chat/privacy), and the customer's pseudonym in both.
 */

/** The key prefix of the conversation records and of the turn records. */
export const CONVERSATIONS_PREFIX = 'conversations/';
export const TURNS_PREFIX = 'turns/';
/** Every prefix an export is written under. */
export const EXPORT_PREFIXES = [CONVERSATIONS_PREFIX, TURNS_PREFIX] as const;

/** Hex digits of the pseudonym in an export's name. */
export const EXPORT_PSEUDONYM_DIGITS = 16;

/** The UTC day of an ISO time, `YYYY-MM-DD`: the partition of a conversation (the day it started). */
export const dayOf = (isoTime: string) => isoTime.slice(0, 10);

/** The part of a pseudonym an export's name carries. */
export const pseudonymInName = (pseudonym: string) => pseudonym.slice(0, EXPORT_PSEUDONYM_DIGITS);

/**
 * Where a conversation's record lives: `conversations/date=<day it started>/<conversationId>.<pseudonym's first 16 hex>.json`
 * (and its turns under `turns/`). The conversation id is the client's choice, so two customers may use the same one:
 * the pseudonym's prefix keeps one from overwriting the other's record. Re-written whole when the conversation changes.
 */
export function exportKeys(record: ConversationRecord): { conversation: string; turns: string } {
  const name = `date=${dayOf(record.started_at)}/${record.conversation_id}.${pseudonymInName(record.customer_pseudonym)}.json`;
  return { conversation: `${CONVERSATIONS_PREFIX}${name}`, turns: `${TURNS_PREFIX}${name}` };
}

/**
 * The conversation id and pseudonym digits an export's key names (`<prefix>…/<conversationId>.<16 hex>.json`, or
 * `<conversationId>.json` without a pseudonym), if it is one.
 */
export function exportKeyParts(key: string, prefix: string): { conversationId: string; pseudonym?: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = new RegExp(`(?:^|/)([A-Za-z0-9_-]{1,64})(?:\\.([0-9a-f]{${EXPORT_PSEUDONYM_DIGITS}}))?\\.json$`).exec(key.slice(prefix.length));
  return match ? { conversationId: match[1], ...(match[2] ? { pseudonym: match[2] } : {}) } : undefined;
}

/** Pseudonyms kept per container (a user's is computed once and reused across batches). */
const PSEUDONYMS_CACHED = 10_000;

/**
 * The customer's pseudonym: HMAC-SHA-256 of the `sub` with the tenant's pseudonym key (a Secrets Manager secret read
 * once per container, again after a failed read), hex. Stable, so a returning customer's conversations group together,
 * and not reversible without the key: nobody with the exports alone can tell who a customer is; someone with the key and
 * a `sub` can find theirs.
 */
export class CustomerPseudonyms {
  private readonly known = new Map<string, string>();
  private key?: Promise<string>;

  constructor(private readonly secrets: SecretsManagerClient, private readonly secretId: string) {}

  public async of(sub: string): Promise<string> {
    const known = this.known.get(sub);
    if (known) return known;
    this.key ??= this.secrets.send(new GetSecretValueCommand({ SecretId: this.secretId })).then(({ SecretString }) => {
      if (!SecretString || SecretString.length < 32) throw new Error('the pseudonym key secret holds no key of at least 32 characters');
      return SecretString;
    });
    let key: string;
    try {
      key = await this.key;
    } catch (error) {
      this.key = undefined; // read it again on the next customer
      throw error;
    }
    const pseudonym = createHmac('sha256', key).update(sub).digest('hex');
    if (this.known.size >= PSEUDONYMS_CACHED) this.known.clear();
    this.known.set(sub, pseudonym);
    return pseudonym;
  }
}
