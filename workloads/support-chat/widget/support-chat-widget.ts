/// <reference lib="dom" />
import { ChatConnection, type ConnectionState } from './widget-connection';
import { renderMarkdown } from './widget-markdown';
import { type ClientMessage, newId, RATING_FRAME_ID, safeLink, type ServerFrame, type GatewayNotice, WIDGET_LANGUAGES, type WidgetLanguage } from './widget-protocol';
import { format, LANGUAGE_NAMES, WIDGET_STRINGS, type WidgetStrings } from './widget-strings';
import { WIDGET_CSS } from './widget-style';

/** Options of `mountSupportChat`. */
export interface SupportChatOptions {
  /** The chat's WebSocket URL (`wss://…/live`). */
  readonly url: string;
  /** A current Cognito id token of the signed-in customer; asked for before every (re)connection. */
  readonly getToken: () => Promise<string>;
  /** @default the browser's language when it is one of the five, else English */
  readonly language?: WidgetLanguage;
  /** The reconnect back-off. @default { initialMs: 500, maxMs: 15_000 } */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** A mounted widget. */
export interface SupportChatWidget {
  /** The conversation's id (one per mounted widget). */
  readonly conversationId: string;
  /** Closes the connection and removes the widget. */
  destroy(): void;
}

/** A message of the conversation as shown: the customer's, an answer being streamed, or a person's. */
interface MessageView {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  readonly sender: HTMLElement;
  /** Chunks not yet applied, by seq (frames of one connection arrive in order; a replay starts at 0 again). */
  readonly parts: Map<number, string>;
  nextSeq: number;
  text: string;
  author: 'customer' | 'assistant' | 'agent';
  agentName?: string;
  renderQueued: boolean;
}

/** A customer message waiting for its final frame, with what it takes to ask again after a reconnect. */
interface Pending {
  readonly text: string;
  /** Whether the server may have it: then a reconnect `resume`s it, else sends it. */
  sent: boolean;
  /** Resumes asked for after `in_progress` or `internal`. */
  retries: number;
}

const MAX_RESUME_RETRIES = 8;

function preferredLanguage(): WidgetLanguage {
  const browser = (typeof navigator !== 'undefined' ? navigator.language : 'en').toLowerCase().split('-')[0];
  return (WIDGET_LANGUAGES as readonly string[]).includes(browser) ? browser as WidgetLanguage : 'en';
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The support chat in `host`'s shadow root: the conversation with streamed, sanitized Markdown answers and their sources,
 * who is answering (the AI assistant or a named person), the connection's state, the language (the widget's own words and
 * the tenant's), and a rating (1–5) when the customer ends the chat. Every control is a native one (keyboard, focus), the
 * finished answers are announced in a polite live region.
 */
export function mountSupportChat(host: HTMLElement, options: SupportChatOptions): SupportChatWidget {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  applyStyle(root);
  const widget = new ChatWidget(root, options);
  return {
    conversationId: widget.conversationId,
    destroy: () => {
      widget.destroy();
      root.replaceChildren();
    },
  };
}

function applyStyle(root: ShadowRoot): void {
  // A constructed style sheet: no inline <style> element for the page's Content Security Policy to allow.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(element('style', {}, WIDGET_CSS));
  }
}

class ChatWidget {
  public readonly conversationId = newId('c');
  private language: WidgetLanguage;
  private readonly connection: ChatConnection;
  private readonly views = new Map<string, MessageView>();
  private readonly pending = new Map<string, Pending>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private state: ConnectionState = 'connecting';
  private who: { kind: 'assistant' } | { kind: 'escalated' } | { kind: 'agent'; name: string } | { kind: 'agentLeft'; name: string } = { kind: 'assistant' };
  /** The customer's last message: a reconnect resumes it, which replays what a person wrote since. */
  private lastMessageId: string | undefined;
  private readonly ui: {
    section: HTMLElement;
    title: HTMLElement;
    languageLabel: HTMLElement;
    languageSelect: HTMLSelectElement;
    who: HTMLElement;
    status: HTMLElement;
    log: HTMLElement;
    announce: HTMLElement;
    composer: HTMLFormElement;
    inputLabel: HTMLElement;
    input: HTMLTextAreaElement;
    send: HTMLButtonElement;
    end: HTMLButtonElement;
    rating: HTMLFormElement;
    ratingLegend: HTMLElement;
    ratingLabels: HTMLElement[];
    commentLabel: HTMLElement;
    comment: HTMLTextAreaElement;
    ratingSubmit: HTMLButtonElement;
    ratingStatus: HTMLElement;
  };

