import { GovernanceConfigSchema, type GovernanceConfigInput } from '../../../../config/schema';
import { guardrailPolicyTypes, tenantCostPrices } from '../../../../workloads/support-chat/cost/cost-prices';
import {
  conversationCostUsd, type CostPrices, modelCallUsd, parseCostPrices, textUnits, turnCost,
} from '../../../../workloads/support-chat/cost/handlers/lib/turn-cost';
import { turnUsageOf } from '../../../../workloads/support-chat/cost/handlers/lib/turn-usage';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';

/*
 * The cost model: what each billed call of a turn costs at the config's prices, and the prices the turn gets from the
 * example config (each profile at its own geography's prices).
 */

const REGION = 'eu-central-1';
const HAIKU = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';

const PRICES: CostPrices = {
  profiles: {
    [HAIKU]: { inputPerMillionTokens: 1.1, outputPerMillionTokens: 5.5, cacheReadPerMillionTokens: 0.11, cacheWritePerMillionTokens: 1.375 },
    [SONNET]: { inputPerMillionTokens: 3.3, outputPerMillionTokens: 16.5 },
  },
  guardrail: {
    policies: ['contentFilters', 'sensitiveInformation', 'contextualGrounding'],
    perThousandTextUnits: { contentFilters: 0.15, sensitiveInformation: 0.1, contextualGrounding: 0.1 },
  },
  retrieval: { embeddingPerMillionTokens: 0.02, vectorQueriesPerThousand: 0.0025, rerankPerThousandQueries: 2 },
  ingestionPerConversationUsd: 0.0001,
};

/** A config input with the example's tenant, changed by `change`. */
function configWith(change: (input: GovernanceConfigInput) => void) {
  const input = JSON.parse(JSON.stringify(exampleConfig())) as GovernanceConfigInput;
  change(input);
  return GovernanceConfigSchema.parse(input);
}

describe('guardrail text units', () => {
  test('a text unit is up to 1,000 characters: 0, 1 and 1,000 characters, then 1,001', () => {
    expect([0, 1, 1_000, 1_001, 2_000, 2_001].map(textUnits)).toEqual([0, 1, 1, 2, 2, 3]);
  });

  test('nonsense is no text unit: negative, NaN, infinite', () => {
    expect([-5, Number.NaN, Number.POSITIVE_INFINITY].map(textUnits)).toEqual([0, 0, 0]);
  });

  test('billed per policy type: contextual grounding only on a grounded output, never on an input', () => {
    const input = turnCost({ modelCalls: [], guardrail: [{ characters: 1_500, source: 'input' }] }, PRICES);
    // 2 units x (content filters + sensitive information)
    expect(input.guardrailTextUnits).toBe(4);
    expect(input.guardrailUsd).toBeCloseTo(2 * (0.15 + 0.1) / 1_000, 12);
    const grounded = turnCost({ modelCalls: [], guardrail: [{ characters: 900, source: 'output', grounded: true }] }, PRICES);
    expect(grounded.guardrailTextUnits).toBe(3);
    const ungrounded = turnCost({ modelCalls: [], guardrail: [{ characters: 900, source: 'output' }] }, PRICES);
    expect(ungrounded.guardrailTextUnits).toBe(2);
  });
});

describe('model calls', () => {
  test('input, output, cache read and cache write each at their price', () => {
    const million = 1_000_000;
    const call = { profile: HAIKU, inputTokens: million, outputTokens: million, cacheReadInputTokens: million, cacheWriteInputTokens: million };
    const usd = modelCallUsd(call, PRICES.profiles[HAIKU]);
    expect(usd).toBeCloseTo(1.1 + 5.5 + 0.11 + 1.375, 10);
  });

  test('cache tokens of a profile without cache prices are billed at the input price', () => {
    const usd = modelCallUsd({ profile: SONNET, inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 500_000 }, PRICES.profiles[SONNET]);
    expect(usd).toBeCloseTo(1.65, 10);
  });

  test('a profile without a price is named, and left out of the total (a lower bound)', () => {
    const cost = turnCost({ modelCalls: [{ profile: 'eu.amazon.nova-pro-v1:0', inputTokens: 100, outputTokens: 100 }], guardrail: [] }, PRICES);
    expect(cost.unpriced).toEqual(['eu.amazon.nova-pro-v1:0']);
    expect(cost.totalUsd).toBe(0);
  });

  test('negative or missing token counts bill nothing', () => {
    expect(modelCallUsd({ profile: HAIKU, inputTokens: -10, outputTokens: Number.NaN }, PRICES.profiles[HAIKU])).toBe(0);
  });
});

