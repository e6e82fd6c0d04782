import type { Citation, KnowledgeSource, Passage, Retrieval } from '../../../knowledge/handlers/lib/knowledge-source';
import type { SupportedLanguage } from '../../../language/handlers/lib/languages';

/*
 * What the turn does with the tenant's knowledge base (docs/adr/0024-support-chat-knowledge-grounded-or-silent.md): one
 * retrieval per question, in the customer's language, cut at its own timeout; the passages become the answer's grounding
 * sources, numbered for the model to cite, and their documents the `done` frame's citations.
 */

/**
 * The most characters of grounding source one request carries: the guardrail's contextual grounding check reads at most
 * 100,000 (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-contextual-grounding-check.html).
 */
export const MAX_GROUNDING_CHARACTERS = 100_000;

/** What the turn's look-up found: the passages (supported or not), or the failure that stopped it. */
export type LookUp =
  | { readonly kind: 'found'; readonly retrieval: Retrieval }
  | { readonly kind: 'failed'; readonly error: unknown };

/** The retrieval ran past its timeout (or the source ignored its abort). */
export class RetrievalTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the knowledge base did not answer within ${timeoutMs} ms`);
    this.name = 'RetrievalTimeoutError';
  }
}

/**
 * Retrieves the passages for `question` in `language`, never longer than `timeoutMs` (the source gets an abort signal
 * too; a source that ignores it is left behind) and never rejecting: a failure, a timeout or an answer that is not a
 * retrieval comes back as `failed`. A retrieval that says `supported` with no passage is not supported.
 */
export async function lookUp(
  source: KnowledgeSource, question: string, language: SupportedLanguage, timeoutMs: number, signal?: AbortSignal,
): Promise<LookUp> {
  const controller = new AbortController();
  const abort = AbortSignal.any([controller.signal, ...(signal ? [signal] : [])]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RetrievalTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, Math.max(1, timeoutMs));
  });
  try {
    const retrieval = await Promise.race([source.retrieve(question, language, { timeoutMs, signal: abort }), late]);
    if (!isRetrieval(retrieval)) throw new TypeError('the knowledge base answered without a list of passages');
    const supported = retrieval.supported && retrieval.passages.length > 0;
    return { kind: 'found', retrieval: { passages: retrieval.passages, supported } };
  } catch (error) {
    return { kind: 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}

function isRetrieval(value: unknown): value is Retrieval {
  const r = value as Partial<Retrieval> | undefined;
  return typeof r === 'object' && r !== null && typeof r.supported === 'boolean' && Array.isArray(r.passages)
    && r.passages.every((p) => typeof p?.text === 'string' && typeof p.citation?.documentId === 'string' && typeof p.citation.title === 'string');
}

/**
 * The passages as grounding sources, one block each, numbered as the grounded prompt asks the model to cite them
 * (`[1] <title>` then the text), best first, as many as fit `MAX_GROUNDING_CHARACTERS` (at least the first, cut to fit).
 */
export function groundingSources(passages: readonly Passage[]): string[] {
  const sources: string[] = [];
  let used = 0;
  for (const [index, passage] of passages.entries()) {
    const source = `[${index + 1}] ${passage.citation.title}\n${passage.text}`;
    if (used + source.length > MAX_GROUNDING_CHARACTERS) {
      if (sources.length === 0) sources.push(source.slice(0, MAX_GROUNDING_CHARACTERS));
      break;
    }
    sources.push(source);
    used += source.length;
  }
  return sources;
}

/** The citations of the passages given to the model, best first, each document once. */
export function citationsOf(passages: readonly Passage[]): Citation[] {
  const seen = new Set<string>();
  const citations: Citation[] = [];
  for (const { citation } of passages) {
    if (seen.has(citation.documentId)) continue;
    seen.add(citation.documentId);
    citations.push({ documentId: citation.documentId, title: citation.title, ...(citation.link ? { link: citation.link } : {}) });
  }
  return citations;
}
