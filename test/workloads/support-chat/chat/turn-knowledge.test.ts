import type { BedrockEmulator, BedrockRequestRecord } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { qualifiedTexts } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings, GROUNDED_PROMPT, parseChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { type DoneFrame, type Frame, FrameWriter } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { MAX_RETRIEVAL_MS, turnTimeouts } from '../../../../workloads/support-chat/chat/handlers/lib/turn-clock';
import { citationsOf, groundingSources, MAX_GROUNDING_CHARACTERS } from '../../../../workloads/support-chat/chat/handlers/lib/turn-knowledge';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { turnDependencies } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';
import { BedrockKnowledgeSource } from '../../../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import type { KnowledgeSource, Passage, Retrieval, RetrievalLimits } from '../../../../workloads/support-chat/knowledge/handlers/lib/knowledge-source';
import type { SupportedLanguage } from '../../../../workloads/support-chat/language/handlers/lib/languages';
import { tenantMessage } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { tenantAllowedProfiles, tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * The turn with a knowledge base (`TurnDependencies.knowledge`), on the Bedrock runtime and DynamoDB emulators: the
 * passages go to ConverseStream as `grounding_source` blocks beside the `query` question, the answer's `done` frame and
 * its stored copy carry the citations, and a question the knowledge base cannot support, a grounding intervention or a
 * retrieval that fails or hangs gets the tenant's own text with no ungrounded answer. The knowledge source here is the
 * interface's contract served from a fixed list of passages (what the turn does with a retrieval, not how the Bedrock
 * client gets one: the client and its emulator have tests of their own).
 */

const REGION = 'eu-central-1';
const SUB = '5b3b7a35-8d3c-4c8c-9e4c-6f1e2f0a1b2c';
const CREDENTIALS = { accessKeyId: 'AKIATURNKNOWLEDGE000', secretAccessKey: 'turn-knowledge-secret' };
const config = exampleConfig();
const models = tenantModels(config, REGION);
const defaults = defaultChatSettings(models);
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 3 };

const RETURNS: Passage = {
  text: 'Unworn items can be returned within 30 days of delivery for a full refund. Start a return from your order page.',
  score: 0.82,
  citation: { documentId: 'faqs/returns.en.md', title: 'Returns and refunds', link: 'https://shop.example/help/returns' },
};
const RETURNS_LABEL: Passage = { ...RETURNS, text: 'Print the prepaid label from the return confirmation e-mail.', score: 0.61 };
const SHIPPING: Passage = {
  text: 'Standard delivery takes 2 to 4 working days.',
  score: 0.4,
  citation: { documentId: 'faqs/shipping.en.md', title: 'Shipping times' },
};
const RETURNS_ZH: Passage = {
  text: '未穿过的商品可在收货后 30 天内退货并全额退款。',
  score: 0.77,
  citation: { documentId: 'faqs/returns.zh.md', title: '退货与退款', link: 'https://shop.example/zh/help/returns' },
};

/** A knowledge base over fixed passages: what it answers, and every call it received. */
class Passages implements KnowledgeSource {
  readonly calls: { question: string; language: SupportedLanguage; limits: RetrievalLimits }[] = [];
  constructor(private readonly answer: (question: string, language: SupportedLanguage, within: RetrievalLimits) => Promise<Retrieval>) {}
  retrieve(question: string, language: SupportedLanguage, within: RetrievalLimits): Promise<Retrieval> {
    this.calls.push({ question, language, limits: within });
    return this.answer(question, language, within);
  }
}

const byLanguage = new Passages(async (_question, language) => (language === 'zh'
  ? { passages: [RETURNS_ZH], supported: true }
  : { passages: [RETURNS, RETURNS_LABEL, SHIPPING], supported: true }));
const nothing = new Passages(async () => ({ passages: [SHIPPING], supported: false }));

let emulators: TurnEmulators;
let bedrockEmulator: BedrockEmulator;
let messages = 0;

