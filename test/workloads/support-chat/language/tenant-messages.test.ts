import { ERROR_CODES } from '../../../../workloads/support-chat/chat/handlers/lib/frames';
import { SUPPORTED_LANGUAGES } from '../../../../workloads/support-chat/language/handlers/lib/languages';
import { TENANT_MESSAGES, parametersOf, tenantMessage, type TenantMessageKey } from '../../../../workloads/support-chat/language/handlers/lib/tenant-messages';

const KEYS = Object.keys(TENANT_MESSAGES) as TenantMessageKey[];
const entries = (key: TenantMessageKey) => Object.entries(TENANT_MESSAGES[key] as Record<string, string>);

describe('the tenant\'s own texts', () => {
  test('every error code of the chat protocol has a text, and so do the degraded answer, the escalation notice and the offer of a human agent', () => {
    expect(KEYS).toEqual(expect.arrayContaining([...ERROR_CODES, 'degraded_answer', 'escalation_notice', 'offer_human_agent']));
  });

  test.each(KEYS.map((k) => [k]))('%s: exactly the five languages, each a trimmed text', (key) => {
    const languages = entries(key).map(([language]) => language);
    expect(languages.sort()).toEqual([...SUPPORTED_LANGUAGES].sort());
    for (const [, text] of entries(key)) {
      expect(text.trim()).toBe(text);
      expect(text.length).toBeGreaterThan(0);
    }
  });

  test.each(KEYS.map((k) => [k]))('%s: the same parameters in every language', (key) => {
    const english = parametersOf(TENANT_MESSAGES[key].en);
    for (const [language, text] of entries(key)) {
      expect({ language, parameters: parametersOf(text) }).toEqual({ language, parameters: english });
      expect(text.replace(/\{[A-Za-z][A-Za-z0-9]*\}/g, '')).not.toMatch(/[{}]/);
    }
  });

  test('no two keys share a text in any language', () => {
    for (const language of SUPPORTED_LANGUAGES) {
      const texts = KEYS.map((k) => TENANT_MESSAGES[k][language]);
      expect(new Set(texts).size).toBe(texts.length);
    }
  });

  test('each language is written as such: Chinese punctuation is full width, French has a no-break space before ; : ? !, the others use none', () => {
    for (const key of KEYS) {
      const { zh, fr, en, es, de } = TENANT_MESSAGES[key];
      expect(zh).not.toMatch(/[,;:?!]/);
      expect(fr).not.toMatch(/(?<!\u00a0)[;:?!]/);
      for (const text of [en, es, de]) expect(text).not.toMatch(/\u00a0/);
      expect(es).not.toMatch(/(?<!¿[^?]*)\?/);
      for (const language of ['es', 'zh', 'fr', 'de'] as const) expect(TENANT_MESSAGES[key][language]).not.toBe(en);
    }
  });
});

describe('tenantMessage', () => {
  test('replaces the parameters in the asked language', () => {
    expect(tenantMessage('input_too_long', 'de', { max: 4000 })).toBe('Nachrichten dürfen höchstens 4000 Zeichen lang sein; bitte kürzen Sie Ihre Nachricht.');
    expect(tenantMessage('rate_limited', 'zh', { max: 20 })).toBe('每分钟最多可发送 20 条消息；您的消息已保存，请稍候。');
    expect(tenantMessage('offer_human_agent', 'es')).toBe('No tengo esa información. Si desea que le atienda un agente, escriba «hablar con una persona».');
  });

  test('a missing parameter throws, naming it', () => {
    const call = tenantMessage as (key: TenantMessageKey, language: string, parameters?: object) => string;
    expect(() => call('rate_limited', 'fr', {})).toThrow(/rate_limited needs the parameter max/);
  });

  test('a language it does not know at run time gets English', () => {
    const call = tenantMessage as (key: TenantMessageKey, language: string) => string;
    expect(call('internal', 'pt')).toBe(TENANT_MESSAGES.internal.en);
  });
});
