import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/*
 * What a Markdown page of the repository points at: relative links (`[text](../docs/x.md#anchor)`) and repository
 * paths in code spans (`workloads/support-chat/chat/handlers/turn.ts`), so a test can check that each still exists
 * after files move. Fenced code blocks are skipped (commands, diagrams, sample output).
 */

/** Folders never searched for pages: dependencies, tool state and generated output. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'cdk.out', 'test-reports', 'bench-out', 'coverage']);

/**
 * Code spans that name generated output or a placeholder rather than a file of the repository: written by a command
 * (`cdk.out/`, `bench-out/chat.json`), made by the set-up (`.venv`), or a pattern (`<name>`, `*`, `…`).
 */
const GENERATED_OR_PLACEHOLDER = /^(cdk\.out|bench-out|test-reports|node_modules|\.venv|coverage)(\/|$)|[<>*{}…]|\.\.\.|\$/;

/** Bare file names prose mentions that are written by a tool, never kept in the repository. */
const WRITTEN_BY_TOOLS = new Set([
  'index.js', // the handler file of a Lambda bundle, written at synth
  'validation-report.json', // the CDK policy-validation report, written into the cloud assembly
]);

/** A code span that reads as a file or folder path: segments of word characters, dots and dashes, joined by `/`. */
const PATH_LIKE = /^\.{0,2}\/?[\w.-]+(\/[\w.-]+)*\/?$/;

/** File extensions that make a code span without a known first folder a path (`handlers/turn.ts`, `relay-core.ts`). */
const FILE_EXTENSION = /\.(ts|js|mjs|py|md|ya?ml|json|sql|sh|png|txt)$/;

/** One reference of a page. */
export interface DocReference {
  /** `link` for `[text](target)`, `code` for a code span. */
  readonly kind: 'link' | 'code';
  /** The link target or the code span's text, as written. */
  readonly target: string;
  /** 1-based line. */
  readonly line: number;
}

/** Every Markdown page under `root`, relative to it, sorted; hidden folders and `SKIPPED_FOLDERS` are not searched. */
export function markdownPages(root: string): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('cdk.out')) walk(rel);
      } else if (entry.name.endsWith('.md')) {
        pages.push(rel);
      }
    }
  };
  walk('');
  return pages.sort();
}

/** The lines of a page outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): Array<{ readonly text: string; readonly line: number }> {
  const lines: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence === undefined && opening) {
      fence = opening[1];
    } else if (fence !== undefined) {
      if (raw.trim().startsWith(fence)) fence = undefined;
    } else {
      lines.push({ text: raw, line: i + 1 });
    }
  });
  return lines;
}

/** A page with the lines of its fenced code blocks emptied, so offsets and line numbers stay those of the page. */
function proseText(text: string): string {
  const prose = new Set(proseLines(text).map((l) => l.line));
  return text.split('\n').map((line, i) => (prose.has(i + 1) ? line : '')).join('\n');
}

/**
 * A code span: a run of backticks, then text that may wrap onto the next lines of its paragraph (not across a blank
 * line), then the same run of backticks.
 */
const CODE_SPAN = /(`+)((?:[^`\n]|\n(?![ \t]*\n))+?)\1/g;

/** The relative links and code spans of a page's prose. */
export function referencesOf(text: string): DocReference[] {
  const prose = proseText(text);
  const lineAt = (offset: number) => prose.slice(0, offset).split('\n').length;
  const references: DocReference[] = [];
  // Each span is blanked to spaces of its length (newlines kept), so a link's offset is still the page's.
  const withoutSpans = prose.replace(CODE_SPAN, (all: string, _ticks: string, code: string, offset: number) => {
    references.push({ kind: 'code', target: code.replace(/\s+/g, ' ').trim(), line: lineAt(offset) });
    return all.replace(/[^\n]/g, ' ');
  });
  for (const match of withoutSpans.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) references.push({ kind: 'link', target, line: lineAt(match.index ?? 0) });
  }
  return references.sort((a, b) => a.line - b.line);
}