beforeAll(async () => {
  emulators = await startTurnEmulators({ region: REGION, credentials: CREDENTIALS });
  ({ bedrockEmulator } = emulators);
}, 300_000);

afterAll(async () => {
  await emulators?.stop();
});

beforeEach(() => {
  bedrockEmulator.reset();
  bedrockEmulator.script(withLocalClassifier());
});

interface Run {
  readonly frames: Frame[];
  readonly outcome: TurnOutcome;
  readonly ms: number;
  readonly conversationId: string;
  readonly messageId: string;
}

async function turn(knowledge: KnowledgeSource | undefined, text: string, overrides: Partial<TurnDependencies> = {}): Promise<Run> {
  const frames: Frame[] = [];
  messages += 1;
  const ids = { conversationId: `k${messages}`, messageId: `m${messages}` };
  const started = Date.now();
  const deps = emulators.dependencies({ limits, settings: defaults, guardrailName: 'knowledge01' }, { ...(knowledge ? { knowledge } : {}), ...overrides });
  const outcome = await runTurn({ action: 'sendMessage', sub: SUB, ...ids, text }, deps, async (data) => { frames.push(JSON.parse(data) as Frame); });
  return { frames, outcome, ms: Date.now() - started, ...ids };
}

const textOf = (frames: Frame[]) => frames.map((f) => (f.type === 'chunk' ? f.text : '')).join('');
const answers = () => bedrockEmulator.requests.filter((r) => r.operation === 'ConverseStream');

/** Exactly one final frame, the last, with the seqs contiguous from 0. */
function finalOf(frames: Frame[]): Frame {
  const finals = frames.filter((f) => f.type !== 'chunk');
  expect([finals.length, frames.at(-1)?.type === 'chunk', frames.map((f) => f.seq)]).toEqual([1, false, frames.map((_, i) => i)]);
  return finals[0];
}

/** The guardContent blocks of the answer's last message: each one's qualifiers and the start of its text. */
function guarded(request: BedrockRequestRecord): [string[] | undefined, string][] {
  return request.messages.at(-1)!.content
    .filter((b) => b.guardContent)
    .map((b) => {
      const t = (b.guardContent as { text: { text: string; qualifiers?: string[] } }).text;
      return [t.qualifiers, t.text.split('\n')[0]];
    });
}

describe('the turn\'s timeouts with a knowledge base (turnTimeouts)', () => {
  test('retrieval runs beside the classifier: the longer of the two, the candidates\' shares and the degraded answer fit the deadline', () => {
    for (const [deadline, candidates] of [[3000, 2], [25_000, 2], [25_000, 4], [60_000, 3], [1000, 1]]) {
      const t = turnTimeouts(deadline, candidates, { knowledge: true });
      expect(t.retrievalMs).toBe(Math.min(MAX_RETRIEVAL_MS, Math.floor(deadline / 10)));
      // One share beyond the candidates' stays for the store, the backoff and the degraded answer.
      expect(t.settingsMs + Math.max(t.classifierMs, t.retrievalMs) + (candidates + 1) * t.firstTokenMs).toBeLessThanOrEqual(deadline);
      expect(t.retrievalMs).toBeGreaterThan(0);
    }
    const example = { settingsMs: 1000, classifierMs: 2000, retrievalMs: 2500, firstTokenMs: 7166, idleMs: 5000 };
    expect(turnTimeouts(25_000, 2, { knowledge: true })).toEqual(example);
    expect(turnTimeouts(25_000, 2)).toEqual({ settingsMs: 1000, classifierMs: 2000, retrievalMs: 0, firstTokenMs: 7333, idleMs: 5000 });
  });
});

