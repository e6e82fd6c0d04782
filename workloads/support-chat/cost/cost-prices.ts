import type { GovernanceConfig } from '../../../config/schema';
import { tenantModels } from '../tenant/tenant-models';
import type { CostPrices, GuardrailPolicyType, TokenPrices } from './handlers/lib/turn-cost';

/**
 * The turn's prices in one Region (`COST_PRICES`), from `workloads.supportChat.pricing`: each profile the config's
 * models call there (classifier, fast, capable, fallback) at the prices of that profile's geography, the guardrail's
 * policy types as the organization's guardrail has them, and the knowledge base's retrieval, rerank and amortised
 * ingestion. `undefined` without pricing. Throws when a profile the tenant calls, or the embedding model, has no price:
 * a costed tenant is costed whole.
 */
export function tenantCostPrices(config: GovernanceConfig, region: string): CostPrices | undefined {
  const tenant = config.workloads.supportChat!;
  const pricing = tenant.pricing;
  if (!pricing) return undefined;
  const models = tenantModels(config, region);
  const profiles: Record<string, TokenPrices> = {};
  for (const profile of new Set([models.classifier, models.fast, models.capable, ...models.fallback])) {
    const dot = profile.indexOf('.');
    const geography = profile.slice(0, dot);
    const modelId = profile.slice(dot + 1);
    const entry = pricing.models.find((m) => m.modelId === modelId && m.geography === geography);
    if (!entry) {
      throw new Error(`workloads.supportChat.pricing.models has no price of ${modelId} in the ${geography} geography (the tenant calls ${profile} from ${region})`);
    }
    profiles[profile] = {
      inputPerMillionTokens: entry.inputPerMillionTokens,
      outputPerMillionTokens: entry.outputPerMillionTokens,
      ...(entry.cacheReadPerMillionTokens !== undefined ? { cacheReadPerMillionTokens: entry.cacheReadPerMillionTokens } : {}),
      ...(entry.cacheWritePerMillionTokens !== undefined ? { cacheWritePerMillionTokens: entry.cacheWritePerMillionTokens } : {}),
    };
  }
  const g = pricing.guardrail;
  return {
    profiles,
    guardrail: {
      policies: guardrailPolicyTypes(config),
      perThousandTextUnits: {
        contentFilters: g.contentFiltersPerThousandTextUnits,
        deniedTopics: g.deniedTopicsPerThousandTextUnits,
        sensitiveInformation: g.sensitiveInformationPerThousandTextUnits,
        contextualGrounding: g.contextualGroundingPerThousandTextUnits,
      },
    },
    ...knowledgePrices(config),
  };
}

/**
 * The policy types of the organization's guardrail that Bedrock bills per text unit: content filters (at least one
 * always), denied topics when any, sensitive information when a PII entity is configured, contextual grounding when the
 * guardrail has it. Word filters (and the managed profanity list) are free.
 */
export function guardrailPolicyTypes(config: GovernanceConfig): GuardrailPolicyType[] {
  const g = config.bedrock.guardrail;
  return [
    'contentFilters' as const,
    ...(g.deniedTopics.length > 0 ? ['deniedTopics' as const] : []),
    ...(g.piiEntities.length > 0 || g.europeanIdentifiers !== 'off' ? ['sensitiveInformation' as const] : []),
    ...(g.grounding ? ['contextualGrounding' as const] : []),
  ];
}

/** Retrieval (the query's embedding, the vector query, the rerank) and the ingestion's embeddings per conversation. */
function knowledgePrices(config: GovernanceConfig): Pick<CostPrices, 'retrieval' | 'ingestionPerConversationUsd'> {
  const tenant = config.workloads.supportChat!;
  const knowledge = tenant.knowledge;
  if (!knowledge) return {};
  const prices = tenant.pricing!.knowledge;
  if (!prices) throw new Error('workloads.supportChat.pricing.knowledge is required with workloads.supportChat.knowledge');
  const embedding = tenant.pricing!.models.find((m) => m.modelId === knowledge.embeddingModel && m.geography === undefined);
  if (!embedding) throw new Error(`workloads.supportChat.pricing.models has no in-Region price of the embedding model ${knowledge.embeddingModel}`);
  if (knowledge.rerankModel && prices.rerankPerThousandQueries === undefined) {
    throw new Error(`workloads.supportChat.pricing.knowledge.rerankPerThousandQueries is required with the rerank model ${knowledge.rerankModel}`);
  }
  return {
    retrieval: {
      embeddingPerMillionTokens: embedding.inputPerMillionTokens,
      vectorQueriesPerThousand: prices.vectorQueriesPerThousand,
      ...(knowledge.rerankModel ? { rerankPerThousandQueries: prices.rerankPerThousandQueries } : {}),
    },
    ingestionPerConversationUsd: prices.tokensEmbeddedPerMonth * embedding.inputPerMillionTokens / 1_000_000 / prices.conversationsPerMonth,
  };
}