describe('a turn and a conversation', () => {
  test('a grounded turn: classifier, retrieval with rerank, two tool rounds, guardrail on each input and the output', () => {
    const question = 'Where is my order 40412? It was due on Monday.';
    const output = 'It left the warehouse yesterday [1].';
    const usage = turnUsageOf(
      { classifier: { call: { profile: HAIKU, inputTokens: 120, outputTokens: 2 }, guardedCharacters: 300 }, retrievalQuestion: question },
      {
        calls: [{ profile: SONNET, inputTokens: 900, outputTokens: 40 }, { profile: SONNET, inputTokens: 1_100, outputTokens: 60 }],
        question,
        output,
        grounded: true,
      },
      PRICES,
    );
    expect(usage.guardrail).toEqual([
      { characters: 300, source: 'input' },
      { characters: 8, source: 'output' },
      { characters: question.length, source: 'input' },
      { characters: question.length, source: 'input' },
      { characters: output.length, source: 'output', grounded: true },
    ]);
    const cost = turnCost(usage, PRICES);
    const model = (120 * 1.1 + 2 * 5.5 + 2_000 * 3.3 + 100 * 16.5) / 1e6;
    // Five evaluations of one unit each, two policies, and grounding on the one grounded output.
    const guardrail = (5 * (0.15 + 0.1) + 0.1) / 1_000;
    const retrieval = Math.ceil(question.length / 4) * 0.02 / 1e6 + 0.0025 / 1_000;
    expect(cost.modelUsd).toBeCloseTo(model, 12);
    expect(cost.guardrailUsd).toBeCloseTo(guardrail, 12);
    expect(cost.retrievalUsd).toBeCloseTo(retrieval, 12);
    expect(cost.rerankUsd).toBeCloseTo(0.002, 12);
    expect(cost.totalUsd).toBeCloseTo(model + guardrail + retrieval + 0.002, 12);
  });

  test('the redaction before storage (ApplyGuardrail on the raw message) adds one input evaluation of every policy', () => {
    const raw = `My e-mail is anna.kowalska@example.org and my card 4111 1111 1111 1111. ${'x'.repeat(1_000)}`;
    const answer = { calls: [{ profile: SONNET, inputTokens: 900, outputTokens: 40 }], question: 'My e-mail is {EMAIL}', output: 'Noted.', grounded: false };
    const without = turnUsageOf({}, answer, PRICES);
    const withRedaction = turnUsageOf({ redaction: { guardedCharacters: raw.length } }, answer, PRICES);
    expect(withRedaction.guardrail).toEqual([{ characters: raw.length, source: 'input' }, ...without.guardrail]);
    // The raw message is over 1,000 characters: two text units, for content filters and sensitive information (no grounding on an input).
    const added = turnCost(withRedaction, PRICES).guardrailUsd - turnCost(without, PRICES).guardrailUsd;
    expect(added).toBeCloseTo(2 * (0.15 + 0.1) / 1_000, 12);
    expect(turnCost(withRedaction, PRICES).guardrailTextUnits - turnCost(without, PRICES).guardrailTextUnits).toBe(4);
  });

  test('a conversation is its turns plus its share of ingestion\'s embeddings, once', () => {
    expect(conversationCostUsd([0.001, 0.002], PRICES)).toBeCloseTo(0.0031, 12);
    expect(conversationCostUsd([], {})).toBe(0);
  });
});

describe('COST_PRICES as the turn reads it', () => {
  test('a price that is not a number of at least 0 is refused, naming it', () => {
    const bad = JSON.stringify({ ...PRICES, profiles: { [HAIKU]: { inputPerMillionTokens: -1, outputPerMillionTokens: '5' } } });
    expect(() => parseCostPrices(bad)).toThrow(/profiles\.eu\.anthropic\.claude-haiku-4-5-20251001-v1:0\.inputPerMillionTokens.*outputPerMillionTokens must be a number/);
  });

  test('an unknown guardrail policy type is refused', () => {
    expect(() => parseCostPrices(JSON.stringify({ ...PRICES, guardrail: { policies: ['wordFilters'], perThousandTextUnits: {} } })))
      .toThrow(/guardrail\.policies must list some of/);
  });

  test('no JSON object is refused', () => {
    expect(() => parseCostPrices('null')).toThrow(/COST_PRICES must be a JSON object/);
    expect(() => parseCostPrices('{')).toThrow();
  });

  test('the example\'s prices go through unchanged', () => {
    const prices = tenantCostPrices(exampleConfig(), REGION)!;
    expect(parseCostPrices(JSON.stringify(prices))).toEqual(prices);
  });
});