describe('a question the knowledge base supports', () => {
  test('the passages go as grounding_source blocks, the question as query and guard_content, with the grounded prompt and the trace', async () => {
    const run = await turn(byLanguage, 'How long do I have to return a jacket?');
    const done = finalOf(run.frames) as DoneFrame;
    expect(done.type).toBe('done');
    const [request] = answers();
    expect(guarded(request)).toEqual([
      [['grounding_source'], '[1] Returns and refunds'],
      [['grounding_source'], '[2] Returns and refunds'],
      [['grounding_source'], '[3] Shipping times'],
      [['query', 'guard_content'], 'How long do I have to return a jacket?'],
    ]);
    expect([request.system, request.guardrailConfig?.trace]).toEqual([[{ text: GROUNDED_PROMPT.system }], 'enabled']);
    // The emulator's default answer of a grounded request quotes the first passage, cited by its number.
    expect(textOf(run.frames)).toBe(`[${models.capable}] ${RETURNS.text.split('. ')[0]}. [1]`);
    expect(run.outcome).toMatchObject({ result: 'answered', knowledge: { state: 'grounded', citations: 2 } });
    expect(run.outcome.settings?.prompts).toContain(GROUNDED_PROMPT.version);
    expect(byLanguage.calls.at(-1)).toMatchObject({ question: 'How long do I have to return a jacket?', language: 'en', limits: { timeoutMs: 300 } });
  });

  test('the done frame cites each document once, best first, and the stored answer keeps them for a replay', async () => {
    const run = await turn(byLanguage, 'Can I return shoes I have not worn?');
    const citations = [RETURNS.citation, SHIPPING.citation];
    expect((finalOf(run.frames) as DoneFrame).citations).toEqual(citations);
    const stored = await emulators.store.find(SUB, run.conversationId, run.messageId);
    expect(stored?.answer?.citations).toEqual(citations);
    const replay: Frame[] = [];
    const outcome = await runTurn(
      { action: 'resume', sub: SUB, conversationId: run.conversationId, messageId: run.messageId },
      emulators.dependencies({ limits, settings: defaults, guardrailName: 'knowledge01' }, { knowledge: byLanguage }),
      async (data) => { replay.push(JSON.parse(data) as Frame); },
    );
    expect([outcome.result, textOf(replay), (finalOf(replay) as DoneFrame).citations]).toEqual(['replayed', textOf(run.frames), citations]);
    expect(answers()).toHaveLength(1);
  });

  test('a Chinese question is searched in Chinese and answered with the Chinese passage\'s citation', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ answer: '未穿过的商品可在收货后 30 天内退货 [1]。' })));
    const run = await turn(byLanguage, '我买的外套还没穿，可以退货吗？');
    expect(byLanguage.calls.at(-1)?.language).toBe('zh');
    const done = finalOf(run.frames) as DoneFrame;
    expect([textOf(run.frames), done.citations]).toEqual(['未穿过的商品可在收货后 30 天内退货 [1]。', [RETURNS_ZH.citation]]);
    expect(qualifiedTexts(answers()[0], 'grounding_source')).toEqual([`[1] 退货与退款\n${RETURNS_ZH.text}`]);
  });

  test('a tenant without a knowledge base answers as before: no grounding blocks, no trace, no citations', async () => {
    const run = await turn(undefined, 'How long do I have to return a jacket?');
    const done = finalOf(run.frames) as DoneFrame;
    expect([done.type, done.citations, run.outcome.knowledge]).toEqual(['done', undefined, undefined]);
    expect(guarded(answers()[0])).toEqual([[undefined, 'How long do I have to return a jacket?']]);
    expect(answers()[0].guardrailConfig?.trace).toBeUndefined();
  });
});

