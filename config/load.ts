import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, describeFound, type ConfigIssue, type ConfigPath } from './config-error';
import { didYouMean } from './did-you-mean';
import { ACCOUNT_ID_PATTERN, GovernanceConfigSchema, type GovernanceConfig } from './schema';
import { checkSemantics } from './semantics';

/** The example organization, used when no other file is selected. */
export const DEFAULT_CONFIG_FILE = join(__dirname, 'governance.yaml');
/** Environment variable that selects another config file (the CDK context key `config` wins over it). */
export const CONFIG_ENV_VAR = 'GOVERNANCE_CONFIG';
/** CDK context key that selects another config file: `cdk synth -c config=<path>`. */
export const CONFIG_CONTEXT_KEY = 'config';

/** Which config file the app uses, and what chose it (for messages and the summary). */
export interface ConfigSelection {
  /** Absolute path of the file. */
  readonly file: string;
  /** What chose it: the CDK context key `config`, the environment variable, or nothing (the example organization). */
  readonly source: 'context' | 'environment' | 'default';
  /** The path as given, before it was resolved against the working directory. */
  readonly given?: string;
  /** `$GOVERNANCE_CONFIG` when it was set but the context value won over it. */
  readonly ignoredEnv?: string;
}

/**
 * Which config file to load, in this order:
 *
 * 1. the CDK context value `config`: `npx projen synth -c config=<path>` (projen passes the arguments on to
 *    `cdk synth`) or `cdk synth -c config=<path>`;
 * 2. else the environment variable `GOVERNANCE_CONFIG`: `GOVERNANCE_CONFIG=<path> npx projen synth`;
 * 3. else the example organization, `config/governance.yaml`.
 *
 * When both 1 and 2 are given, the context value wins and the environment variable is ignored (the summary says so).
 * An empty value counts as not given. Relative paths resolve against the working directory (the project root under
 * `npx projen`). The file is not opened here: a path that does not exist fails in `loadConfigFile`, before synthesis.
 */
export function selectConfigFile(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): ConfigSelection {
  const fromEnv = env[CONFIG_ENV_VAR] || undefined;
  if (contextValue !== undefined && contextValue !== '') {
    if (typeof contextValue !== 'string') {
      throw new ConfigError(`-c ${CONFIG_CONTEXT_KEY}`, [{ path: [], expected: 'a file path', found: describeFound(contextValue) }]);
    }
    return { file: resolve(contextValue), source: 'context', given: contextValue, ignoredEnv: fromEnv };
  }
  if (fromEnv !== undefined) return { file: resolve(fromEnv), source: 'environment', given: fromEnv };
  return { file: DEFAULT_CONFIG_FILE, source: 'default' };
}

/** The selected file's path (see `selectConfigFile` for the order). */
export function resolveConfigFile(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): string {
  return selectConfigFile(contextValue, env).file;
}

/** How a selection came about, in words: `-c config=org.yaml`, `GOVERNANCE_CONFIG=org.yaml`, `the example organization`. */
export function describeSelection(selection: ConfigSelection): string {
  switch (selection.source) {
    case 'context':
      return `-c ${CONFIG_CONTEXT_KEY}=${selection.given}${selection.ignoredEnv !== undefined ? `; ${CONFIG_ENV_VAR}=${selection.ignoredEnv} ignored` : ''}`;
    case 'environment':
      return `${CONFIG_ENV_VAR}=${selection.given}`;
    default:
      return `the example organization; choose another with -c ${CONFIG_CONTEXT_KEY}=<path> or ${CONFIG_ENV_VAR}=<path>`;
  }
}

/**
 * Reads, parses and validates a config file. Throws `ConfigError` listing every issue; returns nothing half-checked.
 * `selection` (from `selectConfigFile`) only adds to the message for a file that cannot be read.
 */
export function loadConfigFile(file: string, selection?: ConfigSelection): GovernanceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const chosenBy = selection && selection.source !== 'default'
      ? `chosen by ${describeSelection(selection)}${isAbsolute(selection.given ?? '') ? '' : `, resolved against ${process.cwd()}`}`
      : undefined;
    throw new ConfigError(file, [{ path: [], expected: 'a readable YAML file', found: (e as Error).message, hint: chosenBy }]);
  }
  return parseConfig(text, file);
}

/** Parses and validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): GovernanceConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => ({
      path: [], expected: 'valid YAML', found: e.message.split('\n')[0], ...at(e.pos[0]),
    })));
  }
  const data: unknown = doc.toJS();
  const locate = (issue: Omit<ConfigIssue, 'line' | 'column'>, key?: string): ConfigIssue => {
    const node = findNode(doc.contents as Node | null, issue.path, key);
    return node?.range ? { ...issue, ...at(node.range[0]) } : issue;
  };

  /** The scalar at `path` as written in the file (`053069217446`, not the number YAML made of it). */
  const sourceAt = (path: ConfigPath): string | undefined => {
    const node = findNode(doc.contents as Node | null, path);
    return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
  };

  const parsed = GovernanceConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => describeZodIssue(issue, data, sourceAt).map(({ key, ...i }) => locate(i, key)));
    throw new ConfigError(file, issues);
  }
  const semantic = checkSemantics(parsed.data);
  if (semantic.length > 0) throw new ConfigError(file, semantic.map((i) => locate(i)));
  return parsed.data;
}

type ZodIssue = z.core.$ZodIssue;

