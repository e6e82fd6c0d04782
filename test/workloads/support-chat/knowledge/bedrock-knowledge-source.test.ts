import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import {
  KNOWLEDGE_FAULTS, knowledgeClientConfig, type RunningKnowledgeEmulator, startKnowledgeEmulator,
} from '../../../../emulators/bedrock-agent-runtime/knowledge-emulator';
import {
  BedrockKnowledgeSource, DEFAULT_RELEVANCE_FLOOR, KnowledgeRetrievalError,
} from '../../../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import { rerankModelArn } from '../../../../workloads/support-chat/knowledge/handlers/lib/rerank-models';

/* The knowledge source against the knowledge-base emulator (lexical ranking): these tests show our client's requests,
 * mapping and failure handling on an emulator that speaks Retrieve's wire format, not Bedrock's ranking. */

const CORPUS = join(__dirname, '../../../../workloads/support-chat/local/corpus');
const LIMITS = { timeoutMs: 2000 };

let kb: RunningKnowledgeEmulator;
let client: BedrockAgentRuntimeClient;

beforeAll(async () => {
  kb = await startKnowledgeEmulator({ corpusDir: CORPUS, keyPrefix: 'corpus/' });
  client = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig(kb.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await kb.stop();
});

beforeEach(() => kb.emulator.reset());

function source(extra: Partial<ConstructorParameters<typeof BedrockKnowledgeSource>[0]> = {}) {
  return new BedrockKnowledgeSource({ client, knowledgeBaseId: kb.knowledgeBaseId, documentKeyPrefix: 'corpus/', ...extra });
}

describe('BedrockKnowledgeSource on the knowledge-base emulator', () => {
  test('sends the question with numberOfResults 5 and an equals-language filter; cites documents by their key under the data source', async () => {
    const retrieval = await source().retrieve('Wie hoch sind die Versandkosten für Express?', 'de', LIMITS);
    expect(kb.emulator.requests[0].body).toEqual({
      retrievalQuery: { text: 'Wie hoch sind die Versandkosten für Express?' },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 5, filter: { equals: { key: 'language', value: 'de' } } } },
    });
    expect(retrieval.passages.length).toBeGreaterThan(0);
    expect(retrieval.passages.length).toBeLessThanOrEqual(5);
    expect(retrieval.passages[0].citation).toEqual({
      documentId: 'shipping/shipping-costs.de.md', title: 'Versandkosten', link: 'https://help.fernway.example/de/versandkosten',
    });
    expect(retrieval.passages[0].text).toContain('9,95 EUR');
    for (const passage of retrieval.passages) expect(passage.citation.documentId).toMatch(/\.de\.md$/);
    expect(retrieval.supported).toBe(true);
  });

  test('the customer\'s language decides the documents: the same question in Chinese gets Chinese documents only', async () => {
    const retrieval = await source({ numberOfResults: 3 }).retrieve('退货 运费 质保', 'zh', LIMITS);
    expect(retrieval.passages.length).toBe(3);
    for (const passage of retrieval.passages) expect(passage.citation.documentId).toMatch(/\.zh\.md$/);
  });

  test('supported follows the relevance floor: no passage at or above it, not supported', async () => {
    const strict = await source({ relevanceFloor: 1.01 }).retrieve('Puis-je payer avec Klarna ?', 'fr', LIMITS);
    expect(strict.passages[0].citation.documentId).toBe('faqs/payment.fr.md');
    expect(strict.supported).toBe(false);
    const loose = await source({ relevanceFloor: 0 }).retrieve('Puis-je payer avec Klarna ?', 'fr', LIMITS);
    expect(loose.supported).toBe(true);
    expect(DEFAULT_RELEVANCE_FLOOR).toBeGreaterThan(0);
  });

  test('a question no document shares a word with: no passages, not supported', async () => {
    const retrieval = await source().retrieve('zeppelin xylophone', 'en', LIMITS);
    expect(retrieval).toEqual({ passages: [], supported: false });
  });

  test('an empty question is answered without a call', async () => {
    expect(await source().retrieve('   ', 'en', LIMITS)).toEqual({ passages: [], supported: false });
    expect(kb.emulator.requests).toHaveLength(0);
  });

  test('with a rerank model ARN it sends BEDROCK_RERANKING_MODEL with the model and the number of reranked results', async () => {
    const modelArn = rerankModelArn('amazon.rerank-v1:0', 'eu-central-1')!;
    const retrieval = await source({ rerankModelArn: modelArn, numberOfRerankedResults: 2, numberOfResults: 10 }).retrieve('return a damaged tent', 'en', LIMITS);
    expect(kb.emulator.requests[0].body.retrievalConfiguration).toEqual({
      vectorSearchConfiguration: {
        numberOfResults: 10,
        filter: { equals: { key: 'language', value: 'en' } },
        rerankingConfiguration: {
          type: 'BEDROCK_RERANKING_MODEL',
          bedrockRerankingConfiguration: { modelConfiguration: { modelArn }, numberOfRerankedResults: 2 },
        },
      },
    });
    expect(retrieval.passages.length).toBe(2);
  });

  test('a throttled retrieval rejects with the service\'s error as the cause', async () => {
    kb.emulator.queue({ fault: KNOWLEDGE_FAULTS.throttling });
    const error = await source().retrieve('returns', 'en', LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnowledgeRetrievalError);
    expect(error).toMatchObject({ reason: 'failed', message: 'Retrieve failed: ThrottlingException' });
  });

  test('an unknown knowledge base rejects (ResourceNotFoundException)', async () => {
    const error = await new BedrockKnowledgeSource({ client, knowledgeBaseId: 'KBUNKNOWN1' }).retrieve('returns', 'en', LIMITS).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'failed', message: 'Retrieve failed: ResourceNotFoundException' });
  });

  test('a hanging knowledge base: rejected with timeout after timeoutMs; the turn\'s own abort rejects as aborted', async () => {
    kb.emulator.queue({ hang: true }, 2);
    const started = performance.now();
    const timedOut = await source().retrieve('returns', 'en', { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1500);
    const turn = new AbortController();
    setTimeout(() => turn.abort(new Error('turn cancelled')), 50);
    const aborted = await source().retrieve('returns', 'en', { timeoutMs: 5000, signal: turn.signal }).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ reason: 'aborted' });
    const already = await source().retrieve('returns', 'en', { timeoutMs: 5000, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(already).toMatchObject({ reason: 'aborted' });
  });

  test('results outside the data source prefix are dropped: nothing is cited that cannot be located', async () => {
    const retrieval = await source({ documentKeyPrefix: 'other-prefix/' }).retrieve('returns refund', 'en', LIMITS);
    expect(retrieval.passages).toEqual([]);
    expect(retrieval.supported).toBe(false);
  });

  test('a metadata url that is not https is not linked, a missing title falls back to the document id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-links-'));
    const other = await (async () => {
      mkdirSync(join(dir, 'faqs'));
      writeFileSync(join(dir, 'faqs/a.en.md'), 'Lanterns are sold in packs of two.');
      writeFileSync(join(dir, 'faqs/a.en.md.metadata.json'), JSON.stringify({ metadataAttributes: { language: 'en', url: 'javascript:alert(1)' } }));
      writeFileSync(join(dir, 'faqs/b.en.md'), 'Lanterns use AA batteries.');
      writeFileSync(join(dir, 'faqs/b.en.md.metadata.json'), JSON.stringify({ metadataAttributes: { language: 'en', title: 'Batteries', url: 'http://help.example/b' } }));
      return startKnowledgeEmulator({ corpusDir: dir });
    })();
    const otherClient = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig(other.endpoint), maxAttempts: 1 });
    try {
      const retrieval = await new BedrockKnowledgeSource({ client: otherClient, knowledgeBaseId: other.knowledgeBaseId }).retrieve('lanterns', 'en', LIMITS);
      expect(retrieval.passages.map((p) => p.citation).sort((x, y) => x.documentId.localeCompare(y.documentId))).toEqual([
        { documentId: 'faqs/a.en.md', title: 'faqs/a.en.md' },
        { documentId: 'faqs/b.en.md', title: 'Batteries' },
      ]);
    } finally {
      otherClient.destroy();
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('early validation of the properties', () => {
    expect(() => source({ knowledgeBaseId: 'not-an-id' })).toThrow(/10 letters or digits/);
    expect(() => source({ numberOfResults: 0 })).toThrow(/numberOfResults/);
    expect(() => source({ numberOfRerankedResults: 101 })).toThrow(/numberOfRerankedResults/);
    expect(() => source({ rerankModelArn: 'amazon.rerank-v1:0' })).toThrow(/foundation-model ARN/);
    expect(() => source({ relevanceFloor: -1 })).toThrow(/relevanceFloor/);
  });
});

describe('rerank model Regions (rerank-supported.html)', () => {
  test('Amazon Rerank 1.0 in Frankfurt, not in Ireland or N. Virginia; Cohere Rerank 3.5 in N. Virginia', () => {
    expect(rerankModelArn('amazon.rerank-v1:0', 'eu-central-1')).toBe('arn:aws:bedrock:eu-central-1::foundation-model/amazon.rerank-v1:0');
    expect(rerankModelArn('amazon.rerank-v1:0', 'eu-west-1')).toBeUndefined();
    expect(rerankModelArn('amazon.rerank-v1:0', 'us-east-1')).toBeUndefined();
    expect(rerankModelArn('cohere.rerank-v3-5:0', 'us-east-1')).toBe('arn:aws:bedrock:us-east-1::foundation-model/cohere.rerank-v3-5:0');
    expect(() => rerankModelArn('amazon.titan-embed-text-v2:0', 'eu-central-1')).toThrow(/not a Bedrock rerank model/);
  });
});
