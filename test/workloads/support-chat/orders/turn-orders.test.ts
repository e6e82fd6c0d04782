import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { knowledgeClientConfig, startKnowledgeEmulator } from '../../../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { guardedInput, type BedrockEmulator } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { ALICE_SUB, BOB_SUB, FIXTURE_ORDERS, OrderApiEmulator } from '../../../../emulators/order-api/order-api-emulator';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import type { ConversationStoreProps } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { BedrockKnowledgeSource } from '../../../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { withLocalOrders } from '../../../../workloads/support-chat/local/local-orders';
import { OrderCredential } from '../../../../workloads/support-chat/orders/handlers/lib/order-credential';
import { ORDER_TOOL_NAME, OrderTool } from '../../../../workloads/support-chat/orders/handlers/lib/order-tool';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * The order tool through the whole turn, on the emulators: the Bedrock runtime emulator scripted to call
 * `get_order_status` (streamed `toolUse`, `stopReason: tool_use`) and to answer from the `toolResult` it gets back, the
 * order API emulator (two customers; normal, buggy and failing modes), the conversation table on the DynamoDB emulator
 * and the API's credential in Secrets Manager on moto. What the emulators do is not proof of what Bedrock or the company's
 * API do; what the turn sends them and stores is what these tests check.
 */

const REGION = 'eu-central-1';
const CREDENTIALS = { accessKeyId: 'AKIATURNORDERS000000', secretAccessKey: 'turn-orders-secret' };
const TOKEN = 'turn-orders-token';
const config = exampleConfig();
const defaults = defaultChatSettings(tenantModels(config, REGION));
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 4 };
const BOB_ORDER_IDS = FIXTURE_ORDERS.filter((o) => o.customerId === BOB_SUB).map((o) => o.orderId);
const BOB_DETAILS = [...BOB_ORDER_IDS, 'Headphones', 'Desk lamp', '1Z999AA10123456784', 'Unter den Linden'];

let emulators: TurnEmulators;
let bedrock: BedrockEmulator;
let moto: MotoServer;
let secrets: SecretsManagerClient;
let api: OrderApiEmulator;
let messages = 0;

beforeAll(async () => {
  [emulators, moto] = await Promise.all([startTurnEmulators({ region: REGION, credentials: CREDENTIALS }), startMoto()]);
  bedrock = emulators.bedrockEmulator;
  secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
  await secrets.send(new CreateSecretCommand({ Name: 'support-chat/order-api', SecretString: TOKEN }));
  api = new OrderApiEmulator({ token: TOKEN });
  await api.start();
}, 300_000);

afterAll(async () => {
  secrets?.destroy();
  await api?.close();
  await emulators?.stop();
  await moto?.stop();
});

beforeEach(() => {
  bedrock.reset();
  bedrock.script(withLocalClassifier(withLocalOrders()));
  api.mode = 'normal';
  api.requests.length = 0;
});

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  const tool = new OrderTool({ baseUrl: api.endpoint, credential: new OrderCredential({ client: secrets, secretId: 'support-chat/order-api' }) });
  return emulators.dependencies(
    { limits, settings: defaults, guardrailName: 'turnorders1' },
    { tools: { tools: [tool], maxRounds: 2, timeoutMs: 400 }, ...overrides },
  );
}

interface Run {
  readonly frames: Frame[];
  readonly outcome: TurnOutcome;
  readonly text: string;
  readonly ids: { conversationId: string; messageId: string };
}

async function turn(text: string, sub = ALICE_SUB, overrides: Partial<TurnDependencies> = {}): Promise<Run> {
  messages += 1;
  const ids = { conversationId: `orders${messages}`, messageId: `m${messages}` };
  const frames: Frame[] = [];
  const outcome = await runTurn({ action: 'sendMessage', sub, ...ids, text }, deps(overrides), async (data) => {
    frames.push(JSON.parse(data) as Frame);
  });
  return { frames, outcome, ids, text: frames.map((f) => (f.type === 'chunk' ? f.text : '')).join('') };
}

/** Exactly one final frame, the last. */
function finalFrame(frames: readonly Frame[]): Frame {
  const finals = frames.filter((f) => f.type !== 'chunk');
  expect([finals.length, frames.at(-1)?.type]).toEqual([1, finals[0]?.type]);
  return finals[0];
}

/** The answer requests (ConverseStream) the emulator received. */
const answerRequests = () => bedrock.requests.filter((r) => r.operation === 'ConverseStream');

