import Ajv from 'ajv-draft-04';
import { LocalValidationError } from '../../../../emulators/appconfig/local-appconfig';
import { THROTTLE } from '../../../../emulators/bedrock-runtime/bedrock-emulator';
import { inferenceProfileIds } from '../../../../policies/approved-inference';
import { defaultChatSettings, parseChatSettings, settingsJsonSchema, type ChatSettings } from '../../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { rateLimitedAtRelay } from '../../../../workloads/support-chat/chat/handlers/lib/error-frames';
import type { ErrorFrame } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { SettingsSource } from '../../../../workloads/support-chat/chat/handlers/lib/settings-source';
import { type ChatLocal, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { tenantAllowedProfiles, tenantModels } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleConfig } from '../../../support/example-config';
import { ask, textOf, userOf } from '../support/chat-session';

/*
 * The tenant's AppConfig settings: the validator's JSON Schema (Draft 4, checked with Ajv as AppConfig's validator would),
 * the handler's own check, the fallbacks of `SettingsSource`, and deployed versions changing what the turn does, through
 * the local harness (moto's AppConfig control plane, the local `appconfigdata` server, Powertools Parameters in the turn).
 */

const REGION = 'eu-central-1';
const allowed = tenantAllowedProfiles(exampleConfig(), REGION);
const defaults = defaultChatSettings(tenantModels(exampleConfig(), REGION));
const validator = new Ajv({ allErrors: true, strict: false }).compile(settingsJsonSchema(allowed));
const US_PROFILE = `us.${tenantModels(exampleConfig(), REGION).capable.replace(/^[a-z]+\./, '')}`;

describe('the settings schema: the AppConfig validator and the handler agree', () => {
  test('the schema is Draft 4 and the defaults (the first hosted version) pass it and the handler\'s check', () => {
    expect(settingsJsonSchema(allowed).$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect([validator(defaults), validator.errors]).toEqual([true, null]);
    expect(parseChatSettings(defaults, allowed)).toMatchObject({ ok: true });
  });

  test('the allowed profiles are exactly the approved ones callable from the Region (no global. profile)', () => {
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((p) => inferenceProfileIds(exampleConfig(), REGION).includes(p) && !p.startsWith('global.'))).toBe(true);
  });

  const broken: Array<[string, (s: ChatSettings) => unknown, string]> = [
    ['a fallback outside the approved geography', (s) => ({ ...s, models: { ...s.models, fallback: [US_PROFILE] } }), 'models.fallback.0'],
    ['a capable model that is a foundation model id, not a profile', (s) => ({ ...s, models: { ...s.models, capable: 'amazon.nova-pro-v1:0' } }), 'models.capable'],
    ['a prompt without a semantic version', (s) => ({ ...s, prompts: { ...s.prompts, answer: { ...s.prompts.answer, version: 'answer@latest' } } }), 'prompts.answer.version'],
    ['a router template without {{message}}', (s) => ({ ...s, prompts: { ...s.prompts, router: { ...s.prompts.router, user: 'Label:' } } }), 'prompts.router.user'],
    ['an unknown flag', (s) => ({ ...s, flags: { ...s.flags, streaming: true } }), 'flags'],
    ['a rate of 0 messages a minute', (s) => ({ ...s, limits: { ...s.limits, messagesPerUserPerMinute: 0 } }), 'limits.messagesPerUserPerMinute'],
    ['a tier threshold of 0', (s) => ({ ...s, budgetRules: { ...s.budgetRules, tiers: [{ below: 0, simple: 'fast', complex: 'fast' }] } }), 'budgetRules.tiers.0.below'],
  ];
  test.each(broken)('%s: refused by the validator and by the handler', (_name, change, where) => {
    const value = change(defaults);
    expect(validator(value)).toBe(false);
    const parsed = parseChatSettings(value, allowed);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems.join('\n')).toContain(where);
  });

  test('what JSON Schema cannot say, the handler refuses: tiers that ascend', () => {
    const value = { ...defaults, budgetRules: { ...defaults.budgetRules, tiers: [...defaults.budgetRules.tiers].reverse() } };
    expect(validator(value)).toBe(true);
    expect(parseChatSettings(value, allowed)).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.stringContaining('thresholds descend')]) });
  });

  test('the validator fits AppConfig\'s 32,768-character validator content with room to spare', () => {
    expect(JSON.stringify(settingsJsonSchema(allowed)).length).toBeLessThan(32_768 * 0.5);
  });
});