describe('no grounded answer: the tenant says it does not have the information, and never answers from nothing', () => {
  test('no supporting passage: the offer of a person in the customer\'s language, without calling the answer model', async () => {
    const run = await turn(nothing, 'Was kostet ein Flug nach Lissabon?');
    expect([finalOf(run.frames).type, textOf(run.frames)]).toEqual(['done', tenantMessage('offer_human_agent', 'de')]);
    expect((finalOf(run.frames) as DoneFrame).citations).toBeUndefined();
    expect(run.outcome).toMatchObject({ result: 'answered', code: 'unsupported', knowledge: { state: 'unsupported' } });
    expect(answers()).toHaveLength(0);
    expect((await emulators.store.find(SUB, run.conversationId, run.messageId))?.answer?.text).toBe(tenantMessage('offer_human_agent', 'de'));
  });

  test('a retrieval that says supported with no passage is not supported', async () => {
    const run = await turn(new Passages(async () => ({ passages: [], supported: true })), 'What is your returns policy?');
    expect([run.outcome.code, answers().length]).toEqual(['unsupported', 0]);
  });

  test('the guardrail\'s grounding check blocks the answer: its message, then the tenant\'s, stored, with no citation', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ guardrail: { message: 'The response was withheld.', grounding: {} } })));
    const run = await turn(byLanguage, 'How long do I have to return a jacket?');
    const expected = `The response was withheld.\n\n${tenantMessage('offer_human_agent', 'en')}`;
    const done = finalOf(run.frames) as DoneFrame;
    expect([done.type, done.citations, textOf(run.frames)]).toEqual(['done', undefined, expected]);
    expect(run.outcome).toMatchObject({ result: 'answered', code: 'grounding_blocked', knowledge: { state: 'grounding_blocked' } });
    expect(answers().map((r) => r.outcome)).toEqual(['guardrail-intervened']);
    const stored = await emulators.store.find(SUB, run.conversationId, run.messageId);
    expect([stored?.answer?.text, stored?.answer?.citations]).toEqual([expected, undefined]);
  });

  test('a grounding intervention that sends no text: the tenant\'s text alone', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ guardrail: { message: '', grounding: { relevanceScore: 0.2, groundingScore: 0.9 } } })));
    const run = await turn(byLanguage, 'How long do I have to return a jacket?');
    expect([finalOf(run.frames).type, textOf(run.frames), run.outcome.code]).toEqual(['done', tenantMessage('offer_human_agent', 'en'), 'grounding_blocked']);
  });

  test('the emulator runs no grounding check without grounding sources: the same script answers a tenant without a knowledge base', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ guardrail: { grounding: {} } })));
    const run = await turn(undefined, 'How long do I have to return a jacket?');
    expect([run.outcome.result, answers()[0].outcome]).toEqual(['answered', 'completed']);
  });

  test('another guardrail intervention on a grounded answer stays the guardrail\'s answer, as without a knowledge base', async () => {
    bedrockEmulator.script(withLocalClassifier(() => ({ inputPolicy: { blocks: /4111/, message: 'Please do not share card numbers.' } })));
    const run = await turn(byLanguage, 'My card 4111 1111 1111 1111 was charged twice, can I return the jacket?');
    expect([textOf(run.frames), run.outcome.result, run.outcome.code]).toEqual(['Please do not share card numbers.', 'answered', undefined]);
  });

  test('the passages are not evaluated by the input policy: a blocked word inside a passage does not block the question', async () => {
    const card = new Passages(async () => ({ passages: [{ ...RETURNS, text: 'Never send your card number 4111 1111 1111 1111 in the chat.' }], supported: true }));
    bedrockEmulator.script(withLocalClassifier(() => ({ inputPolicy: { blocks: /4111/ } })));
    const run = await turn(card, 'Is it safe to send my card number here?');
    expect([run.outcome.result, answers()[0].outcome]).toEqual(['answered', 'completed']);
  });
});