describe('the prices from the config (workloads.supportChat.pricing)', () => {
  test('every profile the tenant calls has its geography\'s price, the config\'s entry for that geography', () => {
    const config = exampleConfig();
    const prices = tenantCostPrices(config, REGION)!;
    const models = tenantModels(config, REGION);
    const called = [...new Set([models.classifier, models.fast, models.capable, ...models.fallback])];
    expect(Object.keys(prices.profiles).sort()).toEqual(called.sort());
    for (const profile of called) {
      const [geography, ...rest] = profile.split('.');
      const entry = config.workloads.supportChat!.pricing!.models.find((m) => m.modelId === rest.join('.') && m.geography === geography)!;
      expect(prices.profiles[profile].inputPerMillionTokens).toBe(entry.inputPerMillionTokens);
      expect(prices.profiles[profile].outputPerMillionTokens).toBe(entry.outputPerMillionTokens);
    }
  });

  test('the guardrail\'s billed policy types follow the organization\'s guardrail', () => {
    expect(guardrailPolicyTypes(exampleConfig())).toEqual(expect.arrayContaining(['contentFilters', 'sensitiveInformation']));
    const withTopics = configWith((c) => {
      c.bedrock.guardrail.deniedTopics = [{ name: 'investment', definition: 'Investment advice of any kind.', examples: [] } as never];
      c.bedrock.guardrail.piiEntities = [];
      c.bedrock.guardrail.grounding = { groundingThreshold: 0.7, relevanceThreshold: 0.5 };
    });
    expect(guardrailPolicyTypes(withTopics)).toEqual(['contentFilters', 'deniedTopics', 'contextualGrounding']);
  });

  test('ingestion\'s embeddings are amortised over the month\'s conversations', () => {
    const config = exampleConfig();
    const tenant = config.workloads.supportChat!;
    const knowledge = tenant.pricing!.knowledge!;
    const embedding = tenant.pricing!.models.find((m) => m.modelId === tenant.knowledge!.embeddingModel)!;
    expect(tenantCostPrices(config, REGION)!.ingestionPerConversationUsd)
      .toBeCloseTo(knowledge.tokensEmbeddedPerMonth * embedding.inputPerMillionTokens / 1e6 / knowledge.conversationsPerMonth, 15);
  });

  test('a model priced in another geography only is refused, naming the profile', () => {
    const config = configWith((c) => {
      for (const m of c.workloads!.supportChat!.pricing!.models) if (m.modelId.startsWith('amazon.nova')) m.geography = 'us';
    });
    expect(() => tenantCostPrices(config, REGION)).toThrow(/no price of amazon\.nova-lite-v1:0 in the eu geography \(the tenant calls eu\.amazon\.nova-lite-v1:0/);
  });

  test('a knowledge base without knowledge prices, or a rerank model without a rerank price, is refused', () => {
    expect(() => tenantCostPrices(configWith((c) => delete c.workloads!.supportChat!.pricing!.knowledge), REGION)).toThrow(/pricing\.knowledge is required/);
    expect(() => tenantCostPrices(configWith((c) => delete c.workloads!.supportChat!.pricing!.knowledge!.rerankPerThousandQueries), REGION))
      .toThrow(/rerankPerThousandQueries is required/);
  });

  test('a price without its source page or date is refused by the schema', () => {
    expect(() => configWith((c) => delete (c.workloads!.supportChat!.pricing!.models[0] as { source?: string }).source)).toThrow(/source/);
    expect(() => configWith((c) => {
      c.workloads!.supportChat!.pricing!.guardrail.asOf = '7 Dec 2026';
    })).toThrow(/yyyy-mm-dd/);
    expect(() => configWith((c) => {
      c.workloads!.supportChat!.pricing!.models[0].source = 'https://example.com/prices';
    })).toThrow(/AWS's pricing site/);
  });

  test('a tenant without pricing is not costed', () => {
    expect(tenantCostPrices(configWith((c) => delete c.workloads!.supportChat!.pricing), REGION)).toBeUndefined();
  });
});
