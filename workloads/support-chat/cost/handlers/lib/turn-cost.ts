/*
 * What a turn and a conversation cost, from what each billed call reported: a pure module (no SDK, no clock), run by the
 * turn with the usage ConverseStream and Converse report, and by the bench over the stored answers. Prices are the
 * config's (`workloads.supportChat.pricing`), resolved per inference profile at synth (`cost/cost-prices.ts`) and passed
 * to the turn as `COST_PRICES`.
 *
 * What is billed (Amazon Bedrock pricing, https://aws.amazon.com/bedrock/pricing/):
 * - each model call: input, output, cache-read and cache-write tokens at the profile's prices (a geographic cross-Region
 *   profile is billed at its own prices, not the single Region's);
 * - the guardrail: per policy type it evaluates, per text unit (up to 1,000 characters) of each text it evaluates, the
 *   input of every call and each answer's output; word filters and regular expressions are free and not counted;
 * - a knowledge-base retrieval: the query's embedding tokens and the vector store's query (S3 Vectors), and, with a
 *   rerank model, one rerank query;
 * - the embeddings of ingestion, amortised: the tokens embedded in a month at the embedding model's price, spread over
 *   the month's conversations (`ingestionPerConversationUsd`, added once per conversation).
 */

/** Prices of one model or profile, in USD per million tokens. */
export interface TokenPrices {
  readonly inputPerMillionTokens: number;
  readonly outputPerMillionTokens: number;
  /** @default the input price (the profile reports no cache reads, or caching is not priced) */
  readonly cacheReadPerMillionTokens?: number;
  /** @default the input price */
  readonly cacheWritePerMillionTokens?: number;
}

/** The guardrail policy types Bedrock bills per text unit. */
export const GUARDRAIL_POLICY_TYPES = ['contentFilters', 'deniedTopics', 'sensitiveInformation', 'contextualGrounding'] as const;
export type GuardrailPolicyType = typeof GUARDRAIL_POLICY_TYPES[number];

/** Characters in one guardrail text unit. */
export const GUARDRAIL_TEXT_UNIT_CHARACTERS = 1_000;

/** Every price a turn needs, as the turn function gets it (`COST_PRICES`). */
export interface CostPrices {
  /** By the id the turn calls (a system profile id such as `eu.anthropic.claude-haiku-4-5-20251001-v1:0`). */
  readonly profiles: Readonly<Record<string, TokenPrices>>;
  readonly guardrail: {
    /** The policy types the organization's guardrail has, billed on every evaluation (contextual grounding: only on grounded outputs). */
    readonly policies: readonly GuardrailPolicyType[];
    /** USD per 1,000 text units, per policy type. */
    readonly perThousandTextUnits: Readonly<Partial<Record<GuardrailPolicyType, number>>>;
  };
  /** The knowledge base, when the tenant has one. */
  readonly retrieval?: {
    /** The embedding model's USD per million input tokens (the query is embedded on each retrieval). */
    readonly embeddingPerMillionTokens: number;
    /** The vector store's USD per 1,000 queries. */
    readonly vectorQueriesPerThousand: number;
    /** USD per 1,000 rerank queries, when the tenant reranks. */
    readonly rerankPerThousandQueries?: number;
  };
  /** Ingestion's embeddings of a month over the month's conversations, USD. @default 0 */
  readonly ingestionPerConversationUsd?: number;
}

/** One model call as the API reported it. */
export interface ModelCallUsage {
  /** The id called. */
  readonly profile: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
}

/** One text the guardrail evaluated. */
export interface GuardrailEvaluation {
  /** Characters evaluated. */
  readonly characters: number;
  /** An answer's output (`output`), or a call's input (`input`). */
  readonly source: 'input' | 'output';
  /** The output was checked against grounding sources (contextual grounding applies). @default false */
  readonly grounded?: boolean;
}

/** What a turn used of each billed service. */
export interface TurnUsage {
  readonly modelCalls: readonly ModelCallUsage[];
  readonly guardrail: readonly GuardrailEvaluation[];
  /** Knowledge-base retrievals, each with the tokens of its query. @default none */
  readonly retrievals?: readonly { readonly queryTokens: number; readonly reranked: boolean }[];
}

/** A turn's cost by part, USD. */
export interface TurnCost {
  readonly totalUsd: number;
  readonly modelUsd: number;
  readonly guardrailUsd: number;
  readonly retrievalUsd: number;
  readonly rerankUsd: number;
  /** Guardrail text units billed, summed over the policy types. */
  readonly guardrailTextUnits: number;
  /** Ids called that have no price: their tokens are not in the total, which is then a lower bound. */
  readonly unpriced: readonly string[];
}

/** Text units of one evaluated text: up to 1,000 characters a unit; an empty text is none. */
export function textUnits(characters: number): number {
  if (!Number.isFinite(characters) || characters <= 0) return 0;
  return Math.ceil(characters / GUARDRAIL_TEXT_UNIT_CHARACTERS);
}

