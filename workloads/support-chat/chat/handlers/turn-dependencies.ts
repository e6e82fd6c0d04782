import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseApplicationProfiles } from './lib/application-profiles';
import { BudgetCounter } from './lib/budget-counter';
import { ConversationStore } from './lib/conversation-store';
import { CircuitBreaker } from './lib/resilience';
import { SessionCache } from './lib/session-cache';
import { conversationSessionPolicy } from './lib/session-policy';
import { type Instrument, settingsFromAppConfig } from './lib/settings-from-appconfig';
import type { TurnDependencies, TurnLimits } from './turn-core';
import { parseCostPrices } from '../../cost/handlers/lib/turn-cost';
import type { HandOffPolicy } from '../../handoff/handlers/lib/decide';
import { HandOffService } from '../../handoff/handlers/lib/hand-off-service';
import { BedrockKnowledgeSource } from '../../knowledge/handlers/lib/bedrock-knowledge-source';
import { orderToolsFromEnvironment } from '../../orders/handlers/lib/order-tools-from-env';
import type { TurnEnvironment } from '../chat-wiring';

/**
 * The turn's breaker per inference profile: opens when at least half of the last 30 s of calls to a profile failed, once
 * ten were made. A failure count alone (CircuitBreaker's default) opened under a steady 20 % of throttling in
 * `bench:chat`, sending a third of the turns to the degraded answer while the profile still answered most calls.
 */
export const TURN_BREAKER = { failureRate: 0.5, minimumCalls: 10, windowMs: 30_000, coolDownMs: 15_000 } as const;

/** Wraps each AWS SDK client the turn makes (Tracer's `captureAWSv3Client` in Lambda: a subsegment per call). */
export type { Instrument };

/**
 * Users whose sessions one container keeps, by default (`USER_SESSIONS_CACHED`): a session is a DynamoDB client with its
 * own credentials and connections (about 100 KiB, `bench:chat`), so a container that serves many users keeps the most
 * recent ones, not every user it ever saw. A turn of a user not kept assumes the data role again (one STS call).
 */
export const DEFAULT_USER_SESSIONS = 100;

/** The seconds a user's session credentials last (`AssumeRole`'s `DurationSeconds`; 900 is STS's least). */
const SESSION_SECONDS = 900;
/** A session is not used in the last five minutes of its credentials: a turn (at most 30 s) never outlives them. */
const SESSION_REFRESH_MARGIN_MS = 5 * 60_000;
/** An evicted session's client is destroyed this long after, beyond any turn (deadline plus settling, at most 30 s). */
const EVICTED_CLIENT_GRACE_MS = 60_000;

function required(env: Partial<TurnEnvironment>, name: keyof TurnEnvironment): string {
  const value = env[name];
  if (!value) throw new Error(`the turn function needs ${name} in its environment`);
  return value;
}

/**
 * The turn's dependencies from its environment: Bedrock through the baseline's endpoint; for each user a DynamoDB client
 * whose credentials come from assuming the conversation-data role with a session policy for that user's items only
 * (kept in a least-recently-used cache of `USER_SESSIONS_CACHED` users, each until five minutes before its credentials
 * expire); the tenant's counter with the function's own credentials (its role may touch only the `TENANT` partition).
 */