/**
 * The anchors GitHub gives a page's headings (lower case; punctuation other than `-` and `_` dropped; each space a
 * `-`; a repeated heading gets `-1`, `-2`, …), and any explicit `id` or `name` attributes.
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const words = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
      const base = words.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const attribute of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(attribute[1]);
  }
  return anchors;
}

/**
 * Whether a code span should name a file of the repository: it looks like a path, is not generated output or a
 * placeholder, and either starts with a top-level entry of the repository or ends with a file extension. Package names
 * (`aws-cdk-lib/assertions`, `@aws-sdk/client-appconfig`), SSM parameter names (`/genai-governance/...`) and the like
 * are not.
 */
export function isRepositoryPath(code: string, topLevel: ReadonlySet<string>): boolean {
  if (!PATH_LIKE.test(code) || GENERATED_OR_PLACEHOLDER.test(code) || code.startsWith('/') || WRITTEN_BY_TOOLS.has(code)) return false;
  const first = code.replace(/^\.\//, '').split('/')[0];
  if (topLevel.has(first)) return true;
  // `.sql`: an extension, not a file.
  if (/^\.\w+$/.test(code)) return false;
  return FILE_EXTENSION.test(code);
}

/** Checks one page's references against the files under `root`; returns a line per reference that points nowhere. */
export function brokenReferences(root: string, page: string): string[] {
  const text = readFileSync(path.join(root, page), 'utf8');
  const dir = path.dirname(page);
  const topLevel = new Set(readdirSync(root));
  // A bare file name (`relay-core.ts`) is looked for under the page's folder and the tests mirroring it (`test/<folder>`);
  // from a top-level page or docs/, anywhere.
  const anywhere = dir === '.' || dir === 'docs' || dir.startsWith('docs/');
  const scopes = anywhere ? [root] : [path.join(root, dir), path.join(root, 'test', dir)];
  const named = (name: string) => scopes.some((scope) => fileBasenames(scope).has(name));
  const broken: string[] = [];
  for (const ref of referencesOf(text)) {
    if (ref.kind === 'link') {
      const [file, anchor] = splitAnchor(ref.target);
      const target = file === '' ? page : path.normalize(path.join(dir, decodeURIComponent(file)));
      if (!existsSync(path.join(root, target))) {
        broken.push(`${page}:${ref.line}: link ${ref.target}: ${target} does not exist`);
      } else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(path.join(root, target), 'utf8')).has(anchor)) {
        broken.push(`${page}:${ref.line}: link ${ref.target}: ${target} has no heading #${anchor}`);
      }
    } else if (isRepositoryPath(ref.target, topLevel)) {
      const candidate = ref.target.replace(/\/$/, '');
      const found = existsSync(path.join(root, candidate))
        || existsSync(path.join(root, dir, candidate))
        || (!candidate.includes('/') && named(candidate));
      if (!found) {
        const where = candidate.includes('/') ? '' : `, nor the name of a file under ${anywhere ? 'the repository' : `${dir}/ or test/${dir}/`}`;
        broken.push(`${page}:${ref.line}: \`${ref.target}\` is neither under the repository root nor under ${dir}/${where}`);
      }
    }
  }
  return broken;
}

function splitAnchor(target: string): [string, string | undefined] {
  const hash = target.indexOf('#');
  return hash < 0 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}

const basenameCache = new Map<string, Set<string>>();

/** The names of every file under `root` outside hidden and skipped folders. */
function fileBasenames(root: string): Set<string> {
  if (!existsSync(root)) return new Set();
  const cached = basenameCache.get(root);
  if (cached) return cached;
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.') && entry !== '.projenrc.ts') continue;
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry) && !entry.startsWith('cdk.out')) walk(full);
      } else {
        names.add(entry);
      }
    }
  };
  walk(root);
  basenameCache.set(root, names);
  return names;
}
