import { SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';
import type { BedrockEmulator } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings, parseChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import type { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import { createTelemetry, recordTurn } from '../../../../workloads/support-chat/chat/handlers/lib/telemetry';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { tenantCostPrices } from '../../../../workloads/support-chat/cost/cost-prices';
import { textUnits } from '../../../../workloads/support-chat/cost/handlers/lib/turn-cost';
import { isClassifierRequest, withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * The turn's cost through the real turn on the DynamoDB and Bedrock emulators: the usage each call reports (the
 * emulator's `metadata.usage`, cache tokens scripted) is costed at the example config's prices, stored as the answer's
 * `costUsd` and published as `TurnCostUsd`. The emulator is not Bedrock: what it proves is that the turn prices what
 * the API reports, not what AWS bills.
 */

const REGION = 'eu-central-1';
const SUB = '3d1e7a62-6c1a-4a57-9a55-3f1e2b9c0d4e';
const CREDENTIALS = { accessKeyId: 'AKIATURNCOST00000000', secretAccessKey: 'turn-cost-secret' };
const config = exampleConfig();
const models = tenantModels(config, REGION);
const settings = defaultChatSettings(models);
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 5 };
const prices = tenantCostPrices(config, REGION)!;
// The example config has a knowledge base; this suite's turns have none (no retrieval is billed).
const { retrieval: _retrieval, ...pricesWithoutKnowledge } = prices;

let emulators: TurnEmulators;
let bedrockEmulator: BedrockEmulator;
let store: ConversationStore;

beforeAll(async () => {
  emulators = await startTurnEmulators({ region: REGION, credentials: CREDENTIALS });
  ({ store, bedrockEmulator } = emulators);
}, 300_000);

afterAll(async () => {
  await emulators?.stop();
});

const ANSWER = 'Your parcel left the warehouse yesterday and arrives tomorrow.';

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  return emulators.dependencies({ limits, settings, guardrailName: 'turncost01' }, { prices: pricesWithoutKnowledge, ...overrides });
}

async function turn(conversationId: string, text: string, overrides: Partial<TurnDependencies> = {}): Promise<TurnOutcome> {
  return runTurn({ action: 'sendMessage', sub: SUB, conversationId, messageId: 'm1', text }, deps(overrides), async () => undefined);
}

/** What the classifier's request put in its user message (the guardrail evaluates it whole). */
function classifierCharacters(): number {
  const request = bedrockEmulator.requests.find(isClassifierRequest)!;
  return request.messages.flatMap((m) => m.content).reduce((n, block) => n + ((block as { text?: string }).text?.length ?? 0), 0);
}

describe('a turn\'s cost from the usage the API reports (on the Bedrock and DynamoDB emulators)', () => {
  test('with no prices, nothing is costed: no costUsd on the answer, none in the outcome', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: ANSWER })));
    const outcome = await turn('unpriced1', 'Where is my parcel?', { prices: undefined });
    expect(outcome.result).toBe('answered');
    expect(outcome.costUsd).toBeUndefined();
    expect((await store.find(SUB, 'unpriced1', 'm1'))?.answer?.costUsd).toBeUndefined();
  });

  test('classifier and answer tokens (cache reads and writes too) and the guardrail\'s text units, stored as costUsd', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({
      answer: ANSWER, usage: { inputTokens: 2_400, outputTokens: 180, cacheReadInputTokens: 4_096, cacheWriteInputTokens: 1_024 },
    })));
    const question = 'Where is my parcel? I ordered it last week.';
    const outcome = await turn('priced1', question);
    expect(outcome).toMatchObject({ result: 'answered', questionClass: 'simple', profile: models.fast });
    const classifier = bedrockEmulator.requests.find(isClassifierRequest)!;
    expect(classifier).toBeDefined();
    // The classifier's usage as the emulator reports it: its input estimated from the prompt, 2 output tokens.
    const classifierPrompt = [...(classifier.system ?? []).map((b) => b.text ?? ''), ...classifier.messages.map((m) => m.content.map((b) => (b as { text?: string }).text ?? '').join(''))].join('\n');
    const classifierInput = Math.max(1, Math.ceil(classifierPrompt.length / 4));
    const fast = prices.profiles[models.fast];
    const classifierPrice = prices.profiles[models.classifier];
    const modelUsd = (classifierInput * classifierPrice.inputPerMillionTokens + 2 * classifierPrice.outputPerMillionTokens
      + 2_400 * fast.inputPerMillionTokens + 180 * fast.outputPerMillionTokens
      + 4_096 * fast.cacheReadPerMillionTokens! + 1_024 * fast.cacheWritePerMillionTokens!) / 1e6;
    const perUnit = prices.guardrail.policies.filter((p) => p !== 'contextualGrounding')
      .reduce((sum, p) => sum + prices.guardrail.perThousandTextUnits[p]!, 0) / 1_000;
    const units = textUnits(classifierCharacters()) + textUnits(8) + textUnits(question.length) + textUnits(ANSWER.length);
    const expected = Math.round((modelUsd + units * perUnit) * 1e6) / 1e6;
    expect(outcome.costUsd).toBeCloseTo(expected, 6);
    const stored = await store.find(SUB, 'priced1', 'm1');
    expect(stored?.answer?.costUsd).toBe(outcome.costUsd);
    // The seed's target is 1 to 5 US cents a conversation: one turn of a fast answer is well under a cent.
    expect(outcome.costUsd!).toBeGreaterThan(0);
    expect(outcome.costUsd!).toBeLessThan(0.01);
  });

  test('a replay costs nothing new: the stored answer keeps its cost, the outcome has none', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: ANSWER })));
    await turn('replay1', 'Where is my parcel?');
    const calls = bedrockEmulator.requests.length;
    const again = await turn('replay1', 'Where is my parcel?');
    expect(again.result).toBe('replayed');
    expect(again.costUsd).toBeUndefined();
    expect(bedrockEmulator.requests.length).toBe(calls);
  });

  test('TurnCostUsd is published with the turn\'s metrics (unit Count, dimension service)', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: ANSWER })));
    const outcome = await turn('metric1', 'Where is my parcel?');
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, outcome);
    } finally {
      spy.mockRestore();
    }
    const [doc] = chunks.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    });
    expect(doc.TurnCostUsd).toBe(outcome.costUsd);
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'TurnCostUsd', Unit: 'Count' });
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});