describe('SettingsSource: the deployed version, else the last good one, else the defaults', () => {
  const changed: ChatSettings = { ...defaults, limits: { ...defaults.limits, maxAnswerTokens: 512 } };

  test('no AppConfig: the defaults', async () => {
    await expect(new SettingsSource({ allowedProfiles: allowed, defaults }).current()).resolves.toEqual({ settings: defaults, source: 'defaults' });
  });

  test('an invalid version after a valid one: the last good one, with the problem; AppConfig failing: the same', async () => {
    const values: Array<unknown> = [changed, { ...changed, models: { ...changed.models, fast: US_PROFILE } }];
    let fail = false;
    const source = new SettingsSource({
      allowedProfiles: allowed,
      defaults,
      fetch: async () => {
        if (fail) throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
        return values.shift();
      },
    });
    await expect(source.current()).resolves.toEqual({ settings: changed, source: 'appconfig' });
    await expect(source.current()).resolves.toMatchObject({ settings: changed, source: 'last-good', problem: expect.stringContaining('models.fast') });
    fail = true;
    await expect(source.current()).resolves.toMatchObject({ settings: changed, source: 'last-good', problem: expect.stringContaining('TimeoutError') });
  });

  test('an invalid first version: the defaults', async () => {
    const source = new SettingsSource({ allowedProfiles: allowed, defaults, fetch: async () => ({ schemaVersion: 2 }) });
    await expect(source.current()).resolves.toMatchObject({ settings: defaults, source: 'defaults', problem: expect.stringContaining('schemaVersion') });
  });

  test('invalid defaults are refused when the container starts', () => {
    expect(() => new SettingsSource({ allowedProfiles: allowed, defaults: { ...defaults, models: { ...defaults.models, fast: US_PROFILE } } }))
      .toThrow(/default chat settings are invalid: models.fast/);
  });
});

