import { LABELLED_MESSAGES } from './labelled-messages';
import { detectLanguage } from '../../../../workloads/support-chat/language/handlers/lib/detect-language';
import { SUPPORTED_LANGUAGES, supportedLanguageOf } from '../../../../workloads/support-chat/language/handlers/lib/languages';

describe('detectLanguage on the labelled support messages', () => {
  test.each(SUPPORTED_LANGUAGES.map((l) => [l]))('%s: at least 90 % found from the text, and never another of the five languages', (language) => {
    const messages = LABELLED_MESSAGES[language];
    expect(messages.length).toBeGreaterThanOrEqual(10);
    const results = messages.map((text) => ({ text, ...detectLanguage(text) }));
    const wrong = results.filter((r) => r.source !== 'default' && r.language !== language);
    expect(wrong).toEqual([]);
    const found = results.filter((r) => r.language === language && (r.source === 'detector' || r.source === 'script'));
    expect(found.length / messages.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('detectLanguage: the script rule', () => {
  test.each([
    ['我的iPhone订单在哪里', 'Han characters outnumber the Latin-script words'],
    ['退款', 'two characters'],
    ['ＡＢＣ 订单号查不到', 'full-width Latin letters beside Chinese'],
  ])('%s is Chinese (%s)', (text) => {
    expect(detectLanguage(text, { previous: 'de' })).toEqual({ language: 'zh', source: 'script' });
  });

  test.each([
    ['注文はどこですか', 'Japanese: kana'],
    ['주문이 어디에 있나요', 'Korean: hangul'],
    ['где мой заказ', 'Russian: Cyrillic'],
    ['أين طلبي', 'Arabic'],
  ])('%s takes the fallback (%s)', (text) => {
    expect(detectLanguage(text, { previous: 'fr' })).toEqual({ language: 'fr', source: 'previous' });
    expect(detectLanguage(text)).toEqual({ language: 'en', source: 'default' });
  });

  test('a Latin-script message naming a person in Chinese characters stays with its language', () => {
    expect(detectLanguage('please check the order for 王伟, it has not arrived')).toEqual({ language: 'en', source: 'detector' });
  });
});

describe('detectLanguage: the fallback', () => {
  test.each(['ok', 'OK', '👍', '???', '12345', 'hello', 'merci', 'danke', 'gracias', 'sí', 'https://example.com/order/12345', '', '   '])(
    '%p does not say: the previous language, else English', (text) => {
      expect(detectLanguage(text, { previous: 'de-AT' })).toEqual({ language: 'de', source: 'previous' });
      expect(detectLanguage(text)).toEqual({ language: 'en', source: 'default' });
    });

  test('a previous language outside the five, or a malformed tag, is ignored', () => {
    for (const previous of ['pt-BR', 'ja', 'not a tag!', '', 'x'.repeat(100)]) {
      expect(detectLanguage('ok', { previous })).toEqual({ language: 'en', source: 'default' });
    }
  });

  test('a clear message wins over the previous language', () => {
    expect(detectLanguage('où est ma commande', { previous: 'de' })).toEqual({ language: 'fr', source: 'detector' });
    expect(detectLanguage('wo ist meine Bestellung', { previous: 'fr' })).toEqual({ language: 'de', source: 'detector' });
  });

  test('URLs and e-mail addresses are left out before the detector reads the message', () => {
    expect(detectLanguage('dónde está mi pedido https://shop.example.com/orders/where-is-my-order-tracking')).toEqual({ language: 'es', source: 'detector' });
    expect(detectLanguage('john.smith@example.com', { previous: 'es' })).toEqual({ language: 'es', source: 'previous' });
  });

  test('words with @ or :// are left out however many, then only the start of a long message is read', () => {
    expect(detectLanguage(`${'où est ma commande '.repeat(60)}${'where is my order '.repeat(200)}`)).toEqual({ language: 'fr', source: 'detector' });
    expect(detectLanguage('a@'.repeat(2_000), { previous: 'de' })).toEqual({ language: 'de', source: 'previous' });
    expect(detectLanguage(`${'http://x.example/'.repeat(100)} wo ist meine Bestellung`)).toEqual({ language: 'de', source: 'detector' });
  });

  test('a value that is not text takes the fallback instead of throwing', () => {
    expect(detectLanguage(undefined as unknown as string, { previous: 'zh' })).toEqual({ language: 'zh', source: 'previous' });
  });
});

describe('supportedLanguageOf', () => {
  test.each([
    ['en', 'en'], ['EN-us', 'en'], ['de_AT', 'de'], ['fr-CA', 'fr'], ['es-419', 'es'], ['zh-Hans-CN', 'zh'], ['zh-Hant-TW', 'zh'],
    ['pt-BR', undefined], ['ja', undefined], ['', undefined], ['not a tag!', undefined], [undefined, undefined], [null, undefined],
  ])('%p → %p', (tag, language) => {
    expect(supportedLanguageOf(tag)).toBe(language);
  });
});
