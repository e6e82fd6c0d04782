import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, describeFound, type ConfigIssue, type ConfigPath } from './config-error';
import { didYouMean } from './did-you-mean';
import { GovernanceConfigSchema, type GovernanceConfig } from './schema';
import { checkSemantics } from './semantics';

/** The example organization, used when no other file is selected. */
export const DEFAULT_CONFIG_FILE = join(__dirname, 'governance.yaml');
/** Environment variable that selects another config file (the CDK context key `config` wins over it). */
export const CONFIG_ENV_VAR = 'GOVERNANCE_CONFIG';
/** CDK context key that selects another config file: `cdk synth -c config=<path>`. */
export const CONFIG_CONTEXT_KEY = 'config';

/**
 * Which config file to load: the `config` context value, else `$GOVERNANCE_CONFIG`, else the example organization.
 * Relative paths resolve against the working directory.
 */
export function resolveConfigFile(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = contextValue ?? env[CONFIG_ENV_VAR];
  if (chosen === undefined || chosen === '') return DEFAULT_CONFIG_FILE;
  if (typeof chosen !== 'string') {
    throw new ConfigError(`-c ${CONFIG_CONTEXT_KEY}`, [{ path: [], expected: 'a file path', found: describeFound(chosen) }]);
  }
  return resolve(chosen);
}

/** Reads, parses and validates a config file. Throws `ConfigError` listing every issue; returns nothing half-checked. */
export function loadConfigFile(file: string): GovernanceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: [], expected: 'a readable YAML file', found: (e as Error).message }]);
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

  const parsed = GovernanceConfigSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.flatMap((issue) => describeZodIssue(issue, data).map(({ key, ...i }) => locate(i, key))));
  }
  const semantic = checkSemantics(parsed.data);
  if (semantic.length > 0) throw new ConfigError(file, semantic.map((i) => locate(i)));
  return parsed.data;
}

type ZodIssue = z.core.$ZodIssue;

function describeZodIssue(issue: ZodIssue, data: unknown): (Omit<ConfigIssue, 'line' | 'column'> & { key?: string })[] {
  const path = issue.path as ConfigPath;
  const found = describeFound(valueAt(data, path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, allowed);
        return {
          path: [...path, key],
          key,
          expected: `one of the keys ${allowed.join(', ')}`,
          found: `unknown key "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
        };
      });
    }
    case 'invalid_type':
      return [{ path, expected: `${TYPE_WORDS[issue.expected] ?? issue.expected}${valueAt(data, path) === undefined ? ' (required)' : ''}`, found }];
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
    case 'too_big':
      return [{ path, expected: describeBound(issue), found }];
    default:
      return [{ path, expected: issue.message, found }];
  }
}

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

/** The keys the schema allows in the mapping at `path` (for did-you-mean). */
function allowedKeysAt(path: ConfigPath): string[] {
  let schema: z.core.$ZodType | undefined = GovernanceConfigSchema;
  const unwrap = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as { innerType?: z.core.$ZodType };
    return def.innerType ? unwrap(def.innerType) : s;
  };
  for (const seg of path) {
    if (!schema) return [];
    const def = unwrap(schema)._zod.def as { element?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
    schema = typeof seg === 'number' ? def.element : def.shape?.[seg];
  }
  const def = schema && (unwrap(schema)._zod.def as { shape?: Record<string, unknown> });
  return def?.shape ? Object.keys(def.shape) : [];
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
