import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetCounter } from './lib/budget-counter';
import { defaultChatSettings } from './lib/chat-settings';
import { ConversationStore } from './lib/conversation-store';
import { CircuitBreaker } from './lib/resilience';
import { conversationSessionPolicy } from './lib/session-policy';
import { SettingsSource, type ActiveSettings } from './lib/settings-source';
import type { TurnDependencies, TurnLimits } from './turn-core';
import type { TenantModels } from '../../tenant/tenant-models';
import type { TurnEnvironment } from '../chat-wiring';

/**
 * The turn's breaker per inference profile: opens when at least half of the last 30 s of calls to a profile failed, once
 * ten were made. A failure count alone (CircuitBreaker's default) opened under a steady 20 % of throttling in
 * `bench:chat`, sending a third of the turns to the degraded answer while the profile still answered most calls.
 */
export const TURN_BREAKER = { failureRate: 0.5, minimumCalls: 10, windowMs: 30_000, coolDownMs: 15_000 } as const;

/** Wraps each AWS SDK client the turn makes (Tracer's `captureAWSv3Client` in Lambda: a subsegment per call). */
export type Instrument = <C extends object>(client: C) => C;

const DEGRADED = 'Sorry, the assistant cannot answer right now. Your message is saved; a human agent can pick it up, or please try again in a few minutes.';

function required(env: Partial<TurnEnvironment>, name: keyof TurnEnvironment): string {
  const value = env[name];
  if (!value) throw new Error(`the turn function needs ${name} in its environment`);
  return value;
}

/**
 * The turn's dependencies from its environment: Bedrock through the baseline's endpoint; for each user a DynamoDB client
 * whose credentials come from assuming the conversation-data role with a session policy for that user's items only
 * (cached until five minutes before they expire); the tenant's counter with the function's own credentials (its role
 * may touch only the `TENANT` partition).
 */
export function turnDependencies(
  env: Partial<TurnEnvironment>, region = process.env.AWS_REGION, instrument: Instrument = (client) => client,
): TurnDependencies {
  const tableName = required(env, 'TABLE_NAME');
  const tableArn = required(env, 'TABLE_ARN');
  const retentionDays = Number(required(env, 'RETENTION_DAYS'));
  const sts = instrument(new STSClient({ region, endpoint: env.STS_ENDPOINT }));
  const dynamo = (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) =>
    DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ region, endpoint: env.DYNAMODB_ENDPOINT, credentials })));
  const sessions = new Map<string, { expires: number; store: ConversationStore; counter: BudgetCounter }>();
  const forUser = async (sub: string) => {
    const cached = sessions.get(sub);
    if (cached && cached.expires > Date.now() + 5 * 60_000) return cached;
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({
      RoleArn: required(env, 'DATA_ROLE_ARN'),
      RoleSessionName: sub,
      DurationSeconds: 900,
      Policy: JSON.stringify(conversationSessionPolicy(tableArn, sub)),
    }));
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('AssumeRole returned no credentials');
    const client = dynamo({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    const entry = {
      expires: c.Expiration.getTime(),
      store: new ConversationStore({ tableName, client, retentionDays }),
      counter: new BudgetCounter({ tableName, client }),
    };
    sessions.set(sub, entry);
    return entry;
  };
  return {
    bedrock: instrument(new BedrockRuntimeClient({ region, endpoint: env.BEDROCK_ENDPOINT, maxAttempts: 1 })),
    forUser,
    tenantCounter: new BudgetCounter({ tableName, client: dynamo() }),
    settings: settingsFromAppConfig(env, region, instrument),
    limits: JSON.parse(required(env, 'LIMITS')) as TurnLimits,
    guardrail: { identifier: required(env, 'GUARDRAIL_ARN'), version: required(env, 'GUARDRAIL_VERSION') },
    breaker: new CircuitBreaker(TURN_BREAKER),
    degradedText: env.DEGRADED_TEXT ?? DEGRADED,
  };
}

/**
 * The settings of each turn: AppConfig's deployed version through Powertools Parameters (`AppConfigProvider`, which keeps
 * the data plane's session and caches the value for `APPCONFIG_MAX_AGE_SECONDS`), checked by `SettingsSource` against
 * the approved profiles; the config's models with the built-in settings when AppConfig is not configured or unusable.
 */
function settingsFromAppConfig(env: Partial<TurnEnvironment>, region: string | undefined, instrument: Instrument): () => Promise<ActiveSettings> {
  const allowedProfiles = JSON.parse(required(env, 'ALLOWED_PROFILES')) as string[];
  const defaults = defaultChatSettings(JSON.parse(required(env, 'MODELS')) as TenantModels);
  const { APPCONFIG_APPLICATION: application, APPCONFIG_ENVIRONMENT: environment, APPCONFIG_PROFILE: profile } = env;
  let fetch: (() => Promise<unknown>) | undefined;
  if (application && environment && profile) {
    const maxAge = Number(env.APPCONFIG_MAX_AGE_SECONDS ?? 45);
    const provider = new AppConfigProvider({
      application,
      environment,
      awsSdkV3Client: instrument(new AppConfigDataClient({ region, endpoint: env.APPCONFIG_ENDPOINT })),
    });
    fetch = () => provider.get(profile, { maxAge, transform: 'json' });
  }
  const source = new SettingsSource({ fetch, allowedProfiles, defaults });
  return () => source.current();
}
