/** A path into the config document, as zod reports it: keys and array indexes. */
export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a config file. */
export interface ConfigIssue {
  /** Where in the document, e.g. `['accounts', 1, 'id']`. Empty for the document itself. */
  readonly path: ConfigPath;
  /** What the schema expected there, in words (`a 12-digit AWS account id`). */
  readonly expected: string;
  /** What the file holds there, in words (`"12345"`, `nothing: the key is missing`). */
  readonly found: string;
  /** An extra hint, e.g. a did-you-mean suggestion. */
  readonly hint?: string;
  /** 1-based line and column of the offending node, when the parser can tell. */
  readonly line?: number;
  readonly column?: number;
}

/** `accounts[1].id`; `(document)` for the root. */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Thrown when a config file cannot be used. Its message lists every issue as
 * `file:line:column  path  expected …; found …`, so editors and CI logs can link to the spot.
 */
export class ConfigError extends Error {
  constructor(public readonly file: string, public readonly issues: readonly ConfigIssue[]) {
    super(
      [`Invalid governance config ${file}: ${issues.length} issue${issues.length === 1 ? '' : 's'}`]
        .concat(issues.map((i) => {
          const where = i.line === undefined ? file : `${file}:${i.line}:${i.column ?? 1}`;
          return `  ${where}  ${formatPath(i.path)}  expected ${i.expected}; found ${i.found}${i.hint ? ` (${i.hint})` : ''}`;
        }))
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** A short, readable rendering of a value found in the document. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing: the key is missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return `a mapping with keys ${Object.keys(value).join(', ') || '(none)'}`;
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
