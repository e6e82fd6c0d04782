import { BEDROCK_FAULTS, type BedrockEmulator } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import type { ConversationStore } from '../../../../workloads/support-chat/chat/handlers/lib/conversation-store';
import type { Frame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { runTurn, type TurnDependencies, type TurnLimits, type TurnOutcome, type TurnRequest } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { TENANT_MESSAGES } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { startTurnEmulators, type TurnEmulators } from '../support/turn-emulators';

/*
 * The turn's own refusals, through the turn on the DynamoDB and Bedrock emulators: a messageId re-used for another text
 * is refused with `message_id_conflict` (nothing stored, nothing answered); the turn's own texts are in the customer's
 * language: the message's, else the conversation's stored one, else the client's `language`, else English.
 */

const REGION = 'eu-central-1';
const SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CREDENTIALS = { accessKeyId: 'AKIATURNLANGUAGE0000', secretAccessKey: 'turn-language-secret' };
const config = exampleConfig();
const defaults = defaultChatSettings(tenantModels(config, REGION));
const limits: TurnLimits = { ...config.workloads.supportChat!.limits, turnDeadlineSeconds: 5 };

let emulators: TurnEmulators;
let bedrockEmulator: BedrockEmulator;
let store: ConversationStore;

beforeAll(async () => {
  emulators = await startTurnEmulators({ region: REGION, credentials: CREDENTIALS });
  ({ store, bedrockEmulator } = emulators);
}, 300_000);

afterAll(async () => {
  await emulators?.stop();
});

beforeEach(() => {
  bedrockEmulator.reset();
  bedrockEmulator.script(withLocalClassifier());
});

function deps(overrides: Partial<TurnDependencies> = {}): TurnDependencies {
  return emulators.dependencies({ limits, settings: defaults, guardrailName: 'turnlanguage1' }, overrides);
}

async function turn(request: Omit<TurnRequest, 'sub' | 'action'>, overrides: Partial<TurnDependencies> = {}): Promise<{ frames: Frame[]; outcome: TurnOutcome }> {
  const frames: Frame[] = [];
  const outcome = await runTurn({ action: 'sendMessage', sub: SUB, ...request }, deps(overrides), async (data) => {
    frames.push(JSON.parse(data) as Frame);
  });
  return { frames, outcome };
}

describe('a messageId re-used for another text', () => {
  test('is refused with message_id_conflict: no answer, the first message kept, the model not called', async () => {
    const first = await turn({ conversationId: 'conflict1', messageId: 'm1', text: 'Where is my parcel?' });
    expect(first.outcome.result).toBe('answered');
    const calls = bedrockEmulator.requests.length;
    const second = await turn({ conversationId: 'conflict1', messageId: 'm1', text: 'Cancel my order, please.' });
    expect(second.outcome).toMatchObject({ result: 'refused', code: 'message_id_conflict' });
    expect(second.frames).toEqual([expect.objectContaining({ type: 'error', code: 'message_id_conflict', seq: 0 })]);
    expect(bedrockEmulator.requests.length).toBe(calls);
    const stored = await store.find(SUB, 'conflict1', 'm1');
    expect(stored?.message.text).toBe('Where is my parcel?');
  });

  test('the same text again is a retry: the stored answer is replayed', async () => {
    await turn({ conversationId: 'conflict2', messageId: 'm1', text: 'Where is my parcel?' });
    const again = await turn({ conversationId: 'conflict2', messageId: 'm1', text: 'Where is my parcel?' });
    expect(again.outcome.result).toBe('replayed');
  });
});

describe('the turn\'s own texts in the customer\'s language', () => {
  const CHINESE = '我的包裹到了，但是里面的东西坏了，我想退款。';
  const errorOf = (frames: Frame[]) => frames.find((f) => f.type === 'error') as Extract<Frame, { type: 'error' }> | undefined;

  test('a message in Chinese too long for the tenant is refused in Chinese', async () => {
    const { frames, outcome } = await turn({ conversationId: 'zh1', messageId: 'm1', text: CHINESE.repeat(Math.ceil(limits.maxInputCharacters / [...CHINESE].length) + 1) });
    expect(outcome).toMatchObject({ result: 'refused', code: 'input_too_long' });
    expect(errorOf(frames)).toMatchObject({ code: 'input_too_long', message: TENANT_MESSAGES.input_too_long.zh.replace('{max}', String(limits.maxInputCharacters)) });
  });

  test('a message in Chinese over the per-user rate is refused in Chinese, and a Chinese follow-up "ok" is too', async () => {
    const rate = { ...defaults, limits: { ...defaults.limits, messagesPerUserPerMinute: 1 } };
    const settings: TurnDependencies['settings'] = async () => ({ settings: rate, source: 'defaults' });
    const sub = '2c1f7b1e-1f7d-4f3e-9a43-4c1b7ad0e5b1';
    const run = async (messageId: string, text: string) => {
      const frames: Frame[] = [];
      const outcome = await runTurn({ action: 'sendMessage', sub, conversationId: 'zh2', messageId, text }, deps({ settings }), async (data) => {
        frames.push(JSON.parse(data) as Frame);
      });
      return { frames, outcome };
    };
    expect((await run('m1', CHINESE)).outcome.result).toBe('answered');
    const refused = await run('m2', CHINESE);
    expect(refused.outcome).toMatchObject({ result: 'refused', code: 'rate_limited' });
    expect(errorOf(refused.frames)?.message).toBe(TENANT_MESSAGES.rate_limited.zh.replace('{max}', '1'));
    const ok = await run('m3', 'ok');
    expect(errorOf(ok.frames)?.message).toBe(TENANT_MESSAGES.rate_limited.zh.replace('{max}', '1'));
    expect((await store.find(sub, 'zh2', 'm3'))?.message.language).toBe('zh');
  });

  test('a Spanish conversation\'s follow-up "ok" keeps Spanish: its degraded answer is the Spanish one, and so is the language stored', async () => {
    expect((await turn({ conversationId: 'es1', messageId: 'm1', text: 'Hola, mi pedido llegó roto y quiero que me devuelvan el dinero.' })).outcome.result).toBe('answered');
    expect((await store.find(SUB, 'es1', 'm1'))?.message.language).toBe('es');
    bedrockEmulator.reset();
    bedrockEmulator.script(withLocalClassifier((r) => (r.operation === 'ConverseStream' ? { fault: BEDROCK_FAULTS.serviceUnavailable } : undefined)));
    const { frames, outcome } = await turn({ conversationId: 'es1', messageId: 'm2', text: 'ok' }, { sleep: async () => undefined });
    expect(outcome.result).toBe('degraded');
    expect(frames.filter((f) => f.type === 'chunk').map((f) => (f as { text: string }).text).join('')).toBe(TENANT_MESSAGES.degraded_answer.es);
    expect((await store.find(SUB, 'es1', 'm2'))?.message.language).toBe('es');
  });

  test('"ok" opening a conversation falls back to the client\'s language, then English; a message that says its language wins over the client\'s', async () => {
    await turn({ conversationId: 'fr1', messageId: 'm1', text: 'ok', language: 'fr-CA' });
    expect((await store.find(SUB, 'fr1', 'm1'))?.message.language).toBe('fr');
    await turn({ conversationId: 'en1', messageId: 'm1', text: 'ok', language: 'xx-invalid' });
    expect((await store.find(SUB, 'en1', 'm1'))?.message.language).toBe('en');
    await turn({ conversationId: 'de1', messageId: 'm1', text: 'Mein Paket ist beschädigt angekommen und ich möchte eine Erstattung.', language: 'fr' });
    expect((await store.find(SUB, 'de1', 'm1'))?.message.language).toBe('de');
  });
});
