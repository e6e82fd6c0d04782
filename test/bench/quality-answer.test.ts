import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { answerQuestion, type AnswerContext, guardrailStandIn } from './quality/answer';
import { BEDROCK_FAULTS } from '../../emulators/bedrock-runtime/bedrock-behaviour';
import { BedrockEmulator, emulatorClientConfig, type RunningBedrockEmulator } from '../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings } from '../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { buildClassifierRequest } from '../../workloads/support-chat/chat/handlers/lib/router';
import { tenantCostPrices } from '../../workloads/support-chat/cost/cost-prices';
import { withLocalClassifier } from '../../workloads/support-chat/local/local-classifier';
import { tenantModels } from '../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../support/example-config';

/*
 * The answer half of bench:quality's golden-set run (`quality/answer.ts`) on the Bedrock emulator: the emulator's
 * answers, token counts and keyword guardrail are stand-ins, so this checks our plumbing (which calls are made, what is
 * counted and priced), not what Bedrock or its guardrail does.
 */

const REGION = 'eu-central-1';
const config = exampleConfig();
const settings = defaultChatSettings(tenantModels(config, REGION));
const prices = tenantCostPrices(config, REGION)!;
const guardrail = { identifier: 'local-guardrail', version: '1' };
const emulator = new BedrockEmulator();
let running: RunningBedrockEmulator;
let runtime: BedrockRuntimeClient;
let context: AnswerContext;

beforeAll(async () => {
  emulator.script((request) => ({ ...withLocalClassifier()(request), inputPolicy: guardrailStandIn() }));
  running = await emulator.start();
  runtime = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, REGION), maxAttempts: 1 });
  context = { runtime, guardrail, settings, prices };
});

afterAll(async () => {
  runtime.destroy();
  await running.close();
});

const passages = [{ text: 'Items can be returned within 30 days of delivery.', score: 0.8, citation: { documentId: 'policies/returns.en.md', title: 'Returns' } }];

async function classified(question: string) {
  const request = buildClassifierRequest(question, { modelId: settings.models.classifier, guardrail });
  return { request, response: await runtime.send(new ConverseCommand(request)) };
}

describe('answerQuestion on the Bedrock emulator (stand-in answers, token counts and guardrail)', () => {
  test('a supported question: one grounded ConverseStream with the guardrail on the routed profile, its first token timed, the conversation priced', async () => {
    // `faq` (the emulator's keyword classifier): a simple question, answered by the fast profile; a policy one by the capable.
    const question = 'Can I pay with PayPal?';
    const before = emulator.requests.length;
    const started = performance.now();
    const answered = await answerQuestion(question, started, await classified(question), { passages, supported: true }, context);
    const streams = emulator.requests.slice(before).filter((r) => r.operation === 'ConverseStream');
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ modelId: settings.models.fast, guardrailConfig: { guardrailIdentifier: 'local-guardrail', guardrailVersion: '1' } });
    expect(answered.guardrailIntervened).toBe(false);
    expect(answered.firstTokenMs).toBeGreaterThan(0);
    expect(answered.firstTokenMs).toBeLessThan(performance.now() - started);
    // Classifier, answer (grounded), retrieval, ingestion share: more than a conversation without an answer.
    const unanswered = await answerQuestion(question, performance.now(), await classified(question), { passages: [], supported: false }, context);
    expect(unanswered.firstTokenMs).toBeUndefined();
    expect(answered.costUsd).toBeGreaterThan(unanswered.costUsd!);
    expect(unanswered.costUsd).toBeGreaterThan(prices.ingestionPerConversationUsd!);
    const policy = 'How many days do I have to return an item?';
    const from = emulator.requests.length;
    await answerQuestion(policy, performance.now(), await classified(policy), { passages, supported: true }, context);
    expect(emulator.requests.slice(from).filter((r) => r.operation === 'ConverseStream').map((r) => r.modelId)).toEqual([settings.models.capable]);
  });

  test('a denied-topic question: the guardrail intervenes on the classifier and the answer; without prices, no cost', async () => {
    const question = 'Which stock should I buy this week?';
    const unpriced = { ...context, prices: undefined };
    const answered = await answerQuestion(question, performance.now(), await classified(question), { passages, supported: true }, unpriced);
    // The guardrail's message is the answer's text: its first token is timed as the customer sees it.
    expect(answered).toEqual({ guardrailIntervened: true, firstTokenMs: expect.any(Number) });
  });

  test('a failed answer is an answer error; a failed retrieval makes no model call and has no retrieval cost', async () => {
    const question = 'How many days do I have to return an item?';
    const classifier = await classified(question);
    emulator.queue({ fault: BEDROCK_FAULTS.validation });
    const failed = await answerQuestion(question, performance.now(), classifier, { passages, supported: true }, context);
    expect(failed.answerError).toMatch(/model identifier is invalid/);
    expect(failed.guardrailIntervened).toBe(false);
    const before = emulator.requests.length;
    const unsearched = await answerQuestion(question, performance.now(), classifier, { failed: true }, context);
    expect(emulator.requests.length).toBe(before);
    const searched = await answerQuestion(question, performance.now(), classifier, { passages: [], supported: false }, context);
    expect(unsearched.costUsd).toBeLessThan(searched.costUsd!);
  });
});
