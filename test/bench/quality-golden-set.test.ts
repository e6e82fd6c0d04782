import { CORPUS_DIR, loadGoldenSet } from './quality/golden-questions';
import { loadCorpus } from '../../emulators/bedrock-agent-runtime/knowledge-corpus';
import { ROUTE_LABELS } from '../../workloads/support-chat/chat/handlers/lib/router';
import { SUPPORTED_LANGUAGES } from '../../workloads/support-chat/language/handlers/lib/languages';

/* The golden set of `npx projen bench:quality` and the example company's corpus it refers to are well-formed. */

const questions = loadGoldenSet();
const corpus = loadCorpus(CORPUS_DIR);
const metadataOf = new Map(corpus.chunks.map((chunk) => [chunk.key, chunk.metadata]));

test('at least 50 questions with unique ids, each of the five languages at least 8 times', () => {
  expect(questions.length).toBeGreaterThanOrEqual(50);
  expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
  for (const language of SUPPORTED_LANGUAGES) expect(questions.filter((q) => q.language === language).length).toBeGreaterThanOrEqual(8);
  for (const q of questions) {
    expect(SUPPORTED_LANGUAGES).toContain(q.language);
    expect(q.id.startsWith(`${q.language}-`)).toBe(true);
    expect(q.question.trim().length).toBeGreaterThan(0);
  }
});

test('every expected document exists in the corpus, in the question\'s language', () => {
  for (const q of questions) {
    for (const documentId of q.expectedDocuments) {
      expect({ id: q.id, documentId, exists: corpus.documents.includes(documentId) }).toEqual({ id: q.id, documentId, exists: true });
      expect({ id: q.id, documentId, language: metadataOf.get(documentId)?.language }).toEqual({ id: q.id, documentId, language: q.language });
    }
  }
});

test('labels: a router label, booleans, a refusal has no expected document, an answerable question has one, each language has one the guardrail blocks', () => {
  for (const q of questions) {
    expect(ROUTE_LABELS).toContain(q.route);
    expect(typeof q.escalate).toBe('boolean');
    expect(typeof q.refusal).toBe('boolean');
    expect({ id: q.id, guardrail: typeof q.guardrail }).toEqual({ id: q.id, guardrail: 'boolean' });
    // What the guardrail blocks gets no answer from the corpus and stays with the assistant.
    if (q.guardrail) expect({ id: q.id, refusal: q.refusal, escalate: q.escalate }).toEqual({ id: q.id, refusal: true, escalate: false });
    if (q.refusal) expect({ id: q.id, expected: q.expectedDocuments }).toEqual({ id: q.id, expected: [] });
    if (!q.refusal && !q.escalate) expect({ id: q.id, count: q.expectedDocuments.length > 0 }).toEqual({ id: q.id, count: true });
  }
  for (const language of SUPPORTED_LANGUAGES) {
    const own = questions.filter((q) => q.language === language);
    const found = {
      language, refusals: own.some((q) => q.refusal), escalations: own.some((q) => q.escalate), guardrail: own.some((q) => q.guardrail),
    };
    expect(found).toEqual({ language, refusals: true, escalations: true, guardrail: true });
  }
});

test('the corpus: 8 to 12 documents per language, each with language, type, title and an https url in its metadata file', () => {
  for (const language of SUPPORTED_LANGUAGES) {
    const count = corpus.documents.filter((d) => d.endsWith(`.${language}.md`)).length;
    expect({ language, inRange: count >= 8 && count <= 12 }).toEqual({ language, inRange: true });
  }
  for (const documentId of corpus.documents) {
    const metadata = metadataOf.get(documentId)!;
    expect({ documentId, language: metadata.language }).toEqual({ documentId, language: /\.([a-z]{2})\.md$/.exec(documentId)![1] });
    expect(['product', 'faq', 'policy', 'shipping']).toContain(metadata.type);
    expect(typeof metadata.title).toBe('string');
    expect(String(metadata.url)).toMatch(/^https:\/\/help\.fernway\.example\//);
  }
});
