import {
  type ChatMessage, estimateTokens, mergeAdjacent, selectHistory, toConverseMessages, toGuardedConverseMessages,
} from '../../../../workloads/support-chat/chat/handlers/lib/history';

const user = (text: string): ChatMessage => ({ role: 'user', text });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', text });

/** A conversation of `turns` question/answer pairs: q0, a0, q1, a1, ... */
function conversation(turns: number): ChatMessage[] {
  return Array.from({ length: turns }, (_, i) => [user(`q${i}`), assistant(`a${i}`)]).flat();
}

/** Every token estimate is 1 per character: budgets in the tests are then character counts. */
const perChar = (text: string) => text.length;

/** The Converse rule: starts with user, alternates, ends with user. */
function expectConverseShape(messages: readonly ChatMessage[]) {
  expect(messages[0].role).toBe('user');
  expect(messages[messages.length - 1].role).toBe('user');
  messages.forEach((m, i) => expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant'));
}

/** Whether `part` appears in `whole` in order (a subsequence), by text. */
function inOrder(part: readonly string[], whole: readonly string[]): boolean {
  let at = 0;
  for (const text of whole) if (text === part[at]) at++;
  return at === part.length;
}

describe('selectHistory', () => {
  test('a short conversation is sent whole, the current message last', () => {
    const prior = conversation(2);
    const { messages, omitted, historyTokens } = selectHistory(prior, 'q2', { estimateTokens: perChar });
    expect(messages).toEqual([...prior, user('q2')]);
    expect(omitted).toBe(0);
    expect(historyTokens).toBe(prior.reduce((n, m) => n + m.text.length, 0));
  });

  test('keeps the first message and the latest ones within maxMessages, in order', () => {
    const prior = conversation(20); // 40 messages
    const { messages, omitted } = selectHistory(prior, 'now', { maxMessages: 10, estimateTokens: perChar, maxTokens: 10_000 });
    const texts = messages.map((m) => m.text);
    expect(texts[0].startsWith('q0')).toBe(true);
    expect(texts[texts.length - 1].endsWith('now')).toBe(true);
    // 10 prior messages: the first and the 9 newest, a15 … a19 (q0 then a15: the roles already alternate).
    const window = [prior[0], ...prior.slice(-9)];
    expect(omitted).toBe(40 - 10);
    expect(messages).toEqual(mergeAdjacent([...window, user('now')]));
    expect(inOrder(['a15', 'q16', 'a16', 'q17', 'a17', 'q18', 'a18', 'q19', 'a19'], texts)).toBe(true);
    expectConverseShape(messages);
  });

  test('the window within the token budget; the first message counts against it and is kept even when large', () => {
    const first = user('x'.repeat(500));
    const prior = [first, ...conversation(10).slice(1)]; // first, a0, q1, a1, ... a9
    for (const maxTokens of [0, 100, 500, 502, 510, 520, 600]) {
      const { messages, historyTokens } = selectHistory(prior, 'now', { maxTokens, maxMessages: 100, estimateTokens: perChar });
      expect(messages[0].text.startsWith(first.text)).toBe(true);
      expect(historyTokens === first.text.length || historyTokens <= maxTokens).toBe(true);
      expectConverseShape(messages);
      const included = prior.filter((m) => messages.some((s) => s.text.split('\n\n').includes(m.text)));
      // Exactly the first message plus the newest messages whose estimates fit what the first leaves.
      let left = maxTokens - first.text.length;
      let expected = 0;
      for (let i = prior.length - 1; i >= 1 && left >= prior[i].text.length; i--) {
        left -= prior[i].text.length;
        expected++;
      }
      expect(included.length).toBe(1 + expected);
    }
  });

  test('stops at the first message that does not fit: no gaps in the window', () => {
    const prior = [user('q0'), assistant('a0'), user('q1'), assistant('a long answer '.repeat(20)), user('q2'), assistant('a2')];
    const { messages } = selectHistory(prior, 'now', { maxTokens: 50, estimateTokens: perChar });
    const texts = messages.map((m) => m.text).join('|');
    expect(texts).toContain('q2');
    expect(texts).toContain('a2');
    expect(texts).not.toContain('q1');
    expect(texts).not.toContain('a0');
    expectConverseShape(messages);
  });

  test('merges what the window brings together so roles alternate', () => {
    // The window's oldest message is a question, next to the first question: they are merged.
    const prior = conversation(6);
    const { messages } = selectHistory(prior, 'now', { maxMessages: 3, estimateTokens: perChar });
    expect(messages.map((m) => m.text)).toEqual(['q0\n\nq5', 'a5', 'now']);
    expectConverseShape(messages);
  });

  test('an unanswered question is merged with the current one; blank messages and repeated roles are merged or dropped', () => {
    const prior = [user('q0'), user('q0 again'), assistant(''), assistant('a0 part 1'), assistant('a0 part 2'), user('q1 (no answer)')];
    const { messages } = selectHistory(prior, 'q2', { estimateTokens: perChar });
    expect(messages).toEqual([user('q0\n\nq0 again'), assistant('a0 part 1\n\na0 part 2'), user('q1 (no answer)\n\nq2')]);
  });

  test('a leading assistant greeting is dropped: the first user message is the first message kept', () => {
    const prior = [assistant('Hello! How can I help?'), ...conversation(3)];
    const { messages } = selectHistory(prior, 'now', { estimateTokens: perChar });
    expect(messages[0]).toEqual(user('q0'));
    expectConverseShape(messages);
  });

  test('no history, or maxMessages 0: just the current message', () => {
    expect(selectHistory([], 'hi').messages).toEqual([user('hi')]);
    expect(selectHistory([assistant('greeting')], 'hi').messages).toEqual([user('hi')]);
    expect(selectHistory(conversation(3), 'hi', { maxMessages: 0 }).messages).toEqual([user('hi')]);
  });

  test('whatever the input, the result has the Converse shape and keeps the order', () => {
    let state = 99;
    const random = () => {
      state = (state * 16807) % 2147483647;
      return (state - 1) / 2147483646;
    };
    for (let run = 0; run < 300; run++) {
      const prior = Array.from({ length: Math.floor(random() * 30) }, (_, i): ChatMessage => ({
        role: random() < 0.5 ? 'user' : 'assistant',
        text: random() < 0.05 ? '  ' : `m${i}-${'w'.repeat(Math.floor(random() * 50))}`,
      }));
      const { messages } = selectHistory(prior, 'current', { maxMessages: 1 + Math.floor(random() * 12), maxTokens: Math.floor(random() * 300) });
      expectConverseShape(messages);
      const parts = messages.flatMap((m) => m.text.split('\n\n'));
      expect(parts[parts.length - 1]).toBe('current');
      expect(inOrder(parts.slice(0, -1), prior.map((m) => m.text))).toBe(true);
      const firstUser = prior.find((m) => m.role === 'user' && m.text.trim() !== '');
      if (firstUser) expect(parts[0]).toBe(firstUser.text);
    }
  });

  test('refuses a blank current message and nonsense limits', () => {
    expect(() => selectHistory([], '   ')).toThrow(RangeError);
    expect(() => selectHistory([], 'x', { maxMessages: -1 })).toThrow(RangeError);
    expect(() => selectHistory([], 'x', { maxTokens: -1 })).toThrow(RangeError);
  });
});

describe('estimateTokens', () => {
  test('about a third of the characters, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('abcd')).toBe(2);
    const english = 'Where is my order? It was supposed to arrive on Monday.';
    expect(estimateTokens(english)).toBe(Math.ceil(english.length / 3));
  });

  test('errs high against the usual four characters per token of English', () => {
    const text = 'The parcel was delivered to the wrong address and I would like a refund please. '.repeat(10);
    expect(estimateTokens(text)).toBeGreaterThan(text.length / 4);
  });

  test('counts a CJK or Hangul character as a token, where chars/3 would underestimate', () => {
    expect(estimateTokens('注文はどこですか')).toBe(8);
    expect(estimateTokens('주문')).toBe(2);
    expect(estimateTokens('注文 order')).toBe(2 + Math.ceil(' order'.length / 3));
  });
});