describe('a knowledge base that fails or hangs: the turn says it cannot look it up, with no ungrounded answer', () => {
  test('a retrieval error: knowledge_unavailable in the customer\'s language, degraded, no answer model called', async () => {
    const failing = new Passages(async () => { throw Object.assign(new Error('Rate exceeded.'), { name: 'ThrottlingException' }); });
    const run = await turn(failing, '¿Cuánto tiempo tengo para devolver una chaqueta?');
    expect([finalOf(run.frames).type, textOf(run.frames)]).toEqual(['done', tenantMessage('knowledge_unavailable', 'es')]);
    expect(run.outcome).toMatchObject({ result: 'degraded', code: 'knowledge_unavailable', knowledge: { state: 'unavailable' } });
    expect(answers()).toHaveLength(0);
  });

  test('a retrieval that never answers (and ignores its abort) is cut at its timeout, well before the deadline', async () => {
    const hanging = new Passages(() => new Promise<Retrieval>(() => undefined));
    const run = await turn(hanging, 'How long do I have to return a jacket?');
    expect([finalOf(run.frames).type, run.outcome.code]).toEqual(['done', 'knowledge_unavailable']);
    const { retrievalMs } = turnTimeouts(limits.turnDeadlineSeconds * 1000, 1, { knowledge: true });
    expect(run.ms).toBeGreaterThanOrEqual(retrievalMs);
    expect(run.ms).toBeLessThan(limits.turnDeadlineSeconds * 1000);
  });

  test('the source\'s abort signal fires at the timeout', async () => {
    let aborted: unknown;
    const listening = new Passages((_q, _l, { signal }) => new Promise<Retrieval>((_, reject) => {
      signal?.addEventListener('abort', () => { aborted = signal.reason; reject(signal.reason); });
    }));
    const run = await turn(listening, 'How long do I have to return a jacket?');
    expect([run.outcome.code, (aborted as Error | undefined)?.name]).toEqual(['knowledge_unavailable', 'RetrievalTimeoutError']);
  });

  test('a retrieval that is not a list of passages counts as failed', async () => {
    const broken = new Passages(async () => ({ passages: 'none', supported: true }) as unknown as Retrieval);
    expect((await turn(broken, 'How long do I have to return a jacket?')).outcome.code).toBe('knowledge_unavailable');
  });
});

describe('grounding sources and citations (turn-knowledge.ts)', () => {
  test('sources numbered from 1 with their titles, cut to the grounding check\'s 100,000 characters', () => {
    const big = (n: number): Passage => ({ ...SHIPPING, text: 'x'.repeat(40_000), citation: { documentId: `d${n}`, title: `T${n}` } });
    const sources = groundingSources([big(1), big(2), big(3)]);
    expect(sources.map((s) => s.split('\n')[0])).toEqual(['[1] T1', '[2] T2']);
    expect(groundingSources([{ ...big(1), text: 'y'.repeat(200_000) }])[0]).toHaveLength(MAX_GROUNDING_CHARACTERS);
  });

  test('the done frame keeps the best citations that fit one frame, and stays under the frame ceiling', async () => {
    const sent: string[] = [];
    const writer = new FrameWriter({ conversationId: 'c', messageId: 'm', maxFrameBytes: 4096, send: async (data) => { sent.push(data); } });
    const long = (n: number) => ({ documentId: `faqs/doc-${n}.en.md`, title: `${n} ${'é'.repeat(700)}`, link: `https://shop.example/${n}` });
    await writer.end(undefined, [1, 2, 3, 4, 5].map(long));
    const done = JSON.parse(sent[0]) as DoneFrame;
    expect(Buffer.byteLength(sent[0], 'utf8')).toBeLessThanOrEqual(4096);
    expect(done.citations?.map((c) => c.documentId)).toEqual(['faqs/doc-1.en.md', 'faqs/doc-2.en.md']);
  });

  test('citations: each document once, in the passages\' order, without a link it does not have', () => {
    expect(citationsOf([RETURNS, SHIPPING, RETURNS_LABEL])).toEqual([RETURNS.citation, { documentId: 'faqs/shipping.en.md', title: 'Shipping times' }]);
  });
});

