/** IAM policy grammar as Organizations policies use it (`Principal` only in RCPs, always `*`). */
export type ConditionBlock = Record<string, Record<string, string | readonly string[]>>;

export interface PolicyStatement {
  /** Stable statement id (alphanumeric), so diffs of the compiled policy stay readable. */
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Only in resource policies: `*` in resource control policies and the guardrail's policy. */
  readonly Principal?: '*';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A policy document from statements. */
export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** The document as Organizations stores it and counts it: JSON without insignificant whitespace. */
export function minify(document: PolicyDocument): string {
  return JSON.stringify(document);
}
