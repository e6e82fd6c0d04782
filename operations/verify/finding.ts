/**
 * The verification report: one finding per expected fact, and its schema (docs/verification.md documents it).
 */
import type { AwsManagedObservation } from './read-detective';

/** `pass`: found as expected; `drift`: found otherwise (or not found); `unreadable`: the account or the call could not be read. */
export type FindingStatus = 'pass' | 'drift' | 'unreadable';

export interface Finding {
  readonly control: string;
  readonly account: string;
  /** The Region read, or `global` (Organizations). */
  readonly region: string;
  readonly status: FindingStatus;
  /** What was read: a policy, trail, bucket, alarm, parameter, table or tag name. */
  readonly subject: string;
  readonly expected: unknown;
  /** What the call found (null: not there); for `unreadable`, the error's name and message. */
  readonly found: unknown;
  /** The API call that read it, `service:Action subject`. */
  readonly call: string;
}

/** The report's schema id; a change of the finding's fields changes it. */
export const REPORT_SCHEMA = 'genai-governance/verify-report/v1';

export interface VerifyReport {
  readonly schema: typeof REPORT_SCHEMA;
  /** The assembly the facts came from. */
  readonly assembly: string;
  /** The endpoint read (`--endpoint-url`), when not AWS's. */
  readonly endpoint: string | null;
  readonly summary: Readonly<Record<FindingStatus, number>>;
  /** Sorted by control, account, Region, subject, call. */
  readonly findings: readonly Finding[];
  /**
   * What AWS's own detective controls found (Security Hub's AI standard, the Bedrock conformance pack), by account and
   * Region, gathered while their facts were read; present only when the facts include them. Not findings of this
   * verifier: a failed AWS control is AWS's finding about a resource, never a drift.
   */
  readonly awsManaged?: readonly AwsManagedObservation[];
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.control, f.account, f.region, f.subject, f.call].join('\u0000');
  return [...findings].sort((a, b) => key(a).localeCompare(key(b)));
}

export function summarize(findings: readonly Finding[]): Record<FindingStatus, number> {
  const summary: Record<FindingStatus, number> = { pass: 0, drift: 0, unreadable: 0 };
  for (const f of findings) summary[f.status]++;
  return summary;
}
