import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentRuntimeClient, ResourceNotFoundException, RetrieveCommand, type RetrieveCommandInput, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { loadCorpus } from '../../emulators/bedrock-agent-runtime/knowledge-corpus';
import {
  KNOWLEDGE_FAULTS, knowledgeClientConfig, type RunningKnowledgeEmulator, startKnowledgeEmulator,
} from '../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { LexicalIndex, terms } from '../../emulators/bedrock-agent-runtime/lexical-index';
import { matchesFilter, parseFilter, type RetrievalFilter } from '../../emulators/bedrock-agent-runtime/retrieval-filter';

/* The knowledge-base emulator checked with the real `@aws-sdk/client-bedrock-agent-runtime` (HTTP/2, its default
 * handler): what it shows is the emulator's behaviour, not Bedrock's. */

const CORPUS = join(__dirname, '../../workloads/support-chat/local/corpus');
const RERANK_ARN = 'arn:aws:bedrock:eu-central-1::foundation-model/amazon.rerank-v1:0';

let kb: RunningKnowledgeEmulator;
let client: BedrockAgentRuntimeClient;

beforeAll(async () => {
  kb = await startKnowledgeEmulator({ corpusDir: CORPUS, keyPrefix: 'corpus/', bucket: 'fernway-knowledge' });
  client = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig(kb.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await kb.stop();
});

beforeEach(() => kb.emulator.reset());

function retrieve(
  text: string, vector: Record<string, unknown> = {}, knowledgeBaseId = kb.knowledgeBaseId, options: { abortSignal?: AbortSignal } = {},
) {
  const input: RetrieveCommandInput = {
    knowledgeBaseId,
    retrievalQuery: { text },
    retrievalConfiguration: { vectorSearchConfiguration: vector },
  };
  return client.send(new RetrieveCommand(input), options);
}

/** A request with a SigV4-shaped Authorization header (the emulator checks its shape, scope and service, not the HMAC). */
async function rawRetrieve(body: string, path = `/knowledgebases/${kb.knowledgeBaseId}/retrieve`, signed = true) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signed) {
    headers.authorization = `AWS4-HMAC-SHA256 Credential=AKIAEMULATOR00000000/20261207/eu-central-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    headers['x-amz-date'] = '20261207T100000Z';
  }
  const response = await fetch(`${kb.endpoint}${path}`, { method: 'POST', headers, body });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype')?.split(':')[0], body: await response.json() as Record<string, unknown> };
}

describe('Retrieve over the SDK (emulator)', () => {
  test('answers the language the filter names, at most numberOfResults, best first, with S3 locations and metadata', async () => {
    const response = await retrieve('How much does express shipping cost?', { numberOfResults: 3, filter: { equals: { key: 'language', value: 'en' } } });
    const results = response.retrievalResults!;
    expect(results.length).toBe(3);
    expect(results[0].location).toEqual({ type: 'S3', s3Location: { uri: 's3://fernway-knowledge/corpus/shipping/shipping-costs.en.md' } });
    expect(results[0].content?.type).toBe('TEXT');
    expect(results[0].content?.text).toContain('9.95 EUR');
    expect(results[0].metadata).toMatchObject({
      'language': 'en',
      'type': 'shipping',
      'title': 'Shipping costs',
      'url': 'https://help.fernway.example/en/shipping-costs',
      'x-amz-bedrock-kb-source-uri': 's3://fernway-knowledge/corpus/shipping/shipping-costs.en.md',
    });
    for (const result of results) expect(result.metadata?.language).toBe('en');
    const scores = results.map((r) => r.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const score of scores) expect(score).toBeGreaterThan(0);
    for (const score of scores) expect(score).toBeLessThanOrEqual(1);
    expect(kb.emulator.requests[0]).toMatchObject({ outcome: 'answered', signingRegion: 'eu-central-1' });
  });

  test('numberOfResults defaults to 5, the service default', async () => {
    const response = await retrieve('Rücksendung Erstattung Garantie Versand Zahlung Konto Zelt Rucksack', { filter: { equals: { key: 'language', value: 'de' } } });
    expect(response.retrievalResults!.length).toBe(5);
    expect(kb.emulator.requests[0].input?.numberOfResults).toBe(5);
  });

  test('andAll, orAll, in and notEquals filters', async () => {
    const question = 'garantie warranty garantía 质保 retour returns';
    const keys = async (filter: Record<string, unknown>) =>
      (await retrieve(question, { numberOfResults: 100, filter })).retrievalResults!.map((r) => r.location!.s3Location!.uri!.replace('s3://fernway-knowledge/corpus/', ''));
    const frPolicies = await keys({ andAll: [{ equals: { key: 'language', value: 'fr' } }, { equals: { key: 'type', value: 'policy' } }] });
    expect(frPolicies.length).toBeGreaterThan(0);
    for (const key of frPolicies) expect(key).toMatch(/^policies\/.*\.fr\.md$/);
    const enOrZh = await keys({ orAll: [{ equals: { key: 'language', value: 'en' } }, { equals: { key: 'language', value: 'zh' } }] });
    expect(new Set(enOrZh.map((k) => k.split('.').at(-2)))).toEqual(new Set(['en', 'zh']));
    const inEs = await keys({ in: { key: 'language', value: ['es'] } });
    for (const key of inEs) expect(key).toMatch(/\.es\.md$/);
    const notEn = await keys({ notEquals: { key: 'language', value: 'en' } });
    expect(notEn.some((k) => k.endsWith('.en.md'))).toBe(false);
  });

  test('a filter no document passes answers an empty list, not an error', async () => {
    const response = await retrieve('returns', { filter: { equals: { key: 'language', value: 'it' } } });
    expect(response.retrievalResults).toEqual([]);
  });

  test('reranking is checked and recorded; no rerank model runs, the lexical order is cut to numberOfRerankedResults', async () => {
    const rerankingConfiguration = {
      type: 'BEDROCK_RERANKING_MODEL',
      bedrockRerankingConfiguration: { modelConfiguration: { modelArn: RERANK_ARN }, numberOfRerankedResults: 2 },
    };
    const plain = await retrieve('return a damaged item', { numberOfResults: 5, filter: { equals: { key: 'language', value: 'en' } } });
    const reranked = await retrieve('return a damaged item', { numberOfResults: 5, filter: { equals: { key: 'language', value: 'en' } }, rerankingConfiguration });
    expect(reranked.retrievalResults!.map((r) => r.location)).toEqual(plain.retrievalResults!.slice(0, 2).map((r) => r.location));
    expect(kb.emulator.requests[1].input?.reranking).toEqual({ modelArn: RERANK_ARN, numberOfRerankedResults: 2 });
    await expect(retrieve('returns', { rerankingConfiguration: { type: 'BEDROCK_RERANKING_MODEL', bedrockRerankingConfiguration: { modelConfiguration: { modelArn: 'amazon.rerank-v1:0' } } } }))
      .rejects.toBeInstanceOf(ValidationException);
  });
});

describe('errors in AWS\'s shape (emulator)', () => {
  test('an unknown knowledge base is ResourceNotFoundException (404); a malformed id ValidationException', async () => {
    const error = await retrieve('returns', {}, 'KBUNKNOWN1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    await expect(retrieve('returns', {}, 'kb-with-dashes')).rejects.toBeInstanceOf(ValidationException);
  });

  test('numberOfResults outside 1 to 100, an andAll of one filter, an empty question: ValidationException (400)', async () => {
    for (const vector of [{ numberOfResults: 0 }, { numberOfResults: 101 }, { filter: { andAll: [{ equals: { key: 'language', value: 'en' } }] } }]) {
      const error = await retrieve('returns', vector).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    }
    await expect(retrieve('   ')).rejects.toBeInstanceOf(ValidationException);
  });

  test('a body that is not JSON, a filter with two operators, an unknown operator: ValidationException', async () => {
    expect(await rawRetrieve('{"retrievalQuery":')).toMatchObject({ status: 400, errorType: 'ValidationException' });
    const twoOperators = JSON.stringify({
      retrievalQuery: { text: 'returns' },
      retrievalConfiguration: { vectorSearchConfiguration: { filter: { equals: { key: 'language', value: 'en' }, in: { key: 'type', value: ['faq'] } } } },
    });
    expect(await rawRetrieve(twoOperators)).toMatchObject({ status: 400, errorType: 'ValidationException' });
    const unknown = JSON.stringify({ retrievalQuery: { text: 'returns' }, retrievalConfiguration: { vectorSearchConfiguration: { filter: { like: { key: 'a', value: 'b' } } } } });
    expect((await rawRetrieve(unknown)).body.message).toMatch(/not a filter operator/);
  });

  test('an unsigned request is refused with 403; another path is UnknownOperationException', async () => {
    expect(await rawRetrieve(JSON.stringify({ retrievalQuery: { text: 'returns' } }), undefined, false)).toMatchObject({ status: 403, errorType: 'MissingAuthenticationTokenException' });
    expect(await rawRetrieve('{}', '/knowledgebases/KBLOCAL001/retrieveAndGenerate')).toMatchObject({ status: 404, errorType: 'UnknownOperationException' });
  });
});

describe('faults (emulator)', () => {
  test('a queued ThrottlingException (429) answers once, then the knowledge base answers again', async () => {
    kb.emulator.queue({ fault: KNOWLEDGE_FAULTS.throttling });
    const error = await retrieve('returns').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    await expect(retrieve('returns')).resolves.toHaveProperty('retrievalResults');
    expect(kb.emulator.requests.map((r) => r.outcome)).toEqual(['faulted', 'answered']);
  });

  test('latency delays the answer; a hang is ended by the client\'s abort signal', async () => {
    kb.emulator.queue({ latencyMs: 150 });
    const started = performance.now();
    await retrieve('returns');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    kb.emulator.queue({ hang: true });
    const hangStarted = performance.now();
    const error = await retrieve('returns', {}, undefined, { abortSignal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/Abort|Timeout/);
    expect(performance.now() - hangStarted).toBeLessThan(2000);
    expect(kb.emulator.requests[1].outcome).toBe('hung');
  });
});

describe('corpus, ranking and filter (emulator internals)', () => {
  test('metadata files: not the metadataAttributes shape, a value of another kind, an orphan, over 10 KB, all refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-corpus-'));
    try {
      const write = (name: string, text: string) => {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
      };
      write('faqs/a.en.md', '# A\n\nText.');
      write('faqs/a.en.md.metadata.json', JSON.stringify({ language: 'en' }));
      expect(() => loadCorpus(dir)).toThrow(/metadataAttributes/);
      write('faqs/a.en.md.metadata.json', JSON.stringify({ metadataAttributes: { language: { nested: true } } }));
      expect(() => loadCorpus(dir)).toThrow(/attribute language/);
      write('faqs/a.en.md.metadata.json', JSON.stringify({ metadataAttributes: { language: 'en', pad: 'x'.repeat(10 * 1024) } }));
      expect(() => loadCorpus(dir)).toThrow(/10 KB/);
      write('faqs/a.en.md.metadata.json', JSON.stringify({ metadataAttributes: { language: 'en' } }));
      write('faqs/b.en.md.metadata.json', JSON.stringify({ metadataAttributes: { language: 'en' } }));
      expect(() => loadCorpus(dir)).toThrow(/without its document/);
      rmSync(join(dir, 'faqs/b.en.md.metadata.json'));
      expect(loadCorpus(dir).chunks).toEqual([{ key: 'faqs/a.en.md', index: 0, text: '# A\n\nText.', metadata: { language: 'en' } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('terms: accents and case folded, words cut to 5 characters, function words dropped, Chinese as bigrams', () => {
    expect(terms('Devoluciones y devolución')).toEqual(['devol', 'devol']);
    expect(terms('The RETURNS of Rücksendung')).toEqual(['retur', 'rucks']);
    expect(terms('退货政策')).toEqual(['退货', '货政', '政策']);
    expect(terms('退')).toEqual(['退']);
  });

  test('BM25 ranks the chunk with the rarer shared word first; a question with no shared word finds nothing', () => {
    const index = new LexicalIndex([
      { item: 'a', text: 'tent tent poles' },
      { item: 'b', text: 'tent kayak' },
      { item: 'c', text: 'backpack' },
    ]);
    expect(index.search('kayak tent').map((h) => h.item)).toEqual(['b', 'a']);
    expect(index.search('zeppelin')).toEqual([]);
  });

  test('filter semantics: a missing key matches no comparison; numbers compare; lists contain', () => {
    const parse = (raw: unknown) => parseFilter(raw) as RetrievalFilter;
    expect(matchesFilter(parse({ notEquals: { key: 'language', value: 'en' } }), {})).toBe(false);
    expect(matchesFilter(parse({ greaterThan: { key: 'year', value: 2020 } }), { year: 2024 })).toBe(true);
    expect(matchesFilter(parse({ listContains: { key: 'tags', value: 'tent' } }), { tags: ['tent', 'camp'] })).toBe(true);
    expect(matchesFilter(parse({ startsWith: { key: 'title', value: 'Fern' } }), { title: 'Fernway' })).toBe(true);
    expect(parseFilter({ greaterThan: { key: 'year', value: '2020' } })).toMatch(/must be a number/);
    expect(parseFilter({ orAll: [1, 2, 3, 4, 5, 6] })).toMatch(/2 to 5/);
  });
});
