import type { SupportedLanguage } from '../../../language/handlers/lib/languages';

/*
 * What the turn needs of the tenant's knowledge base: the passages that support an answer, each with the document it came
 * from. The Bedrock Knowledge Base client (`Retrieve`, a language filter, reranking where the geography has a rerank
 * model) implements it in the deployed turn; the knowledge-base runtime emulator serves the same API offline.
 */

/** Where a passage comes from, as the `done` frame shows it to the customer. */
export interface Citation {
  /** The document's stable id: its S3 key under the data source (`faqs/returns.en.md`). */
  readonly documentId: string;
  /** The document's title (its metadata file's `title`). */
  readonly title: string;
  /** A link the customer may open (its metadata file's `url`), when the document has one. */
  readonly link?: string;
}

/** One retrieved passage: the text the model is given as guarded context, its score and its citation. */
export interface Passage {
  readonly text: string;
  /** The relevance score the knowledge base (or its reranker) gave, higher is better; comparable within one retrieval only. */
  readonly score: number;
  readonly citation: Citation;
}

/** What one retrieval found for a question. */
export interface Retrieval {
  /** The passages, best first: at most the configured number (5 by default). */
  readonly passages: readonly Passage[];
  /**
   * Whether any passage supports an answer (above the relevance floor): when not, the turn says it does not have that
   * information and offers a person instead of letting the model answer from nothing.
   */
  readonly supported: boolean;
}

/** How long a retrieval may take, and the turn's own abort. */
export interface RetrievalLimits {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The tenant's knowledge base as the turn calls it. */
export interface KnowledgeSource {
  /** The passages for the customer's question, filtered on the customer's language. Rejects on failure or timeout. */
  retrieve(question: string, language: SupportedLanguage, limits: RetrievalLimits): Promise<Retrieval>;
}
