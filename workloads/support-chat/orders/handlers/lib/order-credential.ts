import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/*
 * The order API's credential: one Secrets Manager secret, read with the turn role's own credentials and kept for a TTL,
 * so a warm container does not call Secrets Manager on every tool call, and a rotated secret is picked up within the TTL
 * (or at once, when the API refuses the old one: `invalidate`). A failed read is not cached.
 */

/** Properties of `OrderCredential`. */
export interface OrderCredentialProps {
  readonly client: SecretsManagerClient;
  /** The secret's name or ARN. */
  readonly secretId: string;
  /** How long a read value is used. @default 300_000 (5 minutes) */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The default TTL of the cached credential. */
export const DEFAULT_CREDENTIAL_TTL_MS = 300_000;

/**
 * The secret's value: the whole `SecretString`, or its `token` field when the string is a JSON object with one (the shape
 * a rotation function often writes). Throws for a binary secret or an empty one.
 */
export function tokenOf(secretString: string | undefined): string {
  if (!secretString) throw new Error('the order API secret has no SecretString');
  const trimmed = secretString.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('the order API secret looks like JSON but does not parse');
    }
    const token = (parsed as { token?: unknown }).token;
    if (typeof token !== 'string' || token.length === 0) throw new Error('the order API secret is a JSON object without a token field');
    return token;
  }
  return trimmed;
}

/** The cached credential. */
export class OrderCredential {
  private cached: { value: Promise<string>; until: number } | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly props: OrderCredentialProps) {
    this.ttlMs = props.ttlMs ?? DEFAULT_CREDENTIAL_TTL_MS;
    this.now = props.now ?? Date.now;
    if (!(this.ttlMs >= 0)) throw new Error(`ttlMs must not be negative, not ${this.ttlMs}`);
  }

  /** The token, from the cache while fresh, else read again (concurrent callers share one read). */
  public get(signal?: AbortSignal): Promise<string> {
    const at = this.now();
    if (this.cached && at < this.cached.until) return this.cached.value;
    const value = this.props.client.send(new GetSecretValueCommand({ SecretId: this.props.secretId }), { abortSignal: signal })
      .then((r) => tokenOf(r.SecretString));
    const entry = { value, until: at + this.ttlMs };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }

  /** Forgets the cached value (the API refused it: rotated). */
  public invalidate(): void {
    this.cached = undefined;
  }
}
