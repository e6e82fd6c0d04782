import type { MetadataValue } from './knowledge-corpus';

/*
 * Retrieve's metadata filter (`RetrievalFilter`, a union: exactly one operator per object), checked and evaluated as the
 * API reference describes it (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_RetrievalFilter.html):
 * `equals`, `notEquals`, `greaterThan`, `greaterThanOrEquals`, `lessThan`, `lessThanOrEquals`, `in`, `notIn`,
 * `startsWith`, `listContains`, `stringContains` on a `{key, value}` attribute, and `andAll` / `orAll` over 2 to 5
 * filters. What the reference leaves open is assumed here: a document without the key matches no comparison (not even
 * `notEquals`/`notIn`); `in`/`notIn` take a list; `stringContains` on a list attribute looks into each member.
 */

const COMPARISONS = [
  'equals', 'notEquals', 'greaterThan', 'greaterThanOrEquals', 'lessThan', 'lessThanOrEquals', 'in', 'notIn',
  'startsWith', 'listContains', 'stringContains',
] as const;
const LOGICAL = ['andAll', 'orAll'] as const;
const OPERATORS: readonly string[] = [...COMPARISONS, ...LOGICAL];

/** Filters of `andAll` and `orAll`: at least 2, at most 5 (the API reference's array bounds). */
const LIST_MIN = 2;
const LIST_MAX = 5;

/** A checked filter. */
export type RetrievalFilter =
  | { readonly op: typeof COMPARISONS[number]; readonly key: string; readonly value: unknown }
  | { readonly op: 'andAll'; readonly filters: readonly RetrievalFilter[] }
  | { readonly op: 'orAll'; readonly filters: readonly RetrievalFilter[] };

/** The filter of a request body, or the `ValidationException` message that refuses it. */
export function parseFilter(raw: unknown, path = 'filter'): RetrievalFilter | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `${path} must be an object`;
  const keys = Object.keys(raw);
  if (keys.length !== 1) return `${path} must set exactly one operator, not ${keys.length}`;
  const op = keys[0];
  if (!OPERATORS.includes(op)) return `${path}.${op} is not a filter operator`;
  const operand = (raw as Record<string, unknown>)[op];
  if (op === 'andAll' || op === 'orAll') {
    if (!Array.isArray(operand) || operand.length < LIST_MIN || operand.length > LIST_MAX) {
      return `${path}.${op} must be a list of ${LIST_MIN} to ${LIST_MAX} filters`;
    }
    const filters: RetrievalFilter[] = [];
    for (const [i, member] of operand.entries()) {
      const parsed = parseFilter(member, `${path}.${op}[${i}]`);
      if (typeof parsed === 'string') return parsed;
      filters.push(parsed);
    }
    return { op, filters };
  }
  if (typeof operand !== 'object' || operand === null) return `${path}.${op} must be {key, value}`;
  const { key, value } = operand as { key?: unknown; value?: unknown };
  if (typeof key !== 'string' || key.length === 0 || key.length > 100) return `${path}.${op}.key must be a string of 1 to 100 characters`;
  if (value === undefined) return `${path}.${op}.value is required`;
  if ((op === 'in' || op === 'notIn') && !Array.isArray(value)) return `${path}.${op}.value must be a list`;
  if (op.startsWith('greater') || op.startsWith('less')) {
    if (typeof value !== 'number') return `${path}.${op}.value must be a number`;
  }
  if ((op === 'startsWith' || op === 'stringContains') && typeof value !== 'string') return `${path}.${op}.value must be a string`;
  return { op: op as typeof COMPARISONS[number], key, value };
}

/** Whether a document's metadata passes the filter. */
export function matchesFilter(filter: RetrievalFilter, metadata: Readonly<Record<string, MetadataValue>>): boolean {
  if (filter.op === 'andAll') return filter.filters.every((f) => matchesFilter(f, metadata));
  if (filter.op === 'orAll') return filter.filters.some((f) => matchesFilter(f, metadata));
  if (!Object.prototype.hasOwnProperty.call(metadata, filter.key)) return false;
  const actual = metadata[filter.key];
  const value = filter.value;
  switch (filter.op) {
    case 'equals': return sameValue(actual, value);
    case 'notEquals': return !sameValue(actual, value);
    case 'greaterThan': return typeof actual === 'number' && actual > (value as number);
    case 'greaterThanOrEquals': return typeof actual === 'number' && actual >= (value as number);
    case 'lessThan': return typeof actual === 'number' && actual < (value as number);
    case 'lessThanOrEquals': return typeof actual === 'number' && actual <= (value as number);
    case 'in': return (value as unknown[]).some((v) => sameValue(actual, v));
    case 'notIn': return !(value as unknown[]).some((v) => sameValue(actual, v));
    case 'startsWith': return typeof actual === 'string' && actual.startsWith(value as string);
    case 'listContains': return Array.isArray(actual) && actual.some((v) => sameValue(v, value));
    case 'stringContains':
      return typeof actual === 'string' ? actual.includes(value as string) : Array.isArray(actual) && actual.some((v) => v.includes(value as string));
  }
}

function sameValue(actual: unknown, value: unknown): boolean {
  if (Array.isArray(actual) || Array.isArray(value)) {
    return Array.isArray(actual) && Array.isArray(value) && actual.length === value.length && actual.every((v, i) => v === value[i]);
  }
  return actual === value;
}
