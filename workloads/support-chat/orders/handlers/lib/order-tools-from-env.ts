import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OrderCredential } from './order-credential';
import { OrderTool } from './order-tool';
import type { TurnTools } from './tool-rounds';

/** The turn environment's order settings (`chat-wiring.ts`: `ORDER_API_*`), as the turn function receives them. */
export interface OrderEnvironment {
  readonly ORDER_API_BASE_URL?: string;
  readonly ORDER_API_SECRET_NAME?: string;
  readonly ORDER_API_AUTH_HEADER?: string;
  /** JSON `{timeoutMs, maxToolRounds, credentialTtlSeconds}`. */
  readonly ORDER_API_LIMITS?: string;
  /** Secrets Manager's endpoint: the tenant's `secretsmanager` interface endpoint. @default the SDK's */
  readonly SECRETS_MANAGER_ENDPOINT?: string;
}

/** The limits of `ORDER_API_LIMITS`. */
export interface OrderLimits {
  readonly timeoutMs: number;
  readonly maxToolRounds: number;
  readonly credentialTtlSeconds: number;
}

/** Wraps each AWS SDK client (the turn's tracer). */
type Instrument = <C extends object>(client: C) => C;

/**
 * The turn's tools from its environment: the order look-up when `ORDER_API_BASE_URL` is set (then the secret's name and
 * the limits are required), else none. The credential is read with the function's own role, which may read that one
 * secret (`chat-roles.ts`).
 */
export function orderToolsFromEnvironment(
  env: OrderEnvironment, region: string | undefined, instrument: Instrument = (c) => c,
): TurnTools | undefined {
  if (!env.ORDER_API_BASE_URL) return undefined;
  if (!env.ORDER_API_SECRET_NAME || !env.ORDER_API_LIMITS) throw new Error('the turn function needs ORDER_API_SECRET_NAME and ORDER_API_LIMITS with ORDER_API_BASE_URL');
  const limits = JSON.parse(env.ORDER_API_LIMITS) as OrderLimits;
  const client = instrument(new SecretsManagerClient({ region, endpoint: env.SECRETS_MANAGER_ENDPOINT }));
  const credential = new OrderCredential({ client, secretId: env.ORDER_API_SECRET_NAME, ttlMs: limits.credentialTtlSeconds * 1000 });
  const tool = new OrderTool({
    baseUrl: env.ORDER_API_BASE_URL,
    authHeader: env.ORDER_API_AUTH_HEADER,
    credential,
    // An API that answered with another customer's order is a fault of the API: logged (the filter kept it from the model).
    onForeignOrders: (count) => console.warn(JSON.stringify({ level: 'WARN', message: 'order API answered with orders of another customer; dropped', count })),
  });
  return { tools: [tool], maxRounds: limits.maxToolRounds, timeoutMs: limits.timeoutMs };
}
