import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BEDROCK_FAULTS, BedrockEmulator, emulatorClientConfig } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { startLocalDynamoDb } from '../../../../emulators/dynamodb/dynamodb-emulator';
import { BudgetCounter } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import type { ChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { CircuitBreaker } from '../../../../workloads/support-chat/chat/handlers/lib/resilience';
import type { TurnDependencies, TurnLimits } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { TURN_BREAKER } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';
import { conversationTableInput, createLocalChatResources } from '../../../../workloads/support-chat/local/local-resources';
import { FaultProxy } from '../../../support/fault-proxy';

/** What a turn test runs against: the tenant's table on the DynamoDB emulator and the Bedrock runtime emulator. */
export interface TurnEmulators {
  readonly store: ConversationStore;
  readonly counter: BudgetCounter;
  /** The table's name and a document client of it (the store's, behind the fault proxy when there is one). */
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  /** A Bedrock runtime client of the emulator that does not retry (the turn's own fallback chain decides). */
  readonly bedrock: BedrockRuntimeClient;
  readonly bedrockEmulator: BedrockEmulator;
  /** The fault proxy between the store and DynamoDB (`faultProxy: true`); it passes every request until told otherwise. */
  readonly proxy?: FaultProxy;
  /**
   * What `runTurn` needs on these emulators: the given limits and settings (served as the defaults, no AppConfig), the
   * guardrail `guardrailName` of the account, a fresh circuit breaker, and whatever `overrides` replaces.
   */
  dependencies(base: TurnBase, overrides?: Partial<TurnDependencies>): TurnDependencies;
  /** Stops the emulators and the proxy, and destroys the clients. */
  stop(): Promise<void>;
}

/** The parts of a turn's dependencies a test chooses. */
export interface TurnBase {
  readonly limits: TurnLimits;
  readonly settings: ChatSettings;
  readonly guardrailName: string;
}

export interface TurnEmulatorOptions {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default false */
  readonly faultProxy?: boolean;
}

/** Starts the DynamoDB emulator with the tenant's table (`createLocalChatResources`) and the Bedrock runtime emulator. */
export async function startTurnEmulators({ region, credentials, faultProxy = false }: TurnEmulatorOptions): Promise<TurnEmulators> {
  const dynamodb = await startLocalDynamoDb();
  const { tableName } = await createLocalChatResources({ endpoint: dynamodb.endpoint, region, credentials });
  const proxy = faultProxy ? new FaultProxy(dynamodb.endpoint, BEDROCK_FAULTS.internal, 0) : undefined;
  await proxy?.start();
  const raw = new DynamoDBClient({ endpoint: proxy?.endpoint ?? dynamodb.endpoint, region, credentials });
  const client = DynamoDBDocumentClient.from(raw);
  const bedrockEmulator = new BedrockEmulator();
  await bedrockEmulator.start();
  const bedrock = new BedrockRuntimeClient({ ...emulatorClientConfig(bedrockEmulator.endpoint, region), maxAttempts: 1 });
  const store = new ConversationStore({ tableName, client, retentionDays: 90 });
  const counter = new BudgetCounter({ tableName, client });
  return {
    store,
    counter,
    tableName,
    client,
    bedrock,
    bedrockEmulator,
    proxy,
    dependencies: ({ limits, settings, guardrailName }, overrides = {}) => ({
      bedrock,
      forUser: async () => ({ store, counter }),
      tenantCounter: counter,
      settings: async () => ({ settings, source: 'defaults' }),
      limits,
      guardrail: { identifier: `arn:aws:bedrock:${region}:123456789012:guardrail/${guardrailName}`, version: '1' },
      breaker: new CircuitBreaker(TURN_BREAKER),
      ...overrides,
    }),
    stop: async () => {
      bedrock.destroy();
      raw.destroy();
      await bedrockEmulator.close();
      await proxy?.stop();
      await dynamodb.stop();
    },
  };
}

/** The conversation table alone on the DynamoDB emulator, with the clients that reach it. */
export interface ConversationTableEmulator {
  readonly raw: DynamoDBClient;
  readonly client: DynamoDBDocumentClient;
  /** Destroys the clients and stops the emulator. */
  stop(): Promise<void>;
}

/** Starts the DynamoDB emulator with the conversation table named `tableName` (the tenant's `CreateTable` request). */
export async function startConversationTable(tableName: string): Promise<ConversationTableEmulator> {
  const dynamodb = await startLocalDynamoDb();
  const raw = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await raw.send(new CreateTableCommand(conversationTableInput(tableName)));
  return {
    raw,
    client: DynamoDBDocumentClient.from(raw),
    stop: async () => {
      raw.destroy();
      await dynamodb.stop();
    },
  };
}
