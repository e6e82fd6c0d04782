import {
  type BedrockAgentRuntimeClient, type KnowledgeBaseRetrievalResult, RetrieveCommand, type RetrieveCommandInput,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { Citation, KnowledgeSource, Passage, Retrieval, RetrievalLimits } from './knowledge-source';
import type { SupportedLanguage } from '../../../language/handlers/lib/languages';

/*
 * The tenant's knowledge base through Bedrock Agent Runtime's `Retrieve`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html): the customer's question,
 * `numberOfResults` passages (5 by default, `workloads.supportChat.knowledge.results`), a metadata filter
 * `equals language` so a customer only gets documents in their language, and, when a rerank model ARN is given (see
 * `rerank-models.ts` for the Regions that have one), `rerankingConfiguration` of type `BEDROCK_RERANKING_MODEL`.
 * Each result becomes a passage cited by its document: the S3 key under the data source, the metadata file's `title`
 * and `url`. Whether the passages support an answer is a relevance floor on the scores.
 */

/**
 * The default relevance floor: a retrieval supports an answer when one passage scores at least this. Calibrated with
 * `npx projen bench:quality` on the example corpus and the emulator's lexical scores (0 to 1); a real knowledge base's
 * scores (vector similarity, or the reranker's relevance) are on another scale, so a deployment sets its own floor from
 * the same bench run against it (`--knowledge-base-id`).
 */
export const DEFAULT_RELEVANCE_FLOOR = 0.3;

/** The metadata attribute that carries a document's language (the corpus's metadata files). */
export const LANGUAGE_ATTRIBUTE = 'language';

/** Properties of a `BedrockKnowledgeSource`. */
export interface BedrockKnowledgeSourceProps {
  /** The client (its Region, endpoint and credentials). */
  readonly client: Pick<BedrockAgentRuntimeClient, 'send'>;
  /** The knowledge base's id (10 letters or digits). */
  readonly knowledgeBaseId: string;
  /** Passages one retrieval returns at most (1 to 100). @default 5 */
  readonly numberOfResults?: number;
  /** The rerank model's foundation-model ARN in the client's Region (`rerankModelArn`). @default no reranking */
  readonly rerankModelArn?: string;
  /** Passages kept after reranking (1 to 100). @default numberOfResults */
  readonly numberOfRerankedResults?: number;
  /** The score at or above which a passage supports an answer. @default DEFAULT_RELEVANCE_FLOOR */
  readonly relevanceFloor?: number;
  /**
   * The data source's key prefix (its inclusion prefix), cut from each S3 key to give the document id: with `corpus/`,
   * `s3://bucket/corpus/faqs/returns.en.md` is `faqs/returns.en.md`. A result outside the prefix is dropped.
   * @default '' (the whole key)
   */
  readonly documentKeyPrefix?: string;
}

/** Why a retrieval failed: the turn's own abort, its time limit, or the service. */
export class KnowledgeRetrievalError extends Error {
  constructor(public readonly reason: 'aborted' | 'timeout' | 'failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnowledgeRetrievalError';
  }
}

/** The knowledge base through `Retrieve`, as the turn calls it. */
export class BedrockKnowledgeSource implements KnowledgeSource {
  private readonly numberOfResults: number;
  private readonly relevanceFloor: number;

  constructor(private readonly props: BedrockKnowledgeSourceProps) {
    if (!/^[0-9a-zA-Z]{10}$/.test(props.knowledgeBaseId)) throw new Error(`knowledgeBaseId must be 10 letters or digits, not ${props.knowledgeBaseId}`);
    this.numberOfResults = props.numberOfResults ?? 5;
    for (const [name, value] of [['numberOfResults', this.numberOfResults], ['numberOfRerankedResults', props.numberOfRerankedResults]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 100)) throw new Error(`${name} must be a whole number from 1 to 100, not ${value}`);
    }
    if (props.rerankModelArn !== undefined && !/^arn:aws[a-z-]*:bedrock:[a-z0-9-]+::foundation-model\/[a-z0-9.:-]+$/.test(props.rerankModelArn)) {
      throw new Error(`rerankModelArn must be a foundation-model ARN, not ${props.rerankModelArn}`);
    }
    this.relevanceFloor = props.relevanceFloor ?? DEFAULT_RELEVANCE_FLOOR;
    if (!Number.isFinite(this.relevanceFloor) || this.relevanceFloor < 0) throw new Error(`relevanceFloor must be a number of at least 0, not ${this.relevanceFloor}`);
  }

  /** The request `retrieve` sends for a question (exported for the bench and the tests). */
  public request(question: string, language: SupportedLanguage): RetrieveCommandInput {
    const reranking = this.props.rerankModelArn === undefined ? {} : {
      rerankingConfiguration: {
        type: 'BEDROCK_RERANKING_MODEL' as const,
        bedrockRerankingConfiguration: {
          modelConfiguration: { modelArn: this.props.rerankModelArn },
          numberOfRerankedResults: this.props.numberOfRerankedResults ?? this.numberOfResults,
        },
      },
    };
    return {
      knowledgeBaseId: this.props.knowledgeBaseId,
      retrievalQuery: { text: question },
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          numberOfResults: this.numberOfResults,
          filter: { equals: { key: LANGUAGE_ATTRIBUTE, value: language } },
          ...reranking,
        },
      },
    };
  }

  public async retrieve(question: string, language: SupportedLanguage, limits: RetrievalLimits): Promise<Retrieval> {
    if (question.trim().length === 0) return { passages: [], supported: false };
    if (limits.signal?.aborted) throw new KnowledgeRetrievalError('aborted', 'the retrieval was aborted before it started', { cause: limits.signal.reason });
    const timeout = AbortSignal.timeout(Math.max(1, limits.timeoutMs));
    const abortSignal = limits.signal ? AbortSignal.any([limits.signal, timeout]) : timeout;
    let results: KnowledgeBaseRetrievalResult[];
    try {
      const response = await this.props.client.send(new RetrieveCommand(this.request(question, language)), { abortSignal });
      results = response.retrievalResults ?? [];
    } catch (error) {
      if (limits.signal?.aborted) throw new KnowledgeRetrievalError('aborted', 'the retrieval was aborted', { cause: error });
      if (timeout.aborted) throw new KnowledgeRetrievalError('timeout', `the knowledge base did not answer within ${limits.timeoutMs} ms`, { cause: error });
      const name = (error as { name?: string }).name ?? 'Error';
      throw new KnowledgeRetrievalError('failed', `Retrieve failed: ${name}`, { cause: error });
    }
    const passages = results.slice(0, this.props.numberOfRerankedResults ?? this.numberOfResults)
      .map((result) => this.passage(result, language))
      .filter((passage): passage is Passage => passage !== undefined);
    return { passages, supported: passages.some((passage) => passage.score >= this.relevanceFloor) };
  }

  /** A result as a passage, or undefined when it has no text, no S3 key under the data source, or another language's metadata. */
  private passage(result: KnowledgeBaseRetrievalResult, language: SupportedLanguage): Passage | undefined {
    const text = result.content?.text;
    if (typeof text !== 'string' || text.trim().length === 0) return undefined;
    const metadata = (result.metadata ?? {}) as Record<string, unknown>;
    // The filter asks for the customer's language; a result that says otherwise (a misconfigured filter) is not shown.
    if (metadata[LANGUAGE_ATTRIBUTE] !== language) return undefined;
    const documentId = this.documentId(result.location?.s3Location?.uri ?? metadata['x-amz-bedrock-kb-source-uri']);
    if (!documentId) return undefined;
    const title = typeof metadata.title === 'string' && metadata.title.trim().length > 0 ? metadata.title : documentId;
    const link = safeLink(metadata.url);
    const citation: Citation = link ? { documentId, title, link } : { documentId, title };
    const score = typeof result.score === 'number' && Number.isFinite(result.score) ? result.score : 0;
    return { text, score, citation };
  }

  /** The key of `s3://bucket/<prefix><key>` under the data source's prefix, or undefined. */
  private documentId(uri: unknown): string | undefined {
    if (typeof uri !== 'string') return undefined;
    const match = /^s3:\/\/[^/]+\/(.+)$/.exec(uri);
    if (!match) return undefined;
    const prefix = this.props.documentKeyPrefix ?? '';
    if (!match[1].startsWith(prefix)) return undefined;
    const key = match[1].slice(prefix.length);
    return key.length > 0 ? key : undefined;
  }
}

/** A link the customer may open: an absolute `https:` URL (never `javascript:`, `data:` or plain `http:`), else undefined. */
function safeLink(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}