  constructor(root: ShadowRoot, options: SupportChatOptions) {
    this.language = options.language ?? preferredLanguage();
    this.ui = this.build(root);
    this.connection = new ChatConnection({
      url: options.url,
      getToken: options.getToken,
      backoff: options.backoff,
      onMessage: (message) => this.onMessage(message),
      onState: (state, resumed) => this.onState(state, resumed),
    });
    this.applyLanguage();
    this.connection.start();
  }

  public destroy(): void {
    this.retryTimers.forEach(clearTimeout);
    this.connection.close();
  }

  private get strings(): WidgetStrings {
    return WIDGET_STRINGS[this.language];
  }

  private build(root: ShadowRoot): ChatWidget['ui'] {
    const section = element('section', { 'class': 'widget', 'aria-labelledby': 'scw-title' });
    const header = element('header');
    const title = element('h2', { id: 'scw-title' });
    const languageLabel = element('label', { for: 'scw-language' });
    const languageSelect = element('select', { id: 'scw-language' });
    for (const language of WIDGET_LANGUAGES) languageSelect.append(element('option', { value: language, lang: language }, LANGUAGE_NAMES[language]));
    const who = element('p', { class: 'who', id: 'scw-who', role: 'status' });
    const status = element('p', { 'class': 'status', 'id': 'scw-status', 'role': 'status', 'data-state': 'connecting' });
    const languageRow = element('div', { class: 'language' });
    languageRow.append(languageLabel, languageSelect);
    header.append(title, languageRow, who, status);

    const log = element('div', { 'class': 'log', 'id': 'scw-log', 'role': 'region', 'tabindex': '0', 'aria-labelledby': 'scw-log-label' });
    const logLabel = element('h3', { id: 'scw-log-label', class: 'visually-hidden' });
    const announce = element('div', { 'class': 'visually-hidden', 'id': 'scw-announce', 'aria-live': 'polite', 'aria-atomic': 'true' });

    const composer = element('form', { class: 'composer', id: 'scw-composer' });
    const inputLabel = element('label', { for: 'scw-input' });
    const input = element('textarea', { id: 'scw-input', rows: '2', maxlength: '10000' });
    const send = element('button', { type: 'submit', id: 'scw-send' });
    composer.append(inputLabel, input, send);

    const end = element('button', { type: 'button', id: 'scw-end', class: 'secondary' });
    const rating = element('form', { class: 'rating', id: 'scw-rating' });
    rating.hidden = true;
    const fieldset = element('fieldset');
    const ratingLegend = element('legend');
    fieldset.append(ratingLegend);
    const ratingLabels: HTMLElement[] = [];
    const scores = element('div', { class: 'scores' });
    for (let score = 1; score <= 5; score += 1) {
      const id = `scw-score-${score}`;
      const radio = element('input', { type: 'radio', name: 'score', value: String(score), id, required: '' });
      const label = element('label', { for: id });
      ratingLabels.push(label);
      scores.append(radio, label);
    }
    fieldset.append(scores);
    const commentLabel = element('label', { for: 'scw-comment' });
    const comment = element('textarea', { id: 'scw-comment', rows: '2', maxlength: '1000' });
    const ratingSubmit = element('button', { type: 'submit', id: 'scw-rate' });
    rating.append(fieldset, commentLabel, comment, ratingSubmit);
    const ratingStatus = element('p', { class: 'rating-status', id: 'scw-rating-status', role: 'status' });

    section.append(header, logLabel, log, announce, composer, end, rating, ratingStatus);
    root.append(section);

    languageSelect.addEventListener('change', () => {
      this.language = languageSelect.value as WidgetLanguage;
      this.applyLanguage();
    });
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    input.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter is a new line; an IME's Enter composes.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    end.addEventListener('click', () => {
      this.ui.rating.hidden = false;
      (this.ui.rating.querySelector('input[type=radio]') as HTMLInputElement | null)?.focus();
    });
    rating.addEventListener('submit', (event) => {
      event.preventDefault();
      this.rate();
    });
    return {
      section,
      title,
      languageLabel,
      languageSelect,
      who,
      status,
      log,
      announce,
      composer,
      inputLabel,
      input,
      send,
      end,
      rating,
      ratingLegend,
      ratingLabels,
      commentLabel,
      comment,
      ratingSubmit,
      ratingStatus,
    };
  }

  /** Writes the widget's own words in the chosen language; messages already shown keep theirs. */
  private applyLanguage(): void {
    const s = this.strings;
    const ui = this.ui;
    ui.section.setAttribute('lang', this.language);
    ui.languageSelect.value = this.language;
    ui.title.textContent = s.title;
    ui.languageLabel.textContent = s.languageLabel;
    (ui.section.querySelector('#scw-log-label') as HTMLElement).textContent = s.conversationLabel;
    ui.inputLabel.textContent = s.inputLabel;
    ui.input.placeholder = s.inputPlaceholder;
    ui.send.textContent = s.send;
    ui.end.textContent = s.endChat;
    ui.ratingLegend.textContent = s.rateLegend;
    ui.ratingLabels.forEach((label, index) => { label.textContent = format(s.rateScore, { score: index + 1 }); });
    ui.commentLabel.textContent = s.rateComment;
    ui.ratingSubmit.textContent = s.rateSubmit;
    this.showState();
    this.showWho();
  }

  private showState(): void {
    const s = this.strings;
    const text = { 'connecting': s.connecting, 'open': s.online, 'reconnecting': s.reconnecting, 'signed-out': s.signedOut, 'closed': s.offline }[this.state];
    this.ui.status.textContent = text;
    this.ui.status.dataset.state = this.state;
  }

  private showWho(): void {
    const s = this.strings;
    const who = this.who;
    this.ui.who.dataset.who = who.kind;
    this.ui.who.textContent = who.kind === 'assistant' ? s.answeringAssistant
      : who.kind === 'escalated' ? s.escalated
        : who.kind === 'agent' ? format(s.answeringAgent, { name: who.name })
          : format(s.agentLeft, { name: who.name });
  }

  private submit(): void {
    const text = this.ui.input.value.trim();
    if (!text) return;
    this.ui.input.value = '';
    const messageId = newId('m');
    this.addView(messageId, 'customer', text, `u-${messageId}`);
    this.pending.set(messageId, { text, sent: false, retries: 0 });
    this.lastMessageId = messageId;
    this.sendPending(messageId);
  }

  private sendPending(messageId: string): void {
    const pending = this.pending.get(messageId);
    if (!pending) return;
    const message: ClientMessage = pending.sent
      ? { action: 'resume', conversationId: this.conversationId, messageId, language: this.language }
      : { action: 'sendMessage', conversationId: this.conversationId, messageId, text: pending.text, language: this.language };
    if (this.connection.send(message)) {
      pending.sent = true;
      // A replay of the answer starts again at seq 0.
      const view = this.views.get(messageId);
      if (view && message.action === 'resume') this.resetView(view);
    }
  }

  private onState(state: ConnectionState, resumed: boolean): void {
    this.state = state;
    this.showState();
    if (state !== 'open') return;
    // After a lost connection: resume every answer not finished (send those the server never got); in a conversation
    // with a person, resume the last message too, so this connection gets their messages again (the README's protocol).
    const last = this.lastMessageId;
    if (resumed && last && !this.pending.has(last) && this.who.kind !== 'assistant') {
      this.pending.set(last, { text: '', sent: true, retries: 0 });
    }
    for (const messageId of this.pending.keys()) this.sendPending(messageId);
  }

  private onMessage(message: ServerFrame | GatewayNotice): void {
    if (message.type === 'gateway') {
      this.notice(this.strings.gatewayError);
      return;
    }
    if (message.conversationId !== this.conversationId) return;
    switch (message.type) {
      case 'chunk': {
        const view = this.answerView(message.messageId);
        if (message.seq < view.nextSeq || view.parts.has(message.seq)) return;
        view.parts.set(message.seq, message.text);
        this.applyParts(view);
        this.queueRender(view);
        return;
      }
      case 'done': {
        const view = this.answerView(message.messageId);
        this.applyParts(view);
        this.pending.delete(message.messageId);
        if (message.handedOff) {
          this.who = { kind: 'escalated' };
          this.showWho();
        }
        if (view.text.length === 0) {
          view.element.remove();
          this.views.delete(message.messageId);
          return;
        }
        this.finish(view, message.citations ?? []);
        return;
      }
      case 'error':
        this.onError(message.messageId, message.code, message.message);
        return;
      case 'message': {
        if (message.from !== 'agent' || this.views.has(message.messageId)) return;
        const view = this.addView(message.messageId, 'agent', message.text, `a-${message.messageId}`, message.name);
        this.finish(view, []);
        return;
      }
      case 'agentJoined':
        this.who = { kind: 'agent', name: message.name };
        this.showWho();
        this.announce(this.ui.who.textContent ?? '');
        return;
      case 'agentLeft':
        this.who = message.closed ? { kind: 'assistant' } : { kind: 'agentLeft', name: message.name };
        if (message.closed) this.notice(format(this.strings.agentLeft, { name: message.name }));
        this.showWho();
        return;
      case 'rated':
        if (message.messageId !== RATING_FRAME_ID) return;
        this.ui.ratingStatus.textContent = this.strings.rateSaved;
        this.ui.ratingStatus.dataset.state = 'saved';
        return;
    }
  }

  private onError(messageId: string, code: string, text: string): void {
    const pending = this.pending.get(messageId);
    if (pending && (code === 'in_progress' || code === 'internal') && pending.retries < MAX_RESUME_RETRIES) {
      // Another turn is answering it, or the turn failed: ask for the stored answer again after a moment.
      pending.retries += 1;
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.sendPending(messageId);
      }, Math.min(2_000, 250 * 2 ** pending.retries));
      this.retryTimers.add(timer);
      return;
    }
    if (pending && code === 'bad_request' && pending.sent && pending.retries === 0) {
      // A resume of a message the server never stored (the connection dropped before it arrived): send it.
      pending.sent = false;
      pending.retries += 1;
      this.sendPending(messageId);
      return;
    }
    if (pending && code === 'token_expired') {
      // Nothing was stored; the server closes the connection and the reconnect sends it again with a fresh token.
      pending.sent = false;
      return;
    }
    if (messageId === RATING_FRAME_ID && !pending) {
      // The answer to the rating: its frames carry the messageId `rate`.
      this.ui.ratingStatus.textContent = `${this.strings.rateNotSaved} ${text}`;
      this.ui.ratingStatus.dataset.state = 'error';
      this.ui.ratingSubmit.disabled = false;
      return;
    }
    this.pending.delete(messageId);
    const view = this.answerView(messageId);
    this.applyParts(view);
    view.element.dataset.state = 'error';
    const line = element('p', { class: 'error', role: 'alert' }, text);
    line.dataset.code = code;
    view.element.append(line);
    if (view.text.length > 0) this.render(view);
    this.scrollToEnd();
  }

  private rate(): void {
    const checked = this.ui.rating.querySelector('input[name=score]:checked') as HTMLInputElement | null;
    if (!checked) return;
    const comment = this.ui.comment.value.trim();
    const sent = this.connection.send({
      action: 'rate', conversationId: this.conversationId, score: Number(checked.value), ...(comment ? { comment } : {}),
    });
    this.ui.ratingStatus.textContent = sent ? this.strings.rateThanks : this.strings.rateNotSaved;
    this.ui.ratingStatus.dataset.state = sent ? 'sent' : 'error';
    if (sent) this.ui.ratingSubmit.disabled = true;
  }

  private addView(id: string, author: MessageView['author'], text: string, key: string, agentName?: string): MessageView {
    const article = element('article', { 'class': `message ${author}`, 'data-message-id': id, 'data-key': key });
    const sender = element('p', { class: 'sender' });
    const body = element('div', { class: 'body' });
    article.append(sender, body);
    const view: MessageView = { element: article, body, sender, parts: new Map(), nextSeq: 0, text, author, agentName, renderQueued: false };
    sender.textContent = this.senderName(view);
    if (author === 'customer') body.textContent = text;
    else this.render(view);
    if (author !== 'customer') this.views.set(id, view);
    this.ui.log.append(article);
    this.scrollToEnd();
    return view;
  }

  /** The answer to the customer's message `messageId`, made when its first frame arrives. */
  private answerView(messageId: string): MessageView {
    const existing = this.views.get(messageId);
    if (existing) return existing;
    const view = this.addView(messageId, 'assistant', '', `r-${messageId}`);
    view.element.dataset.state = 'streaming';
    return view;
  }

  private resetView(view: MessageView): void {
    view.parts.clear();
    view.nextSeq = 0;
    view.text = '';
    view.element.dataset.state = 'streaming';
    view.element.querySelectorAll('.error, nav.citations').forEach((node) => node.remove());
    this.render(view);
  }

  private applyParts(view: MessageView): void {
    while (view.parts.has(view.nextSeq)) {
      view.text += view.parts.get(view.nextSeq)!;
      view.parts.delete(view.nextSeq);
      view.nextSeq += 1;
    }
  }

  private queueRender(view: MessageView): void {
    if (view.renderQueued) return;
    view.renderQueued = true;
    requestAnimationFrame(() => {
      view.renderQueued = false;
      this.render(view);
      this.scrollToEnd();
    });
  }

  private render(view: MessageView): void {
    // Sanitized by DOMPurify inside renderMarkdown: no script, handler attribute or non-http(s) link survives.
    view.body.innerHTML = renderMarkdown(view.text);
  }

  private finish(view: MessageView, citations: readonly { title?: string; link?: string; documentId?: string }[]): void {
    this.render(view);
    view.element.dataset.state = 'done';
    if (citations.length > 0) {
      const nav = element('nav', { 'class': 'citations', 'aria-label': this.strings.sources });
      nav.append(element('p', { class: 'sources' }, this.strings.sources));
      const list = element('ul');
      for (const citation of citations) {
        const item = element('li');
        const title = citation.title ?? citation.documentId ?? '';
        const link = safeLink(citation.link);
        item.append(link ? element('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, title) : element('span', {}, title));
        list.append(item);
      }
      nav.append(list);
      view.element.append(nav);
    }
    this.announce(format(this.strings.answerAnnounced, { name: this.senderName(view), text: view.body.textContent ?? '' }));
    this.scrollToEnd();
  }

  private senderName(view: MessageView): string {
    if (view.author === 'customer') return this.strings.you;
    if (view.author === 'agent') return format(this.strings.agent, { name: view.agentName ?? '' });
    return this.strings.assistant;
  }

  private notice(text: string): void {
    this.ui.log.append(element('p', { class: 'notice' }, text));
    this.announce(text);
    this.scrollToEnd();
  }

  private announce(text: string): void {
    this.ui.announce.textContent = text;
  }

  private scrollToEnd(): void {
    this.ui.log.scrollTop = this.ui.log.scrollHeight;
  }
}
