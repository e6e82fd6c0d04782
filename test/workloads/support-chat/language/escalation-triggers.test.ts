import { ESCALATION_PHRASES, expandPhrase, findEscalationTrigger } from '../../../../workloads/support-chat/language/handlers/lib/escalation-triggers';
import { containsPhrase, matchingForm, wordText } from '../../../../workloads/support-chat/language/handlers/lib/word-boundaries';

describe('findEscalationTrigger: requests for a person', () => {
  test.each([
    ['en', 'talk to a human'],
    ['en', 'Can I speak with a manager?'],
    ['en', 'I need a real person, not a bot'],
    ['en', 'please transfer me to an agent'],
    ['es', 'quiero hablar con una persona'],
    ['es', '¿Puedo hablar con un agente humano?'],
    ['es', 'páseme con el encargado por favor'],
    ['es', 'QUIERO HABLAR CON UN HUMANO'],
    ['zh', '转人工'],
    ['zh', '我要转人工客服，谢谢'],
    ['zh', '帮我找真人客服'],
    ['fr', 'je voudrais parler à un conseiller'],
    ['fr', 'Je veux parler à quelqu’un'],
    ['fr', 'parler a un conseiller svp'],
    ['fr', 'passez-moi un responsable'],
    ['de', 'Ich möchte mit einem Menschen sprechen'],
    ['de', 'Kann ich mit einem Mitarbeiter sprechen?'],
    ['de', 'verbinden Sie mich bitte mit Ihrem Vorgesetzten'],
    ['de', 'ich will einen echten Menschen'],
  ])('%s: %s', (language, text) => {
    expect(findEscalationTrigger(text)).toEqual(expect.objectContaining({ reason: 'human_requested', language }));
  });

  test.each([
    ['en', 'Agent?'], ['en', 'human please'], ['es', 'un humano, por favor'], ['zh', '人工'], ['zh', '请转人工，谢谢'],
    ['fr', 'un conseiller svp'], ['de', 'Mitarbeiter bitte!'],
  ])('%s: %s, the whole message, asks for a person', (language, text) => {
    expect(findEscalationTrigger(text)).toEqual(expect.objectContaining({ reason: 'human_requested', language }));
  });

  test.each([
    'my shipping agent says the parcel is lost',
    '人工费太贵了',
    '需要人工审核吗',
    '¿qué me pasa con un pedido que nunca llega?',
    'le conseiller m\'a déjà répondu hier',
  ])('the same words inside a sentence are not a request: %s', (text) => {
    expect(findEscalationTrigger(text)).toBeUndefined();
  });

  test('full-width letters and missing accents are the same words', () => {
    expect(findEscalationTrigger('ｔａｌｋ ｔｏ ａ ｈｕｍａｎ')).toEqual(expect.objectContaining({ reason: 'human_requested', phrase: 'talk to a human' }));
    expect(findEscalationTrigger('parler a une conseillere')).toEqual(expect.objectContaining({ reason: 'human_requested', language: 'fr' }));
  });
});

describe('findEscalationTrigger: legal threats', () => {
  test.each([
    ['en', 'I will sue you'],
    ['en', 'my lawyer will contact you'],
    ['en', 'I am considering legal action'],
    ['es', 'los voy a demandar'],
    ['es', 'mi abogado se pondrá en contacto'],
    ['es', 'tomaré acciones legales'],
    ['zh', '我要起诉你们'],
    ['zh', '我会请律师'],
    ['zh', '再不退款我就告你们'],
    ['fr', 'je vais porter plainte'],
    ['fr', 'mon avocat va vous contacter'],
    ['fr', 'je vais vous poursuivre en justice'],
    ['de', 'ich werde Sie verklagen'],
    ['de', 'mein Anwalt meldet sich'],
    ['de', 'wir sehen uns vor Gericht'],
  ])('%s: %s', (language, text) => {
    expect(findEscalationTrigger(text)).toEqual(expect.objectContaining({ reason: 'legal_threat', language }));
  });

  test('a trigger at the end of a long message is found, and the earlier-listed reason wins wherever it stands', () => {
    expect(findEscalationTrigger(`${'my order has not arrived and nobody answers. '.repeat(80)}talk to a human`)?.reason).toBe('human_requested');
    expect(findEscalationTrigger(`talk to a human. ${'x '.repeat(1000)}or I will sue you`)?.reason).toBe('legal_threat');
  });

  test('a message with both is a legal threat', () => {
    expect(findEscalationTrigger('let me talk to a manager or I will sue you')?.reason).toBe('legal_threat');
  });
});

describe('findEscalationTrigger: words inside other words and everyday meanings are not triggers', () => {
  test.each([
    ['"sue" in "issue"', 'I have an issue with my order'],
    ['"sue" in "pursue", "tissue"', 'I want to pursue a refund for the tissue box'],
    ['Sue, a name', 'Sue from billing already helped me'],
    ['"manager" in "management"', 'the management of my account is confusing'],
    ['"human" in "humanity"', 'your prices are a crime against humanity'],
    ['"juicio" (opinion)', 'a mi juicio el producto es caro'],
    ['"personal"', 'quiero actualizar mis datos personales'],
    ['"conseiller" (to advise)', 'pouvez-vous me conseiller un produit ?'],
    ['"poursuivre" (to continue)', 'je voudrais poursuivre ma commande'],
    ['"avocat" (avocado)', 'j\'ai reçu un avocat abîmé'],
    ['"Gericht" (a dish)', 'das Gericht war kalt'],
    ['"Anwalt" inside another word', 'das ist der Sachwalter meiner Oma'],
    ['"告你们" inside "报告你们" (report your …)', '我想报告你们网站的一个问题'],
    ['"人工" inside "人工智能" (AI)', '你们的人工智能客服很好用'],
    ['"告你" inside "警告你" (warn you)', '系统一直警告你的账号有风险'],
    ['an ordinary question', 'where is my order'],
    ['empty', ''],
  ])('%s', (_, text) => {
    expect(findEscalationTrigger(text)).toBeUndefined();
  });
});

describe('phrases and word boundaries', () => {
  test('expandPhrase writes out every alternative, an empty one leaving nothing', () => {
    expect(expandPhrase('{talk|speak} to {a|} human')).toEqual(['talk to a human', 'talk to human', 'speak to a human', 'speak to human']);
    expect(expandPhrase('lawsuit')).toEqual(['lawsuit']);
  });

  test('every phrase is in matching form, and none is a single letter', () => {
    for (const { phrase } of ESCALATION_PHRASES) {
      expect(matchingForm(phrase)).toBe(phrase);
      expect(phrase.length).toBeGreaterThan(1);
    }
  });

  test('containsPhrase needs a word boundary at both ends', () => {
    expect(containsPhrase(wordText('I have an issue'), 'sue')).toBe(false);
    expect(containsPhrase(wordText('Sue? Sue!'), 'sue')).toBe(true);
    expect(containsPhrase(wordText('suede shoes'), 'sue')).toBe(false);
  });
});