/** Everything the table holds under a user's partition (of the given conversations, when named), as text. */
async function partitionText(sub: string, conversationIds?: readonly string[]): Promise<string> {
  // The store's own client and table (its props), so the check reads exactly what the turn wrote.
  const { client, tableName } = (emulators.store as unknown as { props: ConversationStoreProps }).props;
  const { Items } = await client.send(new QueryCommand({
    TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `USER#${sub}` },
  }));
  const items = (Items ?? []).filter((i) => !conversationIds || conversationIds.some((c) => String(i.sk).startsWith(`CONV#${c}#`)));
  return JSON.stringify(items);
}

test('a customer asking for their order gets it: toolUse, the tool\'s result appended, the answer from it, the call stored', async () => {
  const run = await turn('Where is my order ORD-10002?');
  expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(run.outcome.result).toBe('answered');
  expect(run.text).toBe('Let me check your orders.\n\nOrder ORD-10002 is shipped, expected on 2026-12-08 (DHL JD014600003828).');
  const [first, second] = answerRequests();
  expect(answerRequests()).toHaveLength(2);
  expect((first.body.toolConfig as { tools: { toolSpec: { name: string } }[] }).tools.map((t) => t.toolSpec.name)).toEqual([ORDER_TOOL_NAME]);
  expect(second.body.toolConfig).toEqual(first.body.toolConfig);
  const [assistant, results] = second.messages.slice(-2);
  expect(assistant).toMatchObject({ role: 'assistant', content: [{ text: 'Let me check your orders.' }, { toolUse: { name: ORDER_TOOL_NAME, input: { orderId: 'ORD-10002' } } }] });
  const toolUseId = (assistant.content[1].toolUse as { toolUseId: string }).toolUseId;
  expect(results).toMatchObject({ role: 'user', content: [{ toolResult: { toolUseId, status: 'success', content: [{ json: { found: true, order: { orderId: 'ORD-10002' } } }] } }] });
  // The guardrail evaluates the new question only, on every round: the tool's result is no guardContent.
  for (const request of [first, second]) {
    expect(request.guardrailConfig).toMatchObject({ guardrailIdentifier: expect.stringContaining('turnorders1'), guardrailVersion: '1' });
    expect(guardedInput(request)).toBe('Where is my order ORD-10002?');
  }
  const calls = await emulators.store.toolCalls(ALICE_SUB, run.ids.conversationId, run.ids.messageId);
  expect(calls).toEqual([expect.objectContaining({ round: 0, index: 0, toolUseId, name: ORDER_TOOL_NAME, input: { orderId: 'ORD-10002' }, status: 'success' })]);
  expect((await emulators.store.find(ALICE_SUB, run.ids.conversationId, run.ids.messageId))?.answer?.text).toBe(run.text);
  expect(api.requests.map((r) => r.path)).toEqual([`/customers/${ALICE_SUB}/orders/ORD-10002`]);
});

test('another customer\'s order id reads as not found', async () => {
  const run = await turn('What about order ORD-20001?');
  expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(run.text).toContain('I could not find an order ORD-20001 on your account');
  expect(JSON.stringify(bedrock.requests)).not.toMatch(/Desk lamp|DPD|01234567890123/);
  expect(api.requests.map((r) => r.path)).toEqual([`/customers/${ALICE_SUB}/orders/ORD-20001`]);
});

test('buggy API: no order id or detail of the other customer reaches Bedrock, the frames or the store', async () => {
  api.mode = 'buggy';
  const list = await turn('Where are my orders?');
  const byId = await turn('And my order ORD-10001?');
  for (const run of [list, byId]) expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(list.text).toContain('Order ORD-10003 is processing');
  expect(api.requests.every((r) => r.status === 200)).toBe(true);
  const stored = await partitionText(ALICE_SUB, [list.ids.conversationId, byId.ids.conversationId]);
  expect(stored).toContain('#TOOL#');
  const seen = [JSON.stringify(bedrock.requests.map((r) => r.body)), JSON.stringify([list.frames, byId.frames]), stored].join('\n');
  for (const detail of BOB_DETAILS) expect(seen).not.toContain(detail);
  expect(await partitionText(BOB_SUB)).toBe('[]');
});

test.each(['hang', 'error', 'malformed'] as const)('API %s: the model gets an error result and answers; one final frame within the deadline', async (mode) => {
  api.mode = mode;
  const started = Date.now();
  const run = await turn('Where is my order ORD-10002?');
  expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(run.text).toContain('could not look up your orders');
  const toolResult = answerRequests()[1].messages.at(-1)!.content[0].toolResult as { status: string; content: { json: { error: string } }[] };
  expect(toolResult.status).toBe('error');
  expect(toolResult.content[0].json.error).toBe({ hang: 'timeout', error: 'unavailable', malformed: 'bad_response' }[mode]);
  expect(Date.now() - started).toBeLessThan(limits.turnDeadlineSeconds * 1000);
});

