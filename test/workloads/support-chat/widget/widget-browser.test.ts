import * as path from 'node:path';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { type Browser, chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { CHAT_API } from '../../../../workloads/support-chat/chat/chat-wiring';
import { type ChatLocal, LOCAL_CREDENTIALS, startChatLocal } from '../../../../workloads/support-chat/local/chat-local';
import { withLocalClassifier } from '../../../../workloads/support-chat/local/local-classifier';
import { startWidgetPage, type WidgetPage } from '../../../../workloads/support-chat/local/widget-page';
import { SUBPROTOCOL } from '../../../../workloads/support-chat/widget/widget-protocol';
import { chromiumPath, seriousAxeViolations } from '../../../support/browser';
import { PROJECT_ROOT } from '../../../support/run-app';

/*
 * The web widget end to end in a real browser (Debian's chromium, driven by playwright-core) against the chat:local
 * harness as deployed for tokens (the Sec-WebSocket-Protocol identity source), started once: a customer signs in with
 * the local token issuer, asks, sees the answer stream in with its sources; a model answer with markup is rendered
 * harmless; a dropped connection is reopened and the answer resumed; the language is switched; the conversation is
 * rated; axe-core finds no serious or critical violation. The token travels in no URL and in no log line of the
 * handlers. The emulators prove the widget and the harness, not what API Gateway enforces (ADR 28 cites AWS for that).
 */

const SCREENSHOT = path.join(PROJECT_ROOT, 'docs', 'images', 'support-chat-widget.png');
const GROUNDED_QUESTION = 'How long does a refund take after my return reaches the warehouse?';

let chat: ChatLocal;
let widgetPage: WidgetPage;
let browser: Browser;
const tokens: string[] = [];
/** Each signed-in customer's sub, by name (an agent names the conversation by it). */
const subs = new Map<string, string>();
const logged: string[] = [];
const restoreLogs: Array<() => void> = [];


/** Everything the process logs while the suite runs (the handlers run in-process): no token may be in it. */
function captureLogs(): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original.apply(console, args);
    };
    restoreLogs.push(() => { console[method] = original; });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreLogs.push(() => { stream.write = original; });
  }
}

beforeAll(async () => {
  captureLogs();
  const executablePath = chromiumPath();
  [chat, browser] = await Promise.all([
    startChatLocal({ tokenTransport: 'subprotocol', knowledge: true, handOff: true, bedrockDefaults: { firstTokenDelayMs: 20, interTokenDelayMs: 25, chunkSize: 6 } }),
    chromium.launch({ executablePath }),
  ]);
  widgetPage = await startWidgetPage({
    chatUrl: chat.url,
    signIn: (user) => {
      const token = chat.token('customer', user);
      tokens.push(token);
      subs.set(user.username, user.sub);
      return token;
    },
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await widgetPage?.close();
  await chat?.close();
  restoreLogs.forEach((restore) => restore());
});

/** A page of the shop, signed in, the widget connected; what its WebSockets sent and where they connected. */
interface SignedIn {
  readonly page: Page;
  /** What the page's WebSockets sent, and the URLs they connected to. */
  readonly sent: string[];
  readonly urls: string[];
  close(): Promise<void>;
}

async function signedIn(name: string, contextOptions: { bypassCSP?: boolean } = {}): Promise<SignedIn> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, ...contextOptions });
  const page = await context.newPage();
  const sent: string[] = [];
  const urls: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('websocket', (ws) => {
    urls.push(ws.url());
    ws.on('framesent', (frame) => sent.push(String(frame.payload)));
  });
  await page.goto(widgetPage.url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#scw-status[data-state="open"]').waitFor();
  return {
    page,
    sent,
    urls,
    close: async () => {
      expect(errors).toEqual([]);
      await context.close();
    },
  };
}

async function ask(page: Page, text: string): Promise<void> {
  await page.locator('#scw-input').fill(text);
  await page.locator('#scw-input').press('Enter');
}

const answers = (page: Page) => page.locator('article.message.assistant');

/** The connection opened last. */
const latestConnectionId = () => [...chat.routes].reverse().find((route) => route.route === '$connect')!.connectionId;

