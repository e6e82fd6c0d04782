import { PassThrough, Writable } from 'node:stream';
import { qualifiedTexts } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import type { DoneFrame, Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { tenantMessage } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { chatInTerminal } from '../../../../workloads/support-chat/local/chat-terminal';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { ask, textOf, userOf } from '../support/chat-session';

/*
 * The knowledge base end to end through the local harness (`startChatLocal({ knowledge: true })`): a `ws` client, the
 * local gateway, the relay and the turn, whose `BedrockKnowledgeSource` retrieves from the knowledge-base emulator over
 * the example corpus (workloads/support-chat/local/corpus) and whose answer goes to the Bedrock emulator with the
 * passages as grounding sources. The emulator's ranking is lexical, not Bedrock's: these tests check the path (what is
 * sent, what comes back, what is stored), not retrieval quality.
 */

let chat: ChatLocal;

beforeAll(async () => {
  chat = await startChatLocal({ knowledge: true });
}, 300_000);

afterAll(async () => {
  await chat?.close();
});

beforeEach(() => {
  chat.resetBedrock();
  chat.knowledgeBase!.emulator.reset();
});

const answers = () => chat.emulator!.requests.filter((r) => r.operation === 'ConverseStream');
const doneOf = (frames: Frame[]) => frames.at(-1) as DoneFrame;

test('a product question: the answer quotes a passage of the corpus and the done frame cites its documents', async () => {
  const client = await userOf(chat).connect();
  const frames = await ask(client, { conversationId: 'kb-1', messageId: 'q1', text: 'How long does a refund take after my return reaches the warehouse?' });
  client.ws.close();
  const done = doneOf(frames);
  expect(done.type).toBe('done');
  expect(done.citations?.map((c) => c.documentId)).toContain('policies/refunds.en.md');
  expect(done.citations?.find((c) => c.documentId === 'policies/refunds.en.md')).toMatchObject({ title: 'Refunds', link: expect.stringMatching(/^https:\/\//) });
  // Retrieved in English only, through the knowledge source's language filter.
  const [retrieve] = chat.knowledgeBase!.emulator.requests;
  expect(retrieve.resultKeys?.every((key) => key.endsWith('.en.md'))).toBe(true);
  // The emulator's grounded default answer quotes the first passage it was given and cites it as [1].
  const sources = qualifiedTexts(answers()[0], 'grounding_source');
  expect(sources.length).toBeGreaterThan(0);
  expect(textOf(frames)).toMatch(/ \[1\]$/);
  expect(qualifiedTexts(answers()[0], 'query')).toEqual(['How long does a refund take after my return reaches the warehouse?']);
});

test('a question outside the corpus: "I don\'t have that information", no answer model called', async () => {
  const client = await userOf(chat).connect();
  const frames = await ask(client, { conversationId: 'kb-2', messageId: 'q1', text: 'Which football team won the league in 1987?' });
  client.ws.close();
  expect([doneOf(frames).type, doneOf(frames).citations, textOf(frames)]).toEqual(['done', undefined, tenantMessage('offer_human_agent', 'en')]);
  expect(answers()).toEqual([]);
  // `done` goes out while the budgets settle: the turn's outcome is there once it has ended.
  await chat.settled();
  expect(chat.turns.at(-1)?.outcome).toMatchObject({ result: 'answered', code: 'unsupported' });
});

test('a Chinese question is retrieved in Chinese and answered in Chinese with Chinese citations', async () => {
  chat.emulator!.script(withLocalClassifier(() => ({ answer: '退货通过检验后，我们会在 5 个工作日内退款 [1]。' })));
  const client = await userOf(chat).connect();
  const frames = await ask(client, { conversationId: 'kb-3', messageId: 'q1', text: '退货通过检验后多久退款？' });
  client.ws.close();
  expect(textOf(frames)).toBe('退货通过检验后，我们会在 5 个工作日内退款 [1]。');
  const citations = doneOf(frames).citations ?? [];
  expect(citations.map((c) => c.documentId)).toContain('policies/refunds.zh.md');
  expect(citations.every((c) => c.documentId.endsWith('.zh.md'))).toBe(true);
  expect(citations.find((c) => c.documentId === 'policies/refunds.zh.md')?.title).toBe('退款');
});

test('a resume after reconnecting replays the answer with its citations, with no retrieval and no model call', async () => {
  const user = userOf(chat);
  const first = await user.connect();
  const frames = await ask(first, { conversationId: 'kb-4', messageId: 'q1', text: 'Can I get store credit instead of a refund?' });
  first.ws.close();
  const retrievals = chat.knowledgeBase!.emulator.requests.length;
  const streams = answers().length;
  const again = await user.connect();
  const replay = await ask(again, { action: 'resume', conversationId: 'kb-4', messageId: 'q1' });
  again.ws.close();
  expect([textOf(replay), doneOf(replay).citations]).toEqual([textOf(frames), doneOf(frames).citations]);
  expect(doneOf(replay).citations?.length).toBeGreaterThan(0);
  expect([chat.knowledgeBase!.emulator.requests.length, answers().length]).toEqual([retrievals, streams]);
});

test('the terminal client of chat:local lists the answer\'s citations under it', async () => {
  const input = new PassThrough();
  let printed = '';
  const output = new Writable({ write: (chunk: Buffer, _encoding, done) => { printed += chunk.toString(); done(); } });
  const terminal = await chatInTerminal({ url: chat.connectUrl(chat.token('customer')), input, output });
  input.end('Can I get store credit instead of a refund?\n');
  await terminal.finished;
  expect(printed).toMatch(/\n {2}\[1\] Refunds \(policies\/refunds\.en\.md\) https:\/\/\S+\n/);
});