export function turnDependencies(
  env: Partial<TurnEnvironment>, region = process.env.AWS_REGION, instrument: Instrument = (client) => client,
): TurnDependencies {
  const tableName = required(env, 'TABLE_NAME');
  const tableArn = required(env, 'TABLE_ARN');
  const retentionDays = Number(required(env, 'RETENTION_DAYS'));
  const sts = instrument(new STSClient({ region, endpoint: env.STS_ENDPOINT }));
  const maxSessions = Number(env.USER_SESSIONS_CACHED ?? DEFAULT_USER_SESSIONS);
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new Error(`USER_SESSIONS_CACHED must be a whole number of at least 1, not ${env.USER_SESSIONS_CACHED}`);
  const raw = (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) =>
    instrument(new DynamoDBClient({ region, endpoint: env.DYNAMODB_ENDPOINT, credentials }));
  const sessions = new SessionCache<{ raw: DynamoDBClient; store: ConversationStore; counter: BudgetCounter }>({
    maxEntries: maxSessions,
    refreshMarginMs: SESSION_REFRESH_MARGIN_MS,
    // An evicted user's client closes its connections once any turn still using it has ended (a turn lasts at most 30 s).
    dispose: (session) => setTimeout(() => session.raw.destroy(), EVICTED_CLIENT_GRACE_MS).unref(),
  });
  const forUser = async (sub: string) => {
    const cached = sessions.get(sub);
    if (cached) return cached;
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({
      RoleArn: required(env, 'DATA_ROLE_ARN'),
      RoleSessionName: sub,
      DurationSeconds: SESSION_SECONDS,
      Policy: JSON.stringify(conversationSessionPolicy(tableArn, sub)),
    }));
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('AssumeRole returned no credentials');
    const client = raw({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    const document = DynamoDBDocumentClient.from(client);
    const entry = {
      raw: client,
      store: new ConversationStore({ tableName, client: document, retentionDays }),
      counter: new BudgetCounter({ tableName, client: document }),
    };
    sessions.set(sub, entry, c.Expiration.getTime());
    return entry;
  };
  return {
    bedrock: instrument(new BedrockRuntimeClient({ region, endpoint: env.BEDROCK_ENDPOINT, maxAttempts: 1 })),
    forUser,
    tenantCounter: new BudgetCounter({ tableName, client: DynamoDBDocumentClient.from(raw()) }),
    settings: settingsFromAppConfig(env, region, instrument),
    limits: JSON.parse(required(env, 'LIMITS')) as TurnLimits,
    guardrail: { identifier: required(env, 'GUARDRAIL_ARN'), version: required(env, 'GUARDRAIL_VERSION') },
    // The tenant's application profiles (ADR 35), checked against the allowed profiles: a bad map fails the cold start.
    ...(env.APPLICATION_PROFILES
      ? { applicationProfiles: parseApplicationProfiles(env.APPLICATION_PROFILES, JSON.parse(required(env, 'ALLOWED_PROFILES')) as string[]) }
      : {}),
    breaker: new CircuitBreaker(TURN_BREAKER),
    // Every new message through ApplyGuardrail before it is stored or sent: PII anonymised, fail closed (ADR 36).
    redactInput: true,
    // Unset: the turn answers with the tenant's degraded answer in the customer's language.
    ...(env.DEGRADED_TEXT ? { degradedText: env.DEGRADED_TEXT } : {}),
    ...(env.KNOWLEDGE_BASE_ID ? { knowledge: knowledgeSource(env, region, instrument) } : {}),
    // The order look-up (Converse tool use) when the tenant has an order API.
    ...(env.ORDER_API_BASE_URL ? { tools: orderToolsFromEnvironment(env, region, instrument) } : {}),
    // Every answer's cost, when the tenant has prices.
    ...(env.COST_PRICES ? { prices: parseCostPrices(env.COST_PRICES) } : {}),
    // The hand-off's state lives in the user's partition: it is read and written with the user's confined session.
    ...(env.HANDOFF_BUS_NAME ? {
      handOff: new HandOffService({
        tableName,
        clientFor: async (sub) => DynamoDBDocumentClient.from((await forUser(sub)).raw),
        events: instrument(new EventBridgeClient({ region, endpoint: env.EVENTS_ENDPOINT })),
        busName: env.HANDOFF_BUS_NAME,
        policy: JSON.parse(required(env, 'HANDOFF_POLICY')) as HandOffPolicy,
        retentionDays,
      }),
    } : {}),
  };
}

/** The knowledge base through `Retrieve` (`BedrockKnowledgeSource`), from the `KNOWLEDGE_*` variables; throws on a bad value. */
function knowledgeSource(env: Partial<TurnEnvironment>, region: string | undefined, instrument: Instrument): BedrockKnowledgeSource {
  const number = (name: 'KNOWLEDGE_RESULTS' | 'KNOWLEDGE_RELEVANCE_FLOOR') => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`${name} must be a number, not ${value}`);
    return parsed;
  };
  return new BedrockKnowledgeSource({
    client: instrument(new BedrockAgentRuntimeClient({ region, endpoint: env.BEDROCK_AGENT_RUNTIME_ENDPOINT, maxAttempts: 1 })),
    knowledgeBaseId: required(env, 'KNOWLEDGE_BASE_ID'),
    numberOfResults: number('KNOWLEDGE_RESULTS'),
    rerankModelArn: env.KNOWLEDGE_RERANK_MODEL_ARN || undefined,
    relevanceFloor: number('KNOWLEDGE_RELEVANCE_FLOOR'),
    documentKeyPrefix: env.KNOWLEDGE_DOCUMENT_PREFIX,
  });
}