describe('the daily token budgets from AppConfig (the settings\' limits), else the config\'s', () => {
  test('a settings version with a smaller tenant budget refuses a turn the config\'s would take, before any model call', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: ANSWER })));
    // The reservation is at least the history budget plus the longest answer: a budget under it refuses at once.
    const tight = { ...settings, limits: { ...settings.limits, dailyTokensPerTenant: 100 } };
    const outcome = await turn('daily1', 'Where is my parcel?', { settings: async () => ({ settings: tight, source: 'appconfig' as const }) });
    expect(outcome).toMatchObject({ result: 'refused', code: 'budget_exhausted' });
    expect(bedrockEmulator.requests).toHaveLength(0);
  });

  test('a settings version with a larger user budget lets a user past the config\'s', async () => {
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: ANSWER })));
    const small = { ...limits, dailyTokensPerUser: 100 };
    const refused = await turn('daily2', 'Where is my parcel?', { limits: small });
    expect(refused).toMatchObject({ result: 'refused', code: 'budget_exhausted' });
    const roomy = { ...settings, limits: { ...settings.limits, dailyTokensPerUser: 1_000_000 } };
    const answered = await turn('daily3', 'Where is my parcel?', { limits: small, settings: async () => ({ settings: roomy, source: 'appconfig' as const }) });
    expect(answered.result).toBe('answered');
  });

  test('the settings\' schema refuses a daily budget under 1 or not whole', () => {
    const allowed = [models.classifier, models.fast, models.capable, ...models.fallback];
    for (const dailyTokensPerUser of [0, 1.5, -3]) {
      const parsed = parseChatSettings({ ...settings, limits: { ...settings.limits, dailyTokensPerUser } }, allowed);
      expect(parsed.ok).toBe(false);
    }
    expect(parseChatSettings({ ...settings, limits: { ...settings.limits, dailyTokensPerTenant: 5_000_000 } }, allowed).ok).toBe(true);
  });
});
