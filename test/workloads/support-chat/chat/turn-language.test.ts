import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BedrockEmulator, emulatorClientConfig } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../../emulators/dynamodb/dynamodb-emulator';
import { BudgetCounter } from '../../../../workloads/support-chat/chat/handlers/lib/budget-counter';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { CircuitBreaker } from '../../../../workloads/support-chat/chat/handlers/lib/resilience';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome, type TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { TURN_BREAKER } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { createLocalChatResources } from '../../../../workloads/support-chat/local/local-resources';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';

/*
 * The turn's own refusals, through the turn on the DynamoDB and Bedrock emulators: a messageId re-used for another text
 * is refused with `message_id_conflict` (nothing stored, nothing answered).
 */

const REGION = 'eu-central-1';
const SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CREDENTIALS = { accessKeyId: 'AKIATURNLANGUAGE0000', secretAccessKey: 'turn-language-secret' };
const config = exampleConfig();
const defaults = defaultChatSettings(tenantModels(config, REGION));
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 5 };

let dynamodb: LocalDynamoDb;
let raw: DynamoDBClient;
let bedrockEmulator: BedrockEmulator;
let bedrock: BedrockRuntimeClient;
let store: ConversationStore;
let counter: BudgetCounter;

beforeAll(async () => {
  dynamodb = await startLocalDynamoDb();
  const { tableName } = await createLocalChatResources({ endpoint: dynamodb.endpoint, region: REGION, credentials: CREDENTIALS });
  raw = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: REGION, credentials: CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw);
  store = new ConversationStore({ tableName, client, retentionDays: 90 });
  counter = new BudgetCounter({ tableName, client });
  bedrockEmulator = new BedrockEmulator();
  await bedrockEmulator.start();
  bedrock = new BedrockRuntimeClient({ ...emulatorClientConfig(bedrockEmulator.endpoint, REGION), maxAttempts: 1 });
}, 300_000);

afterAll(async () => {
  bedrock?.destroy();
  raw?.destroy();
  await bedrockEmulator?.close();
  await dynamodb?.stop();
});

beforeEach(() => {
  bedrockEmulator.reset();
  bedrockEmulator.script(withLocalClassifier());
});

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  return {
    bedrock,
    forUser: async () => ({ store, counter }),
    tenantCounter: counter,
    settings: async () => ({ settings: defaults, source: 'defaults' }),
    limits,
    guardrail: { identifier: `arn:aws:bedrock:${REGION}:123456789012:guardrail/turnlanguage1`, version: '1' },
    breaker: new CircuitBreaker(TURN_BREAKER),
    degradedText: 'unused',
    ...overrides,
  };
}

async function turn(request: Omit<TurnRequest, 'sub' | 'action'>, overrides: Partial<TurnDependencies> = {}): Promise<{ frames: Frame[]; outcome: TurnOutcome }> {
  const frames: Frame[] = [];
  const outcome = await runTurn({ action: 'sendMessage', sub: SUB, ...request }, deps(overrides), async (data) => {
    frames.push(JSON.parse(data) as Frame);
  });
  return { frames, outcome };
}

describe('a messageId re-used for another text', () => {
  test('is refused with message_id_conflict: no answer, the first message kept, the model not called', async () => {
    const first = await turn({ conversationId: 'conflict1', messageId: 'm1', text: 'Where is my parcel?' });
    expect(first.outcome.result).toBe('answered');
    const calls = bedrockEmulator.requests.length;
    const second = await turn({ conversationId: 'conflict1', messageId: 'm1', text: 'Cancel my order, please.' });
    expect(second.outcome).toMatchObject({ result: 'refused', code: 'message_id_conflict' });
    expect(second.frames).toEqual([expect.objectContaining({ type: 'error', code: 'message_id_conflict', seq: 0 })]);
    expect(bedrockEmulator.requests.length).toBe(calls);
    const stored = await store.find(SUB, 'conflict1', 'm1');
    expect(stored?.message.text).toBe('Where is my parcel?');
  });

  test('the same text again is a retry: the stored answer is replayed', async () => {
    await turn({ conversationId: 'conflict2', messageId: 'm1', text: 'Where is my parcel?' });
    const again = await turn({ conversationId: 'conflict2', messageId: 'm1', text: 'Where is my parcel?' });
    expect(again.outcome.result).toBe('replayed');
  });
});
