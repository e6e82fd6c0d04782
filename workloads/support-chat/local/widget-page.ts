import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildWidgetBundle, type WidgetBundle } from '../widget/build-widget';

/*
 * The support-chat widget on a page of this machine, for `chat:local` and the browser tests: a shop page that signs a
 * customer in with the local token issuer (POST /local/sign-in: the token in the response body, never in a URL) and
 * mounts the widget (`SupportChatWidget.mount`) against the local gateway. Served on 127.0.0.1 only, with a Content
 * Security Policy that allows the page's own scripts and styles and the gateway's WebSocket, nothing inline.
 */

/** Options of `startWidgetPage`. */
export interface WidgetPageOptions {
  /** The chat's WebSocket URL (the local gateway's `ws://127.0.0.1:<port>/live`). */
  readonly chatUrl: string;
  /** An id token of a customer for a display name (the same customer for the same name). */
  readonly signIn: (user: { readonly username: string; readonly sub: string }) => string;
  /** @default buildWidgetBundle() */
  readonly bundle?: WidgetBundle;
  /** @default 0 (a free port) */
  readonly port?: number;
}

/** The page, running. */
export interface WidgetPage {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** A customer's name: 1–40 letters, digits, spaces, dots, dashes or underscores. */
const NAME = /^[\p{L}\p{N} ._-]{1,40}$/u;

const PAGE_CSS = `
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 24px; display: grid; grid-template-columns: 1fr 420px; gap: 24px; }
h1 { grid-column: 1 / -1; font-size: 24px; margin: 0; }
form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
label { display: block; font-weight: 600; }
input { font: inherit; padding: 4px 6px; border: 1px solid #6b7480; border-radius: 6px; }
button { font: inherit; padding: 4px 14px; border: 0; border-radius: 6px; background: #1a4fd6; color: #fff; }
:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
[hidden] { display: none !important; }
`;

const PAGE_JS = `
'use strict';
(() => {
  const url = document.querySelector('meta[name="support-chat-url"]').content;
  const form = document.getElementById('sign-in');
  const status = document.getElementById('signed-in');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = document.getElementById('name').value.trim();
    const signIn = async () => {
      const response = await fetch('/local/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      if (!response.ok) throw new Error('sign-in refused: ' + response.status);
      return (await response.json()).token;
    };
    try {
      await signIn();
    } catch (error) {
      status.textContent = String(error.message);
      status.hidden = false;
      return;
    }
    form.hidden = true;
    status.textContent = 'Signed in as ' + name + ' (local token issuer).';
    status.hidden = false;
    window.supportChat = SupportChatWidget.mount(document.getElementById('chat'), { url, getToken: signIn });
  });
})();
`;

function page(chatUrl: string, bundle: WidgetBundle): string {
  const escaped = chatUrl.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="support-chat-url" content="${escaped}">
<title>Example shop: support chat (chat:local)</title>
<link rel="stylesheet" href="/page.css">
</head>
<body>
<main>
<h1>Example shop: support chat on this machine</h1>
<section aria-labelledby="account">
<h2 id="account">Your account</h2>
<form id="sign-in">
<div><label for="name">Your name</label><input id="name" name="name" autocomplete="username" required maxlength="40" value="local-customer"></div>
<button type="submit">Sign in</button>
</form>
<p id="signed-in" role="status" hidden></p>
</section>
<div id="chat"></div>
</main>
<script src="/${bundle.fileName}" integrity="sha256-${bundle.sha256}"></script>
<script src="/page.js"></script>
</body>
</html>
`;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) throw new Error('body too large');
  }
  return body;
}

/** Starts the page on 127.0.0.1. */
export async function startWidgetPage(options: WidgetPageOptions): Promise<WidgetPage> {
  const bundle = options.bundle ?? buildWidgetBundle();
  const subs = new Map<string, string>();
  const origin = new URL(options.chatUrl).origin;
  const headers = {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${origin}; img-src 'self'; `
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { ...headers, 'content-type': `${type}; charset=utf-8` });
    res.end(body);
  };
  const html = page(options.chatUrl, bundle);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = `${req.method} ${path}`;
    if (route === 'GET /') return send(res, 200, 'text/html', html);
    if (route === 'GET /page.css') return send(res, 200, 'text/css', PAGE_CSS);
    if (route === 'GET /page.js') return send(res, 200, 'text/javascript', PAGE_JS);
    if (route === `GET /${bundle.fileName}`) return send(res, 200, 'text/javascript', bundle.js);
    if (route === 'POST /local/sign-in') {
      readBody(req, 1_000).then((body) => {
        const name = (JSON.parse(body) as { name?: unknown }).name;
        if (typeof name !== 'string' || !NAME.test(name)) return send(res, 400, 'application/json', JSON.stringify({ message: 'a name of 1-40 letters or digits' }));
        const sub = subs.get(name) ?? randomUUID();
        subs.set(name, sub);
        return send(res, 200, 'application/json', JSON.stringify({ token: options.signIn({ username: name, sub }) }));
      }).catch(() => send(res, 400, 'application/json', JSON.stringify({ message: 'a JSON body {"name"}' })));
      return;
    }
    return send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