/** Closes a connection (`DeleteConnection` on the gateway's @connections API), as a dropped network would. */
async function dropConnection(connectionId: string): Promise<void> {
  const connections = new ApiGatewayManagementApiClient({ endpoint: chat.url.replace(/^ws:/, 'http:'), region: chat.region, credentials: LOCAL_CREDENTIALS });
  try {
    await connections.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } finally {
    connections.destroy();
  }
}

test('a customer signs in, asks, and sees the answer stream in with its sources; the token is in no URL', async () => {
  const { page, sent, urls, close } = await signedIn('Ana');
  try {
    await ask(page, GROUNDED_QUESTION);
    const answer = answers(page).last();
    // Streaming: part of the answer is on screen before the answer is complete.
    await page.locator('article.message.assistant[data-state="streaming"] .body p').first().waitFor();
    const partial = await answer.locator('.body').innerText();
    await page.locator('article.message.assistant[data-state="done"]').waitFor();
    const whole = await answer.locator('.body').innerText();
    expect(partial.length).toBeGreaterThan(0);
    expect(whole.length).toBeGreaterThan(partial.length);
    expect(whole.startsWith(partial.trim().slice(0, 10))).toBe(true);
    // Sources under the answer, each a title and an http(s) link.
    const sources = answer.locator('nav.citations li');
    expect(await sources.count()).toBeGreaterThan(0);
    const first = sources.first().locator('a');
    expect(await first.innerText()).not.toBe('');
    expect(await first.getAttribute('href')).toMatch(/^https?:\/\//);
    // The live region announces the finished answer, with who answered.
    expect(await page.locator('#scw-announce').innerText()).toContain('AI assistant answered:');
    expect(await page.locator('#scw-who').innerText()).toBe('Answering: AI assistant');
    // The token: offered as a subprotocol, never in the page's or the WebSocket's URL.
    expect(urls).toEqual([chat.url]);
    expect(page.url()).toBe(widgetPage.url);
    for (const token of tokens) {
      expect(urls.join(' ')).not.toContain(token.slice(-20));
      expect(sent.join(' ')).not.toContain(token.slice(-20));
    }
    const message = JSON.parse(sent[0]) as Record<string, unknown>;
    expect(message).toMatchObject({ action: 'sendMessage', text: GROUNDED_QUESTION, language: 'en' });
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: SCREENSHOT });
  } finally {
    await close();
  }
});

test('a model answer with an <img onerror>, a script and a javascript: link is rendered harmless', async () => {
  chat.emulator!.script(withLocalClassifier(() => ({
    answer: 'Refunds take **5 days**. <img src="x" onerror="window.__xss=1"> <script>window.__xss=2</script> '
      + '[click me](javascript:window.__xss=3) <a href="javascript:window.__xss=4" onclick="window.__xss=5">here</a> [help](https://example.com/help)',
    firstTokenDelayMs: 10,
    interTokenDelayMs: 5,
  })));
  const { page, close } = await signedIn('Bea');
  try {
    await ask(page, GROUNDED_QUESTION);
    const answer = page.locator('article.message.assistant[data-state="done"]');
    await answer.waitFor();
    expect(await answer.locator('strong').innerText()).toBe('5 days');
    expect(await answer.locator('img, script').count()).toBe(0);
    expect(await answer.locator('[onerror], [onclick]').count()).toBe(0);
    for (const name of ['click me', 'here']) {
      const link = answer.locator('.body a', { hasText: name });
      expect(await link.getAttribute('href')).toBeNull();
    }
    const help = answer.locator('.body a', { hasText: 'help' });
    expect(await help.getAttribute('href')).toBe('https://example.com/help');
    expect(await help.getAttribute('rel')).toBe('noopener noreferrer');
    await answer.locator('.body a', { hasText: 'click me' }).click();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  } finally {
    chat.resetBedrock();
    await close();
  }
});

