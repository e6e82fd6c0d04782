import { EMBEDDING_ORIGIN } from '../../../../config/widget-edge';

/**
 * The widget page's Content-Security-Policy: the page's own origin for its script, style and images, the chat's
 * WebSocket URL (through the same distribution) as the only connection, and `frame-ancestors` the shop origins allowed
 * to embed the page; nothing else (no inline script or style, no plugins, no `<base>`, no form posts).
 * https://www.w3.org/TR/CSP3/ (directives), https://www.w3.org/TR/CSP3/#directive-frame-ancestors
 */
export function widgetContentSecurityPolicy(webSocketUrl: string, frameAncestors: readonly string[]): string {
  if (!/^wss:\/\/[a-z0-9.-]+(\/[\w./-]*)?$/.test(webSocketUrl)) {
    throw new Error(`widgetContentSecurityPolicy: the WebSocket URL must be wss://<host>[/<path>]; found "${webSocketUrl}"`);
  }
  for (const origin of frameAncestors) {
    if (!EMBEDDING_ORIGIN.test(origin)) throw new Error(`widgetContentSecurityPolicy: an embedding origin must be https://<host>[:<port>]; found "${origin}"`);
  }
  return [
    'default-src \'none\'',
    'script-src \'self\'',
    'style-src \'self\'',
    'img-src \'self\' data:',
    `connect-src ${webSocketUrl}`,
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : '\'none\''}`,
    'base-uri \'none\'',
    'form-action \'none\'',
    'object-src \'none\'',
  ].join('; ');
}

/** An origin a shop page embeds the widget from (`https://host[:port]`), as the config checks it. */
export { EMBEDDING_ORIGIN };
