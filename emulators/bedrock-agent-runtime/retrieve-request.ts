import { parseFilter, type RetrievalFilter } from './retrieval-filter';

/*
 * The Retrieve request body as `@aws-sdk/client-bedrock-agent-runtime` serializes it (`RetrieveRequest$` in its
 * dist-cjs: `retrievalQuery`, `retrievalConfiguration.vectorSearchConfiguration` with `numberOfResults`, `filter`,
 * `overrideSearchType`, `rerankingConfiguration`; `guardrailConfiguration`, `nextToken`), checked against the bounds of
 * the API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html,
 * API_agent-runtime_KnowledgeBaseVectorSearchConfiguration.html, API_agent-runtime_VectorSearchRerankingConfiguration.html).
 */

/** What the emulator reads of a Retrieve request. */
export interface RetrieveInput {
  readonly question: string;
  /** @default 5, the service's default when the request leaves it out */
  readonly numberOfResults: number;
  readonly filter?: RetrievalFilter;
  readonly overrideSearchType?: 'HYBRID' | 'SEMANTIC';
  /** The reranking the request asked for: recorded and checked; the emulator cannot run a rerank model. */
  readonly reranking?: { readonly modelArn: string; readonly numberOfRerankedResults?: number };
}

/** The default `numberOfResults`. */
export const DEFAULT_NUMBER_OF_RESULTS = 5;

/** A Bedrock foundation-model ARN, as `modelArn` of a reranking configuration takes it. */
const FOUNDATION_MODEL_ARN = /^arn:aws(-[a-z]+)*:bedrock:[a-z0-9-]+::foundation-model\/[a-z0-9.:-]+$/;

/** The request's input, or the `ValidationException` message that refuses it. */
export function parseRetrieveRequest(body: unknown): RetrieveInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object.';
  const { retrievalQuery, retrievalConfiguration, nextToken } = body as Record<string, unknown>;
  if (nextToken !== undefined) return 'nextToken is not valid for this request: the emulator answers in one page.';
  const query = retrievalQuery as { type?: unknown; text?: unknown } | undefined;
  if (typeof query !== 'object' || query === null) return '1 validation error detected: Value null at \'retrievalQuery\' failed to satisfy constraint: Member must not be null';
  if (query.type !== undefined && query.type !== 'TEXT') return `retrievalQuery.type ${String(query.type)}: the emulator serves text queries only`;
  if (typeof query.text !== 'string' || query.text.trim().length === 0) return 'retrievalQuery.text must be a non-empty string';
  const configuration = (retrievalConfiguration ?? {}) as Record<string, unknown>;
  if (typeof configuration !== 'object' || Array.isArray(configuration)) return 'retrievalConfiguration must be an object';
  if (configuration.managedSearchConfiguration !== undefined) return 'managedSearchConfiguration is for managed knowledge bases; this one is a vector knowledge base';
  const vector = (configuration.vectorSearchConfiguration ?? {}) as Record<string, unknown>;
  if (typeof vector !== 'object' || Array.isArray(vector)) return 'vectorSearchConfiguration must be an object';
  const numberOfResults = vector.numberOfResults ?? DEFAULT_NUMBER_OF_RESULTS;
  if (!Number.isInteger(numberOfResults) || (numberOfResults as number) < 1 || (numberOfResults as number) > 100) {
    return `1 validation error detected: Value '${String(numberOfResults)}' at 'retrievalConfiguration.vectorSearchConfiguration.numberOfResults' failed to satisfy constraint: Member must have value between 1 and 100`;
  }
  const overrideSearchType = vector.overrideSearchType;
  if (overrideSearchType !== undefined && overrideSearchType !== 'HYBRID' && overrideSearchType !== 'SEMANTIC') {
    return `overrideSearchType must be HYBRID or SEMANTIC, not ${String(overrideSearchType)}`;
  }
  let filter: RetrievalFilter | undefined;
  if (vector.filter !== undefined) {
    const parsed = parseFilter(vector.filter);
    if (typeof parsed === 'string') return parsed;
    filter = parsed;
  }
  let reranking: RetrieveInput['reranking'];
  if (vector.rerankingConfiguration !== undefined) {
    const parsed = parseReranking(vector.rerankingConfiguration);
    if (typeof parsed === 'string') return parsed;
    reranking = parsed;
  }
  return {
    question: query.text,
    numberOfResults: numberOfResults as number,
    filter,
    reranking,
    overrideSearchType: overrideSearchType as RetrieveInput['overrideSearchType'],
  };
}

function parseReranking(raw: unknown): RetrieveInput['reranking'] | string {
  const config = raw as { type?: unknown; bedrockRerankingConfiguration?: Record<string, unknown> } | null;
  if (typeof config !== 'object' || config === null) return 'rerankingConfiguration must be an object';
  if (config.type !== 'BEDROCK_RERANKING_MODEL') return `rerankingConfiguration.type must be BEDROCK_RERANKING_MODEL, not ${String(config.type)}`;
  const bedrock = config.bedrockRerankingConfiguration;
  const modelArn = (bedrock?.modelConfiguration as { modelArn?: unknown } | undefined)?.modelArn;
  if (typeof modelArn !== 'string' || !FOUNDATION_MODEL_ARN.test(modelArn)) {
    return 'rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn must be a foundation-model ARN';
  }
  const reranked = bedrock?.numberOfRerankedResults;
  if (reranked !== undefined && (!Number.isInteger(reranked) || (reranked as number) < 1 || (reranked as number) > 100)) {
    return 'numberOfRerankedResults must be between 1 and 100';
  }
  return { modelArn, numberOfRerankedResults: reranked as number | undefined };
}
