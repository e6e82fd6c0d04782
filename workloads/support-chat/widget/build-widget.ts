import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
// Build time only (as building-blocks/custom-resources/inline-handler.ts): the bundle is built where the app is synthesized.
import { buildSync } from 'esbuild';

/** The widget as one browser script. */
export interface WidgetBundle {
  /** The script: an IIFE that defines `SupportChatWidget.mount(element, options)`; the libraries' licence comments kept at its end. */
  readonly js: string;
  /** The name to serve it under. */
  readonly fileName: string;
  /** Its size in UTF-8 bytes, and gzipped (level 9). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** SHA-256 of `js`, base64: for a Subresource Integrity attribute (`integrity="sha256-…"`) or a cache key. */
  readonly sha256: string;
}

/** The file name the bundle is served under. */
export const WIDGET_FILE_NAME = 'support-chat-widget.js';

/** The browsers the bundle is written for: those with shadow DOM, adopted style sheets, `crypto.randomUUID` and `:focus-visible`. */
export const WIDGET_TARGETS = ['chrome100', 'edge100', 'firefox101', 'safari16.4'];

let cached: WidgetBundle | undefined;

/**
 * Bundles the widget (`widget-entry.ts`, with marked and DOMPurify, nothing else at run time) with esbuild into one
 * minified script, in process and offline (some 100 ms, once per process). Deterministic: the same sources give the
 * same bytes.
 */
export function buildWidgetBundle(): WidgetBundle {
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [join(__dirname, 'widget-entry.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: WIDGET_TARGETS,
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text;
  cached = {
    js,
    fileName: WIDGET_FILE_NAME,
    bytes: Buffer.byteLength(js, 'utf8'),
    gzipBytes: gzipSync(js, { level: 9 }).length,
    sha256: createHash('sha256').update(js, 'utf8').digest('base64'),
  };
  return cached;
}