describe('toConverseMessages', () => {
  test('one text block per message', () => {
    expect(toConverseMessages([user('q'), assistant('a')])).toEqual([
      { role: 'user', content: [{ text: 'q' }] },
      { role: 'assistant', content: [{ text: 'a' }] },
    ]);
  });
});

describe('toGuardedConverseMessages', () => {
  test('the new question alone is in a guardContent block; the history stays plain text', () => {
    const { messages } = selectHistory([user('My card is 4111 1111 1111 1111'), assistant('Please do not share card numbers.')], 'Where is my order?');
    expect(toGuardedConverseMessages(messages, 'Where is my order?')).toEqual([
      { role: 'user', content: [{ text: 'My card is 4111 1111 1111 1111' }] },
      { role: 'assistant', content: [{ text: 'Please do not share card numbers.' }] },
      { role: 'user', content: [{ guardContent: { text: { text: 'Where is my order?' } } }] },
    ]);
  });

  test('an unanswered question merged before the new one stays outside the guarded block', () => {
    const { messages } = selectHistory([user('first'), assistant('answer'), user('unanswered 4111 1111 1111 1111')], 'the new one');
    expect(toGuardedConverseMessages(messages, 'the new one').at(-1)).toEqual({
      role: 'user', content: [{ text: 'unanswered 4111 1111 1111 1111' }, { guardContent: { text: { text: 'the new one' } } }],
    });
  });

  test('messages that do not end with the new question are refused', () => {
    expect(() => toGuardedConverseMessages([user('q'), assistant('a')], 'q')).toThrow(/last message/);
    expect(() => toGuardedConverseMessages([user('something else')], 'q')).toThrow(/last message/);
  });
});