test('a dropped connection is opened again and the answer resumed, whole and once', async () => {
  const long = Array.from({ length: 8 }, (_, i) => `Step ${i + 1} of the refund is checked.`).join(' ');
  chat.emulator!.script(withLocalClassifier(() => ({ answer: long, firstTokenDelayMs: 10, interTokenDelayMs: 25, chunkSize: 6 })));
  const { page, sent, urls, close } = await signedIn('Cai');
  try {
    await ask(page, GROUNDED_QUESTION);
    await page.locator('article.message.assistant[data-state="streaming"] .body p').first().waitFor();
    await dropConnection(latestConnectionId());
    await page.locator('#scw-status[data-state="reconnecting"]').waitFor();
    await page.locator('article.message.assistant[data-state="done"]').waitFor({ timeout: 20_000 });
    expect(await answers(page).count()).toBe(1);
    expect((await answers(page).locator('.body').innerText()).trim()).toBe(long);
    expect(urls).toEqual([chat.url, chat.url]);
    const actions = sent.map((frame) => (JSON.parse(frame) as { action: string }).action);
    expect(actions[0]).toBe('sendMessage');
    expect(actions).toContain('resume');
  } finally {
    chat.resetBedrock();
    await close();
  }
});

test('the language is chosen with the keyboard: the widget\'s words and the messages\' language follow; the rating is sent and stored', async () => {
  const { page, sent, close } = await signedIn('Dora');
  try {
    const select = page.getByLabel('Language');
    await select.focus();
    await select.selectOption('de');
    expect(await page.locator('#scw-title').innerText()).toBe('Kundenservice');
    expect(await page.locator('section.widget').getAttribute('lang')).toBe('de');
    await ask(page, 'Wie lange dauert eine Rückerstattung, nachdem meine Rücksendung im Lager angekommen ist?');
    await page.locator('article.message.assistant[data-state="done"]').waitFor();
    expect(JSON.parse(sent[0])).toMatchObject({ action: 'sendMessage', language: 'de' });
    // Rate with the keyboard only: the end button, the radio group's arrows, the comment, Enter.
    await page.getByRole('button', { name: 'Chat beenden' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.getByLabel('Kommentar (optional)').fill('Schnell und klar');
    await page.getByRole('button', { name: 'Bewertung senden' }).press('Enter');
    await page.locator('#scw-rating-status[data-state="saved"]').waitFor();
    expect(await page.locator('#scw-rating-status').innerText()).toBe('Ihre Bewertung wurde gespeichert.');
    const rating = sent.map((frame) => JSON.parse(frame) as Record<string, unknown>).find((m) => m.action === 'rate');
    expect(rating).toEqual({ action: 'rate', conversationId: expect.stringMatching(/^c-/), score: 4, comment: 'Schnell und klar' });
  } finally {
    await close();
  }
});

/** An agent's connection: sends actions, collects frames. */
interface AgentConnection {
  send(message: object): void;
  /** The first frame received (or to come) that passes `test`. */
  frame(test: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  close(): void;
}

async function agentConnection(name: string): Promise<AgentConnection> {
  const token = chat.token('agent', { name });
  tokens.push(token);
  const ws = new WebSocket(chat.url, chat.protocols(token));
  const frames: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const frame = async (test: (f: Record<string, unknown>) => boolean) => {
    for (;;) {
      const found = frames.find(test);
      if (found) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { send: (message) => ws.send(JSON.stringify(message)), frame, close: () => ws.close() };
}

test('asking for a person: the widget shows the hand-off, then the agent who joined by name, and the agent\'s Markdown sanitized', async () => {
  const { page, sent, close } = await signedIn('Finn');
  const customerConnection = latestConnectionId();
  const agent = await agentConnection('Dana');
  try {
    await ask(page, 'I want to talk to a human');
    await page.locator('#scw-who[data-who="escalated"]').waitFor();
    expect(await page.locator('#scw-who').innerText()).toBe('Passed to a person from our team: they will answer here');
    const conversationId = await page.evaluate(() => (window as unknown as { supportChat: { conversationId: string } }).supportChat.conversationId);
    const customer = subs.get('Finn');
    agent.send({ action: 'joinConversation', customer, conversationId, messageId: 'join-1' });
    expect(await agent.frame((f) => f.messageId === 'join-1' && (f.type === 'done' || f.type === 'error'))).toMatchObject({ type: 'done' });
    await page.locator('#scw-who[data-who="agent"]').waitFor();
    expect(await page.locator('#scw-who').innerText()).toBe('Answering: Dana, a person from our team');
    agent.send({ action: 'agentReply', customer, conversationId, messageId: 'reply-1', text: 'I am **Dana**. <img src=x onerror="window.__xss=1">' });
    const reply = page.locator('article.message.agent');
    await reply.waitFor();
    expect(await reply.locator('.sender').innerText()).toBe('Dana (support agent)');
    expect(await reply.locator('strong').innerText()).toBe('Dana');
    expect(await reply.locator('img').count()).toBe(0);
    expect(await page.locator('#scw-announce').innerText()).toContain('Dana (support agent) answered:');
    // The customer's next message reaches the agent, not the model.
    await ask(page, 'Thank you, Dana');
    expect(await agent.frame((f) => f.type === 'message' && f.from === 'customer' && f.text === 'Thank you, Dana')).toBeDefined();
    // The customer's connection drops; the agent's reply is stored, and the reconnected widget resumes its last message,
    // which replays it.
    await dropConnection(customerConnection);
    await page.locator('#scw-status[data-state="reconnecting"]').waitFor();
    agent.send({ action: 'agentReply', customer, conversationId, messageId: 'reply-2', text: 'Your refund is on its way.' });
    await page.locator('article.message.agent', { hasText: 'Your refund is on its way.' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('article.message.agent').count()).toBe(2);
    const last = sent.map((frame) => JSON.parse(frame) as { action: string; messageId?: string }).filter((m) => m.action === 'sendMessage').pop();
    expect(sent.map((frame) => JSON.parse(frame) as object)).toContainEqual(expect.objectContaining({ action: 'resume', messageId: last?.messageId }));
    agent.send({ action: 'leaveConversation', customer, conversationId, messageId: 'leave-1', close: true });
    await page.locator('#scw-who[data-who="assistant"]').waitFor();
  } finally {
    agent.close();
    await close();
  }
});

test('axe-core finds no serious or critical accessibility violation in the widget, with an answer, its sources and the rating open', async () => {
  // axe is injected through the DevTools protocol, which the page's Content Security Policy would otherwise refuse.
  const { page, close } = await signedIn('Eve', { bypassCSP: true });
  try {
    await ask(page, GROUNDED_QUESTION);
    await page.locator('article.message.assistant[data-state="done"]').waitFor();
    await page.getByRole('button', { name: 'End chat' }).focus();
    await page.keyboard.press('Enter');
    // The focus is visible: the radio button the keyboard moved to draws an outline.
    const outline = await page.locator('#scw-score-1').evaluate((node) => (node.matches(':focus-visible') ? getComputedStyle(node).outlineStyle : 'not focused'));
    expect(outline).toBe('solid');
    expect(await seriousAxeViolations(page)).toEqual([]);
  } finally {
    await close();
  }
});

test('the local gateway emulator, as API Gateway is documented: the token only in Sec-WebSocket-Protocol, the answer names support-chat.v1 and never the token', async () => {
  const token = chat.token('customer');
  expect(SUBPROTOCOL).toBe(CHAT_API.subprotocol);
  const opened = await new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(chat.url, [SUBPROTOCOL, token]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  expect(opened.protocol).toBe(SUBPROTOCOL);
  opened.close();
  const status = (url: string, protocols: string[]) => new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('opened')));
    ws.once('error', () => undefined);
  });
  // The query string is not an identity source of the deployed API: no Sec-WebSocket-Protocol, 401 before the authorizer.
  const before = chat.routes.filter((route) => route.route === 'authorizer').length;
  expect(await status(`${chat.url}?token=${token}`, [])).toBe(401);
  expect(chat.routes.filter((route) => route.route === 'authorizer').length).toBe(before);
  // The subprotocol without a token, a forged token beside it, or a third value: 401 from the authorizer.
  expect(await status(chat.url, [SUBPROTOCOL])).toBe(401);
  expect(await status(chat.url, [SUBPROTOCOL, `${token.slice(0, -4)}AAAA`])).toBe(401);
  expect(await status(chat.url, [SUBPROTOCOL, token, 'extra'])).toBe(401);
});

test('no line the handlers logged holds a token', () => {
  expect(tokens.length).toBeGreaterThan(0);
  const output = logged.join('\n');
  for (const token of tokens) {
    for (const part of token.split('.').slice(1)) expect(output).not.toContain(part);
  }
});
