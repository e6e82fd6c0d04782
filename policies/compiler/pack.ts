import { minify, policyDocument, type PolicyStatement } from '../policy-document';

/** Characters a statement adds to a minified document (its JSON plus the separating comma). */
export function statementCharacters(statement: PolicyStatement): number {
  return JSON.stringify(statement).length + 1;
}

/** Characters of a minified document holding no statement: `{"Version":"2012-10-17","Statement":[]}`. */
const EMPTY_DOCUMENT = minify(policyDocument([])).length;

export interface PackedStatements {
  readonly documents: PolicyStatement[][];
  /** Statements too large for a document of their own. */
  readonly oversized: PolicyStatement[];
}

/**
 * Packs statements into as few documents as possible, each at most `limit` characters when minified: first-fit
 * decreasing (at most 11/9 of the optimum plus one), then each document's statements back in their original order so
 * the output is stable and readable. Returns the statements that cannot fit even alone under `oversized`.
 */
export function packStatements(statements: readonly PolicyStatement[], limit: number): PackedStatements {
  const order = new Map(statements.map((s, i) => [s, i]));
  const oversized = statements.filter((s) => EMPTY_DOCUMENT + statementCharacters(s) - 1 > limit);
  const bins: { statements: PolicyStatement[]; size: number }[] = [];
  const bySizeDescending = statements.filter((s) => !oversized.includes(s))
    .sort((a, b) => statementCharacters(b) - statementCharacters(a) || order.get(a)! - order.get(b)!);
  for (const statement of bySizeDescending) {
    const size = statementCharacters(statement);
    const bin = bins.find((b) => b.size + size <= limit);
    if (bin) {
      bin.statements.push(statement);
      bin.size += size;
    } else {
      bins.push({ statements: [statement], size: EMPTY_DOCUMENT - 1 + size });
    }
  }
  const documents = bins.map((b) => b.statements.sort((x, y) => order.get(x)! - order.get(y)!))
    .sort((x, y) => order.get(x[0])! - order.get(y[0])!);
  return { documents, oversized };
}
