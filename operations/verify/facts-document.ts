import type { Fact, FactKind } from './fact';

/**
 * The expected facts as one JSON document, so a run that has no assembly (the daily verification in Lambda) checks the
 * same facts `npx projen verify` computes from `cdk.out` and the config. Made by `factsDocument`
 * (`facts-of-assembly.ts`), written by `verify-facts-cli.ts`, published into the archive, read back by
 * `parseFactsDocument`, which refuses anything it would not check faithfully. This file imports nothing but types, so
 * the daily function's bundle carries no CDK or config code.
 */

export const FACTS_SCHEMA = 'genai-governance/verify-facts/v1';

export interface FactsDocument {
  readonly schema: typeof FACTS_SCHEMA;
  /** The assembly the facts were computed from, as given (for the record). */
  readonly assembly: string;
  /** The Region STS is called in. */
  readonly homeRegion: string;
  /** Control ids of the catalog (to tell whose statements of a policy are whose). */
  readonly controlIds: readonly string[];
  readonly facts: readonly Fact[];
}

/** Every kind this code reads: a kind added to `FactKind` must be added here (the type demands it). */
const KNOWN_KINDS: Readonly<Record<FactKind, true>> = {
  'org-policy-statements': true,
  'org-policy-targets': true,
  'trail-settings': true,
  'trail-logging': true,
  'trail-event-selectors': true,
  'bucket-object-lock': true,
  'alarm': true,
  'contract-parameter': true,
  'glue-table-projection': true,
  'lf-tag': true,
  'lf-tag-association': true,
  'lf-grant': true,
  'lf-data-lake-settings': true,
  'invocation-logging': true,
  'macie-administrator': true,
  'macie-organization': true,
  'macie-classification-job': true,
  'guardrail': true,
  'security-hub-standard': true,
  'config-recorder': true,
  'conformance-pack': true,
};

/** Facts documents larger than this are refused (the example's is far below; Lambda holds it in memory). */
export const FACTS_MAX_BYTES = 20 * 1024 * 1024;

const REGION = /^([a-z]{2}(-[a-z]+)+-\d|global)$/;

function fail(what: string): never {
  throw new Error(`expected facts: ${what}`);
}

/** Parses and checks a facts document; throws with what is wrong (nothing is checked from a document that fails). */
export function parseFactsDocument(text: string): FactsDocument {
  if (Buffer.byteLength(text, 'utf8') > FACTS_MAX_BYTES) fail(`larger than ${FACTS_MAX_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`not JSON: ${(e as Error).message}`);
  }
  const doc = value as Partial<FactsDocument> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('not a JSON object');
  if (doc.schema !== FACTS_SCHEMA) fail(`schema must be ${FACTS_SCHEMA}, not ${JSON.stringify(doc.schema)}`);
  if (typeof doc.assembly !== 'string') fail('assembly must be a string');
  if (typeof doc.homeRegion !== 'string' || !REGION.test(doc.homeRegion) || doc.homeRegion === 'global') fail(`homeRegion must be a Region, not ${JSON.stringify(doc.homeRegion)}`);
  if (!Array.isArray(doc.controlIds) || !doc.controlIds.every((c) => typeof c === 'string' && c.length > 0)) fail('controlIds must be a list of control ids');
  if (!Array.isArray(doc.facts) || doc.facts.length === 0) fail('facts must be a non-empty list');
  doc.facts.forEach((f: Partial<Fact>, i) => {
    const at = `facts[${i}]`;
    if (!f || typeof f !== 'object') fail(`${at} is not an object`);
    for (const key of ['control', 'subject', 'call'] as const) if (typeof f[key] !== 'string' || f[key] === '') fail(`${at}.${key} must be a non-empty string`);
    if (typeof f.account !== 'string' || !/^\d{12}$/.test(f.account)) fail(`${at}.account must be 12 digits, not ${JSON.stringify(f.account)}`);
    if (typeof f.region !== 'string' || !REGION.test(f.region)) fail(`${at}.region must be a Region or global, not ${JSON.stringify(f.region)}`);
    if (typeof f.clientRegion !== 'string' || !REGION.test(f.clientRegion) || f.clientRegion === 'global') fail(`${at}.clientRegion must be a Region, not ${JSON.stringify(f.clientRegion)}`);
    if (typeof f.kind !== 'string' || !Object.prototype.hasOwnProperty.call(KNOWN_KINDS, f.kind)) fail(`${at}.kind ${JSON.stringify(f.kind)} is not one this verifier reads`);
    if (!('expected' in f)) fail(`${at}.expected is missing`);
  });
  return doc as FactsDocument;
}