/** USD of one model call at its prices. */
export function modelCallUsd(call: ModelCallUsage, prices: TokenPrices): number {
  const cacheRead = prices.cacheReadPerMillionTokens ?? prices.inputPerMillionTokens;
  const cacheWrite = prices.cacheWritePerMillionTokens ?? prices.inputPerMillionTokens;
  return (count(call.inputTokens) * prices.inputPerMillionTokens
    + count(call.outputTokens) * prices.outputPerMillionTokens
    + count(call.cacheReadInputTokens) * cacheRead
    + count(call.cacheWriteInputTokens) * cacheWrite) / 1_000_000;
}

/** The cost of one turn's usage. */
export function turnCost(usage: TurnUsage, prices: CostPrices): TurnCost {
  const unpriced = new Set<string>();
  let modelUsd = 0;
  for (const call of usage.modelCalls) {
    const price = prices.profiles[call.profile];
    if (!price) unpriced.add(call.profile);
    else modelUsd += modelCallUsd(call, price);
  }
  let guardrailUsd = 0;
  let guardrailTextUnits = 0;
  for (const evaluation of usage.guardrail) {
    const units = textUnits(evaluation.characters);
    for (const policy of prices.guardrail.policies) {
      if (policy === 'contextualGrounding' && !(evaluation.source === 'output' && evaluation.grounded)) continue;
      guardrailTextUnits += units;
      guardrailUsd += units * (prices.guardrail.perThousandTextUnits[policy] ?? 0) / 1_000;
    }
  }
  let retrievalUsd = 0;
  let rerankUsd = 0;
  for (const retrieval of usage.retrievals ?? []) {
    if (!prices.retrieval) continue;
    retrievalUsd += count(retrieval.queryTokens) * prices.retrieval.embeddingPerMillionTokens / 1_000_000
      + prices.retrieval.vectorQueriesPerThousand / 1_000;
    if (retrieval.reranked) rerankUsd += (prices.retrieval.rerankPerThousandQueries ?? 0) / 1_000;
  }
  return {
    totalUsd: modelUsd + guardrailUsd + retrievalUsd + rerankUsd,
    modelUsd,
    guardrailUsd,
    retrievalUsd,
    rerankUsd,
    guardrailTextUnits,
    unpriced: [...unpriced].sort(),
  };
}

/** A conversation's cost: its turns' costs plus its share of ingestion's embeddings, USD. */
export function conversationCostUsd(turnCostsUsd: readonly number[], prices: Pick<CostPrices, 'ingestionPerConversationUsd'>): number {
  return turnCostsUsd.reduce((sum, c) => sum + c, 0) + (prices.ingestionPerConversationUsd ?? 0);
}

/** A cost as stored on the answer (`costUsd`): USD rounded to a millionth of a dollar, enough for a turn of a few tokens. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** The prices in `COST_PRICES` (JSON), checked: every price a finite number at least 0. Throws naming what is wrong. */
export function parseCostPrices(json: string): CostPrices {
  const value = JSON.parse(json) as CostPrices;
  const problems: string[] = [];
  const price = (where: string, v: unknown, optional = false) => {
    if (optional && v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${where} must be a number of at least 0, not ${JSON.stringify(v)}`);
  };
  if (typeof value !== 'object' || value === null || typeof value.profiles !== 'object' || value.profiles === null) {
    throw new Error('COST_PRICES must be a JSON object with profiles and guardrail');
  }
  for (const [id, p] of Object.entries(value.profiles)) {
    price(`profiles.${id}.inputPerMillionTokens`, p?.inputPerMillionTokens);
    price(`profiles.${id}.outputPerMillionTokens`, p?.outputPerMillionTokens);
    price(`profiles.${id}.cacheReadPerMillionTokens`, p?.cacheReadPerMillionTokens, true);
    price(`profiles.${id}.cacheWritePerMillionTokens`, p?.cacheWritePerMillionTokens, true);
  }
  if (!Array.isArray(value.guardrail?.policies) || value.guardrail.policies.some((p) => !GUARDRAIL_POLICY_TYPES.includes(p))) {
    problems.push(`guardrail.policies must list some of ${GUARDRAIL_POLICY_TYPES.join(', ')}`);
  } else {
    for (const policy of value.guardrail.policies as GuardrailPolicyType[]) price(`guardrail.perThousandTextUnits.${policy}`, value.guardrail.perThousandTextUnits?.[policy]);
  }
  if (value.retrieval !== undefined) {
    price('retrieval.embeddingPerMillionTokens', value.retrieval.embeddingPerMillionTokens);
    price('retrieval.vectorQueriesPerThousand', value.retrieval.vectorQueriesPerThousand);
    price('retrieval.rerankPerThousandQueries', value.retrieval.rerankPerThousandQueries, true);
  }
  price('ingestionPerConversationUsd', value.ingestionPerConversationUsd, true);
  if (problems.length > 0) throw new Error(`invalid COST_PRICES: ${problems.join('; ')}`);
  return value;
}

function count(tokens: number | undefined): number {
  return typeof tokens === 'number' && Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
}