describe('the turn function\'s knowledge base from its environment (turnDependencies)', () => {
  const base = {
    TABLE_NAME: 'support-chat-conversations',
    TABLE_ARN: `arn:aws:dynamodb:${REGION}:123456789012:table/support-chat-conversations`,
    DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/support-chat-conversation-data',
    GUARDRAIL_ARN: `arn:aws:bedrock:${REGION}:123456789012:guardrail/knowledge01`,
    GUARDRAIL_VERSION: '1',
    MODELS: JSON.stringify(models),
    ALLOWED_PROFILES: JSON.stringify([models.classifier, models.fast, models.capable, ...models.fallback]),
    LIMITS: JSON.stringify(limits),
    RETENTION_DAYS: '90',
  };
  const RERANK = `arn:aws:bedrock:${REGION}::foundation-model/cohere.rerank-v3-5:0`;

  test('KNOWLEDGE_BASE_ID and the other KNOWLEDGE_* variables make a BedrockKnowledgeSource with the language filter and reranking', () => {
    const deps = turnDependencies({ ...base, KNOWLEDGE_BASE_ID: 'KBLOCAL001', KNOWLEDGE_RESULTS: '3', KNOWLEDGE_RERANK_MODEL_ARN: RERANK }, REGION);
    expect(deps.knowledge).toBeInstanceOf(BedrockKnowledgeSource);
    const request = (deps.knowledge as BedrockKnowledgeSource).request('Where is my parcel?', 'fr');
    expect(request.retrievalConfiguration?.vectorSearchConfiguration).toMatchObject({
      numberOfResults: 3,
      filter: { equals: { key: 'language', value: 'fr' } },
      rerankingConfiguration: { bedrockRerankingConfiguration: { modelConfiguration: { modelArn: RERANK } } },
    });
    deps.bedrock.destroy();
  });

  test('without KNOWLEDGE_BASE_ID the turn has no knowledge base; a malformed value fails when the function starts', () => {
    const deps = turnDependencies(base, REGION);
    expect(deps.knowledge).toBeUndefined();
    deps.bedrock.destroy();
    expect(() => turnDependencies({ ...base, KNOWLEDGE_BASE_ID: 'KBLOCAL001', KNOWLEDGE_RESULTS: 'five' }, REGION)).toThrow(/KNOWLEDGE_RESULTS/);
    expect(() => turnDependencies({ ...base, KNOWLEDGE_BASE_ID: 'kb' }, REGION)).toThrow(/knowledgeBaseId/);
  });
});

describe('the grounded prompt in the hosted settings', () => {
  const allowed = tenantAllowedProfiles(config, REGION);

  test('optional (a version hosted before it existed is valid), versioned grounded@x.y.z like the others', () => {
    const { grounded, ...withoutGrounded } = defaults.prompts;
    expect(grounded).toEqual(GROUNDED_PROMPT);
    expect(parseChatSettings({ ...defaults, prompts: withoutGrounded }, allowed)).toMatchObject({ ok: true });
    const unversioned = { ...defaults, prompts: { ...defaults.prompts, grounded: { ...GROUNDED_PROMPT, version: 'grounded@next' } } };
    expect(parseChatSettings(unversioned, allowed)).toMatchObject({ ok: false, problems: [expect.stringContaining('prompts.grounded.version')] });
  });

  test('a deployed grounded prompt is the one the grounded answer is sent with', async () => {
    const mine = { version: 'grounded@1.1.0', system: 'Answer from the numbered passages only; cite them.' };
    const settings = { ...defaults, prompts: { ...defaults.prompts, grounded: mine } };
    const run = await turn(byLanguage, 'How long do I have to return a jacket?', { settings: async () => ({ settings, source: 'appconfig' as const }) });
    expect([answers()[0].system, run.outcome.settings?.prompts]).toEqual([[{ text: mine.system }], [defaults.prompts.answer.version, defaults.prompts.router.version, 'grounded@1.1.0']]);
  });
});
