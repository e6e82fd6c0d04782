import {
  DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand, DescribeOrganizationConformancePackStatusesCommand,
  paginateGetOrganizationConformancePackDetailedStatus,
} from '@aws-sdk/client-config-service';
import { paginateGetEnabledStandards, paginateGetFindings } from '@aws-sdk/client-securityhub';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';

/**
 * DET-SH-1 and DET-CFG-1 readers, and what they gather of AWS's own findings for the report's "AWS-managed detective
 * controls" section (`AwsManagedObservation`).
 */

/** What AWS's own checks found in one account × Region: counts by compliance status, never a drift of this verifier. */
export type AwsManagedObservation = SecurityHubObservation | ConformancePackObservation;

export interface SecurityHubObservation {
  readonly source: 'security-hub';
  readonly account: string;
  readonly region: string;
  /** The standard whose control findings are counted. */
  readonly standardsArn: string;
  readonly call: string;
  /** Active control findings of the standard by `Compliance.Status` (PASSED, FAILED, WARNING, NOT_AVAILABLE). */
  readonly counts?: Readonly<Record<string, number>>;
  /** The controls (`Compliance.SecurityControlId`) with a FAILED finding, sorted. */
  readonly failedControls?: readonly string[];
  readonly error?: { readonly error: string; readonly message: string };
}

export interface ConformancePackObservation {
  readonly source: 'config-conformance';
  readonly account: string;
  readonly region: string;
  readonly pack: string;
  readonly call: string;
  /** The pack's deployment in each account (Config's per-account status, e.g. CREATE_SUCCESSFUL, CREATE_FAILED). */
  readonly accounts?: readonly { readonly account: string; readonly status: string }[];
  readonly error?: { readonly error: string; readonly message: string };
}

function errorOf(e: unknown): { error: string; message: string } {
  const error = e as Error;
  return { error: error.name ?? 'Error', message: String(error.message ?? e).slice(0, 500) };
}

/** The standard's findings are read only from this prefix of its ARN (`standards/<name>/v/<version>`), as `Compliance.AssociatedStandards` names it. */
export function standardsIdOf(standardsArn: string): string {
  return standardsArn.replace(/^arn:[^:]+:securityhub:[^:]*::/, '');
}

/** Counts a page of control findings (ASFF) by compliance status and collects the failed controls. */
type ControlFinding = { Compliance?: { Status?: string; SecurityControlId?: string } };

export function countFindings(findings: readonly ControlFinding[]): { counts: Record<string, number>; failedControls: string[] } {
  const counts: Record<string, number> = {};
  const failed = new Set<string>();
  for (const f of findings) {
    const status = f.Compliance?.Status ?? 'NOT_AVAILABLE';
    counts[status] = (counts[status] ?? 0) + 1;
    if (status === 'FAILED' && f.Compliance?.SecurityControlId) failed.add(f.Compliance.SecurityControlId);
  }
  return { counts, failedControls: [...failed].sort() };
}

async function securityHubObservation(session: AccountSession, standardsArn: string): Promise<SecurityHubObservation> {
  const call = `securityhub:GetFindings ComplianceAssociatedStandardsId=${standardsIdOf(standardsArn)}`;
  const base = { source: 'security-hub' as const, account: session.account, region: session.region, standardsArn, call };
  try {
    const findings: ControlFinding[] = [];
    const filters = {
      ComplianceAssociatedStandardsId: [{ Value: standardsIdOf(standardsArn), Comparison: 'EQUALS' as const }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }],
      AwsAccountId: [{ Value: session.account, Comparison: 'EQUALS' as const }],
    };
    for await (const page of paginateGetFindings({ client: session.securityhub }, { Filters: filters, MaxResults: 100 })) {
      findings.push(...page.Findings ?? []);
    }
    return { ...base, ...countFindings(findings) };
  } catch (e) {
    return { ...base, error: errorOf(e) };
  }
}

/** DET-SH-1: the standard's subscription in this account × Region, or null; and the standard's findings here. */
export async function readSecurityHubStandard(
  session: AccountSession, fact: Fact, observe: (o: AwsManagedObservation) => void,
): Promise<unknown> {
  const wanted = (fact.expected as { standardsArn: string }).standardsArn;
  let found: { standardsArn: string; standardsStatus: string } | null = null;
  for await (const page of paginateGetEnabledStandards({ client: session.securityhub }, {})) {
    const subscription = (page.StandardsSubscriptions ?? []).find((s) => s.StandardsArn === wanted);
    if (subscription) found = { standardsArn: String(subscription.StandardsArn), standardsStatus: String(subscription.StandardsStatus) };
  }
  if (found) observe(await securityHubObservation(session, wanted));
  return found;
}

/** DET-CFG-1: the recorder by name (its resource types and whether it records), or null when there is none. */
export async function readConfigRecorder(session: AccountSession, fact: Fact): Promise<unknown> {
  const name = fact.subject;
  const [recorders, statuses] = await Promise.all([
    session.config.send(new DescribeConfigurationRecordersCommand({})),
    session.config.send(new DescribeConfigurationRecorderStatusCommand({})),
  ]);
  const recorder = (recorders.ConfigurationRecorders ?? []).find((r) => r.name === name);
  if (!recorder) return null;
  const status = (statuses.ConfigurationRecordersStatus ?? []).find((s) => s.name === name);
  return { name, resourceTypes: [...recorder.recordingGroup?.resourceTypes ?? []].sort(), recording: status?.recording === true };
}

/** DET-CFG-1: the organization conformance pack's status (deployed: CREATE_ or UPDATE_SUCCESSFUL), or null; its status per account. */
export async function readConformancePack(
  session: AccountSession, fact: Fact, observe: (o: AwsManagedObservation) => void,
): Promise<unknown> {
  const name = fact.subject;
  let status: string | undefined;
  try {
    const answer = await session.config.send(new DescribeOrganizationConformancePackStatusesCommand({ OrganizationConformancePackNames: [name] }));
    status = answer.OrganizationConformancePackStatuses?.find((s) => s.OrganizationConformancePackName === name)?.Status;
  } catch (e) {
    if ((e as Error).name === 'NoSuchOrganizationConformancePackException') return null;
    throw e;
  }
  if (status === undefined) return null;
  const call = `config:GetOrganizationConformancePackDetailedStatus ${name}`;
  const base = { source: 'config-conformance' as const, account: session.account, region: session.region, pack: name, call };
  try {
    const accounts: { account: string; status: string }[] = [];
    const pages = paginateGetOrganizationConformancePackDetailedStatus({ client: session.config }, { OrganizationConformancePackName: name });
    for await (const page of pages) {
      for (const s of page.OrganizationConformancePackDetailedStatuses ?? []) {
        accounts.push({ account: String(s.AccountId), status: String(s.Status) });
      }
    }
    observe({ ...base, accounts: accounts.sort((a, b) => a.account.localeCompare(b.account)) });
  } catch (e) {
    observe({ ...base, error: errorOf(e) });
  }
  const deployed = status === 'CREATE_SUCCESSFUL' || status === 'UPDATE_SUCCESSFUL';
  return deployed ? { name, deployed } : { name, deployed, status };
}
