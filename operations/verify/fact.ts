/**
 * An expected fact about the deployed estate: what one account × Region must hold for one control, computed from the
 * assembly and the config, and which reader checks it.
 */

/** The readers, one per kind of fact (`readers.ts`). */
export type FactKind =
  | 'org-policy-statements'
  | 'org-policy-targets'
  | 'trail-settings'
  | 'trail-logging'
  | 'trail-event-selectors'
  | 'bucket-object-lock'
  | 'alarm'
  | 'contract-parameter'
  | 'glue-table-projection'
  | 'lf-tag'
  | 'lf-tag-association'
  | 'lf-grant'
  | 'lf-data-lake-settings'
  | 'invocation-logging'
  | 'macie-administrator'
  | 'macie-organization'
  | 'macie-classification-job'
  | 'guardrail'
  | 'security-hub-standard'
  | 'config-recorder'
  | 'conformance-pack';

/** Where Organizations facts are reported: the organization, not a Region. */
export const GLOBAL_REGION = 'global';

export interface Fact {
  /** Control id of docs/controls.md (`CT-1`, `ORG-REGION-1`, …). */
  readonly control: string;
  /** The account read (the assumed verifier role's account). */
  readonly account: string;
  /** The Region read, or `global` for Organizations. */
  readonly region: string;
  readonly kind: FactKind;
  /** What is read: a policy, trail, bucket, alarm, parameter, table or tag name. */
  readonly subject: string;
  /** The API call that reads it, as `service:Action subject`. */
  readonly call: string;
  /** The expected value, in the shape the reader returns what it finds. */
  readonly expected: unknown;
  /** The Region the SDK client calls (a global service's endpoint Region). */
  readonly clientRegion: string;
}

/** JSON with object keys sorted, so equal values compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : v));
}

/** Whether a template value is a literal (no `Ref` or `Fn::*` anywhere in it). */
export function isLiteral(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isLiteral);
  return Object.entries(value).every(([k, v]) => k !== 'Ref' && !k.startsWith('Fn::') && isLiteral(v));
}