function describeZodIssue(
  issue: ZodIssue, data: unknown, sourceAt: (path: ConfigPath) => string | undefined,
): (Omit<ConfigIssue, 'line' | 'column'> & { key?: string })[] {
  const path = issue.path as ConfigPath;
  const found = describeFound(valueAt(data, path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, allowed);
        const moved = path.length === 0 ? MOVED_KEYS[key] : undefined;
        return {
          path: [...path, key],
          key,
          expected: `one of the keys ${allowed.join(', ')}`,
          found: `unknown key "${key}"`,
          hint: moved ?? (suggestion ? `did you mean "${suggestion}"?` : undefined),
        };
      });
    }
    case 'invalid_type': {
      const value = valueAt(data, path);
      if (issue.expected === 'string' && typeof value === 'number' && isAccountIdField(path)) {
        return [accountIdReadAsNumber(path, value, sourceAt(path))];
      }
      return [{ path, expected: `${TYPE_WORDS[issue.expected] ?? issue.expected}${value === undefined ? ' (required)' : ''}`, found }];
    }
    case 'invalid_value': {
      const value = valueAt(data, path);
      const custom = !issue.message.startsWith('Invalid');
      const suggestion = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : undefined;
      return [{
        path,
        expected: custom ? issue.message : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        found,
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      }];
    }
    case 'too_small':
    case 'too_big': {
      // A bound with a message of its own (e.g. AWS's maximum for a quota) says why, after the bound.
      const custom = !issue.message.startsWith('Too ');
      return [{ path, expected: `${describeBound(issue)}${custom ? ` (${issue.message})` : ''}`, found }];
    }
    default:
      return [{ path, expected: issue.message, found }];
  }
}

/** Top-level keys of earlier versions, and where their settings live now. */
const MOVED_KEYS: Readonly<Record<string, string>> = {
  scpBudget: 'scpBudget moved to organization.limits: slotsPerTarget is now scpsPerTarget, reservedSlots is now reservedScpSlots',
};

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false',
};

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const limit = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
  switch (issue.origin) {
    case 'array': return `a list of ${limit} item(s)`;
    case 'string': return `a string of ${limit} character(s)`;
    case 'number': return `a number ${issue.code === 'too_small' ? '>=' : '<='} ${issue.code === 'too_small' ? issue.minimum : issue.maximum}`;
    default: return `${issue.origin} of ${limit}`;
  }
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * The schema of the value at `path`, without its optional/default wrappers and with a transform's input side (what
 * the file holds); undefined where the schema has none.
 */
function schemaAt(path: ConfigPath): z.core.$ZodType | undefined {
  const unwrap = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) return unwrap(def.innerType);
    return def.type === 'pipe' && def.in ? unwrap(def.in) : s;
  };
  let schema: z.core.$ZodType | undefined = unwrap(GovernanceConfigSchema);
  for (const seg of path) {
    if (!schema) return undefined;
    const def = schema._zod.def as { element?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
    const next: z.core.$ZodType | undefined = typeof seg === 'number' ? def.element : def.shape?.[seg];
    schema = next && unwrap(next);
  }
  return schema;
}

/** The keys the schema allows in the mapping at `path` (for did-you-mean). */
function allowedKeysAt(path: ConfigPath): string[] {
  const def = schemaAt(path)?._zod.def as { shape?: Record<string, unknown> } | undefined;
  return def?.shape ? Object.keys(def.shape) : [];
}

/** Whether the schema expects an AWS account id at `path` (a string checked against `ACCOUNT_ID_PATTERN`). */
function isAccountIdField(path: ConfigPath): boolean {
  const def = schemaAt(path)?._zod.def as { checks?: { _zod: { def: { pattern?: RegExp } } }[] } | undefined;
  return (def?.checks ?? []).some((c) => c._zod.def.pattern?.source === ACCOUNT_ID_PATTERN.source);
}

/**
 * An unquoted account id: YAML reads `053069217446` as the number 53069217446, so the leading zero is gone before the
 * schema sees it. Says so, and shows the quoted form (from the file's own digits when they are 12).
 */
function accountIdReadAsNumber(path: ConfigPath, value: number, source: string | undefined): Omit<ConfigIssue, 'line' | 'column'> {
  const written = source !== undefined && /^\d+$/.test(source) ? source : String(value);
  const zeros = written.length - written.replace(/^0+/, '').length;
  const key = String(path[path.length - 1]);
  return {
    path,
    expected: 'a 12-digit AWS account id as a quoted string',
    found: `number ${value}: YAML read the unquoted ${written} as a number${zeros > 0 ? ` and dropped the leading zero${zeros > 1 ? 's' : ''}` : ''}`,
    hint: written.length === 12 ? `quote it: ${key}: "${written}"` : `an account id has 12 digits: write all of them, quoted (${key}: "012345678901")`,
  };
}

/**
 * The YAML node at `path`, or the nearest existing ancestor (a missing key points at its parent mapping).
 * With `key`, the key node of that entry in the mapping at `path` (for unknown keys).
 */
function findNode(root: Node | null, path: ConfigPath, key?: string): Node | undefined {
  let node: Node | null = root;
  const segments = key === undefined ? path : path.slice(0, -1);
  for (const seg of segments) {
    let next: Node | null | undefined;
    if (isMap(node)) next = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg)?.value as Node | null;
    else if (isSeq(node) && typeof seg === 'number') next = node.items[seg] as Node | null;
    if (!next) return node ?? undefined;
    node = next;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair) return pair.key as Node;
  }
  return node ?? undefined;
}