test('a toolUse whose input is not JSON gets a bad-input result, stored as sent, and the answer goes on', async () => {
  bedrock.queue({ toolUse: { calls: [{ name: ORDER_TOOL_NAME, rawInput: '{"orderId": "ORD-1' }] } }, { modelId: defaults.models.fast });
  bedrock.queue({ toolUse: { calls: [{ name: ORDER_TOOL_NAME, rawInput: '{"orderId": "ORD-1' }] } }, { modelId: defaults.models.capable });
  const run = await turn('Where is my order ORD-10002?');
  expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(api.requests).toHaveLength(0);
  const [call] = await emulators.store.toolCalls(ALICE_SUB, run.ids.conversationId, run.ids.messageId);
  expect(call).toMatchObject({ input: '{"orderId": "ORD-1', status: 'error', result: { error: 'bad_input' } });
  expect(answerRequests()[1].messages.at(-2)!.content[0]).toMatchObject({ toolUse: { input: {} } });
});

test('a model that keeps asking for tools past the round limit: one error frame, no answer stored', async () => {
  bedrock.script(withLocalClassifier(() => ({ toolUse: { calls: [{ name: ORDER_TOOL_NAME, input: { limit: 1 } }] } })));
  const run = await turn('Where are my orders?');
  expect(finalFrame(run.frames)).toMatchObject({ type: 'error', code: 'model_unavailable' });
  expect(run.outcome.result).toBe('failed');
  // The two rounds allowed, then the request whose answer asks again; not retried, and no fallback (it would loop too).
  expect(answerRequests()).toHaveLength(3);
  expect(new Set(answerRequests().map((r) => r.modelId)).size).toBe(1);
  expect((await emulators.store.find(ALICE_SUB, run.ids.conversationId, run.ids.messageId))?.answer).toBeUndefined();
});

test('without tools the answer\'s request has no toolConfig', async () => {
  const run = await turn('Where is my order ORD-10002?', ALICE_SUB, { tools: undefined });
  expect(finalFrame(run.frames)).toMatchObject({ type: 'done' });
  expect(answerRequests().map((r) => r.body.toolConfig)).toEqual([undefined]);
  expect(api.requests).toHaveLength(0);
});

test('with a knowledge base that supports nothing on it, an order question (the classifier\'s order_status) still reaches the tool; another question gets the no-information answer', async () => {
  // A corpus of one document the order questions share no word with: no passage supports them.
  const corpusDir = mkdtempSync(path.join(tmpdir(), 'orders-corpus-'));
  mkdirSync(path.join(corpusDir, 'faqs'));
  writeFileSync(path.join(corpusDir, 'faqs', 'showroom.en.md'), '# Showroom\n\nThe Berlin showroom opens Monday to Saturday, 10:00 to 19:00.\n');
  writeFileSync(path.join(corpusDir, 'faqs', 'showroom.en.md.metadata.json'), JSON.stringify({
    metadataAttributes: { language: 'en', type: 'faq', title: 'Showroom', url: 'https://help.example/showroom' },
  }));
  const kb = await startKnowledgeEmulator({ corpusDir });
  const client = new BedrockAgentRuntimeClient(knowledgeClientConfig(kb.endpoint, REGION));
  try {
    const knowledge = new BedrockKnowledgeSource({ client, knowledgeBaseId: kb.knowledgeBaseId });
    const order = await turn('Where is my order ORD-10002?', ALICE_SUB, { knowledge });
    expect(finalFrame(order.frames)).toMatchObject({ type: 'done' });
    expect(order.text).toContain('Order ORD-10002 is shipped');
    expect(order.outcome.knowledge).toBeUndefined();
    expect(answerRequests()).toHaveLength(2);
    // No passage that supports nothing goes to the model or the done frame.
    expect(JSON.stringify(answerRequests().map((r) => r.body))).not.toContain('Berlin showroom');
    expect((order.frames.at(-1) as { citations?: unknown }).citations).toBeUndefined();
    bedrock.requests.length = 0;
    const other = await turn('Can I pay with a voucher?', ALICE_SUB, { knowledge });
    expect(other.outcome).toMatchObject({ code: 'unsupported', knowledge: { state: 'unsupported' } });
    expect(answerRequests()).toHaveLength(0);
  } finally {
    client.destroy();
    await kb.stop();
    rmSync(corpusDir, { recursive: true, force: true });
  }
});
