import { createHmac } from 'node:crypto';

/**
 * The keyed hash of a customer's id (Cognito `sub`) that audit records and legal holds carry instead of the id:
 * HMAC-SHA-256 under a secret key (hex). Without the key, the hash of a known id cannot be computed, so the audit trail
 * names no one; with it, the privacy officer can find the requests of a customer who asks again. The key is read once
 * per `SubjectHasher` (a Lambda execution environment) and never logged.
 */
export class SubjectHasher {
  private key?: Promise<Buffer>;

  /** `readKey`: the key's bytes or text, e.g. a Secrets Manager secret's value (at least 32 bytes). */
  constructor(private readonly readKey: () => Promise<string | Uint8Array>) {}

  public async hash(sub: string): Promise<string> {
    const key = await (this.key ??= this.load());
    return createHmac('sha256', key).update(sub, 'utf8').digest('hex');
  }

  private async load(): Promise<Buffer> {
    const value = await this.readKey().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    const key = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    if (key.length < 32) {
      this.key = undefined;
      throw new Error(`the subject key has ${key.length} bytes; at least 32 are needed for HMAC-SHA-256`);
    }
    return key;
  }
}