describe('deployed settings change the turn (local AppConfig: moto control plane, local data plane, Powertools Parameters)', () => {
  let chat: ChatLocal;
  const COMPLAINT = 'My parcel arrived damaged and I want a refund.';

  beforeAll(async () => {
    // maxAge 0: every turn asks the data plane, so a deployment shows at the next turn (the stack keeps 45 s).
    chat = await startChatLocal({ region: REGION, settingsMaxAgeSeconds: 0 });
  });
  afterAll(async () => chat?.close());
  beforeEach(async () => {
    chat.resetBedrock();
    await chat.appConfig.deploy(defaultChatSettings(chat.models));
  });

  /** The last turn's outcome, once it ended (`done` goes out while the budgets settle). */
  const lastOutcome = async () => {
    await chat.settled();
    return chat.turns.at(-1)?.outcome;
  };
  const streams = () => chat.emulator!.requests.filter((r) => r.operation === 'ConverseStream');

  test('the first turn runs on the deployed version, and logs its prompt versions', async () => {
    const client = await userOf(chat).connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(frames.at(-1)?.type).toBe('done');
    expect((await lastOutcome())?.settings).toEqual({ source: 'appconfig', prompts: ['answer@1.0.0', 'router@1.0.0'] });
  });

  test('a new version with another answer prompt and complex questions on the fast model is used from the next turn', async () => {
    const next: ChatSettings = {
      ...defaultChatSettings(chat.models),
      prompts: { ...defaults.prompts, answer: { version: 'answer@1.1.0', system: 'You answer for the shop. Keep it under three sentences.' } },
      budgetRules: { ...defaults.budgetRules, routing: { simple: 'fast', complex: 'fast' } },
    };
    await chat.appConfig.deploy(next);
    const client = await userOf(chat).connect();
    await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(streams().map((r) => [r.modelId, r.system])).toEqual([[chat.models.fast, [{ text: next.prompts.answer.system }]]]);
    expect((await lastOutcome())?.settings?.prompts).toEqual(['answer@1.1.0', 'router@1.0.0']);
  });

  test('a version with a profile of another geography cannot deploy: the validator refuses it and the turn keeps the deployed one', async () => {
    const before = chat.appConfig.deployedVersion;
    const elsewhere = { ...defaults, models: { ...defaults.models, fallback: [US_PROFILE] } };
    await expect(chat.appConfig.deploy(elsewhere)).rejects.toBeInstanceOf(LocalValidationError);
    expect(chat.appConfig.deployedVersion).toBe(before);
    const client = await userOf(chat).connect();
    await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect((await lastOutcome())?.settings?.source).toBe('appconfig');
    expect(chat.emulator!.requests.every((r) => r.modelId !== US_PROFILE)).toBe(true);
  });

  test('the classifier flag off: no classifier call, the question counts as complex', async () => {
    await chat.appConfig.deploy({ ...defaultChatSettings(chat.models), flags: { classifier: false, fallback: true } });
    const client = await userOf(chat).connect();
    await ask(client, { conversationId: 'c1', messageId: 'm1', text: 'Where is my order 40412?' });
    client.ws.close();
    expect(chat.emulator!.requests.map((r) => [r.operation, r.modelId])).toEqual([['ConverseStream', chat.models.capable]]);
  });

  test('the fallback flag off: a throttled profile is retried, then the degraded answer, no other profile called', async () => {
    await chat.appConfig.deploy({ ...defaultChatSettings(chat.models), flags: { classifier: true, fallback: false } });
    chat.emulator!.script(withLocalClassifier((r) => (r.operation === 'ConverseStream' ? THROTTLE : undefined)));
    const client = await userOf(chat).connect();
    const frames = await ask(client, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    client.ws.close();
    expect(textOf(frames)).toBe(chat.degradedText);
    expect(new Set(streams().map((r) => r.modelId))).toEqual(new Set([chat.models.capable]));
  });

  test('per-user throttling at the relay: past messagesPerUserPerMinute a rate_limited frame, no turn, nothing stored; another user is not affected', async () => {
    await chat.appConfig.deploy({ ...defaultChatSettings(chat.models), limits: { ...defaults.limits, messagesPerUserPerMinute: 2 } });
    const user = userOf(chat);
    const client = await user.connect();
    const results: Array<string | undefined> = [];
    let refusedAtRelay = false;
    for (const id of ['m1', 'm2', 'm3']) {
      const frames = await ask(client, { conversationId: 'c1', messageId: id, text: COMPLAINT });
      const last = frames.at(-1);
      results.push(last?.type === 'error' ? (last as ErrorFrame).code : last?.type);
      if (id === 'm3' && last?.type === 'error') refusedAtRelay = (last as ErrorFrame).message === rateLimitedAtRelay(2).message;
    }
    client.ws.close();
    const modelCalls = chat.emulator!.requests.length;
    const other = await userOf(chat).connect();
    const otherFrames = await ask(other, { conversationId: 'c1', messageId: 'm1', text: COMPLAINT });
    other.ws.close();
    // The minute may turn between two messages; then the third is answered too. The relay and the turn each count a
    // minute of their own, a moment apart: when the minute turns between the relay's count and the turn's, the relay lets
    // the third through and the turn refuses it (its own rate_limited, after storing it); only the relay's refusal is
    // "no turn, nothing stored".
    expect(results.slice(0, 2)).toEqual(['done', 'done']);
    expect(['rate_limited', 'done']).toContain(results[2]);
    if (refusedAtRelay) {
      expect(modelCalls).toBe(4);
      // Refused by the relay before the turn: no turn ran for it, so neither the message nor a lease was stored.
      expect(chat.turns.filter((t) => t.request.sub === user.sub).map((t) => t.request.messageId)).toEqual(['m1', 'm2']);
    }
    expect(otherFrames.at(-1)?.type).toBe('done');
  });
});
