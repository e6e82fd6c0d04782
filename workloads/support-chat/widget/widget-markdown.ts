/// <reference lib="dom" />
// Bundled into the browser script by esbuild (build-widget.ts); nothing of the CDK app loads them at run time.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/*
 * An answer's Markdown as safe HTML: marked renders it, DOMPurify (the maintained sanitizer) removes what could run or
 * load: scripts, event handler attributes (`<img onerror>`), `javascript:` and other non-http(s) links, styles, forms,
 * frames and images. A model's answer is text the customer's browser must never execute, whatever a prompt injection
 * made the model write.
 */

const markdown = new Marked({ gfm: true, breaks: true, async: false });

/** What an answer may contain: text formatting, lists, tables, code and links; nothing that loads or runs. */
const ALLOWED_TAGS = [
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

let hooked = false;

/** Links open in a new tab without handing the widget's window to the page they open. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!/^https?:\/\//i.test(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** The answer's Markdown rendered and sanitized: HTML safe to assign to `innerHTML`. */
export function renderMarkdown(text: string): string {
  hookLinks();
  const html = markdown.parse(text) as string;
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'target', 'rel'],
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^https?:\/\//i,
  });
}
