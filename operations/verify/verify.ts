import { AccountSession, VerifierCredentials, type SessionOptions } from './account-session';
import { canonical, type Fact } from './fact';
import { REPORT_SCHEMA, sortFindings, summarize, type Finding, type VerifyReport } from './finding';
import { readInvocationLogging } from './read-bedrock';
import { readConfigRecorder, readConformancePack, readSecurityHubStandard, type AwsManagedObservation } from './read-detective';
import { readGuardrail } from './read-guardrail';
import { readDataLakeSettings, readGrant, readTagAssociation } from './read-lake-formation';
import { readClassificationJob, readMacieAdministrators, readMacieOrganization } from './read-macie';
import { readPolicyStatements, readPolicyTargets } from './read-organizations';
import { readAlarm, readContractParameter, readLfTag, readObjectLock, readTableProjection } from './read-resources';
import { readTrailLogging, readTrailSelectors, readTrailSettings } from './read-trail';

/**
 * Checks every fact against the estate: the facts of one account × client Region share one session (the verifier
 * role's credentials, the clients, the cached answers) and are read one after another; at most `concurrency` sessions
 * read at once. A fact is `pass` only when what its call found equals what was expected; a call that fails (the role
 * cannot be assumed, access denied, throttled beyond the retries, a timeout) makes it `unreadable`, never `pass`.
 */

export interface VerifyOptions extends SessionOptions {
  /** The Region STS is called in. */
  readonly homeRegion: string;
  /** Control ids of the catalog (to tell which statements of a policy are whose). */
  readonly controlIds: readonly string[];
  /** Sessions read at once. @default 4 */
  readonly concurrency?: number;
  /** Written into the report. */
  readonly assembly: string;
}

async function readFact(
  session: AccountSession, fact: Fact, group: readonly Fact[], options: VerifyOptions, observe: (o: AwsManagedObservation) => void,
): Promise<unknown> {
  switch (fact.kind) {
    case 'org-policy-statements': return readPolicyStatements(session, fact, options.controlIds);
    case 'org-policy-targets': return readPolicyTargets(session, fact);
    case 'trail-settings': return readTrailSettings(session, fact);
    case 'trail-logging': return readTrailLogging(session, fact);
    case 'trail-event-selectors': return readTrailSelectors(session, fact);
    case 'bucket-object-lock': return readObjectLock(session, fact);
    case 'alarm': return readAlarm(session, fact);
    case 'contract-parameter':
      return readContractParameter(session, fact, group.filter((f) => f.kind === 'contract-parameter').map((f) => f.subject));
    case 'glue-table-projection': return readTableProjection(session, fact);
    case 'lf-tag': return readLfTag(session, fact);
    case 'lf-tag-association': return readTagAssociation(session, fact);
    case 'lf-grant': return readGrant(session, fact);
    case 'lf-data-lake-settings': return readDataLakeSettings(session, fact);
    case 'invocation-logging': return readInvocationLogging(session);
    case 'macie-administrator': return readMacieAdministrators(session);
    case 'macie-organization': return readMacieOrganization(session);
    case 'macie-classification-job': return readClassificationJob(session, fact);
    case 'guardrail': return readGuardrail(session, fact);
    case 'security-hub-standard': return readSecurityHubStandard(session, fact, observe);
    case 'config-recorder': return readConfigRecorder(session, fact);
    case 'conformance-pack': return readConformancePack(session, fact, observe);
  }
}

function finding(fact: Fact, status: Finding['status'], found: unknown): Finding {
  return {
    control: fact.control,
    account: fact.account,
    region: fact.region,
    status,
    subject: fact.subject,
    expected: fact.expected,
    found,
    call: fact.call,
  };
}

function describeError(e: unknown): { error: string; message: string } {
  const error = e as Error & { $metadata?: { httpStatusCode?: number } };
  return { error: error.name ?? 'Error', message: String(error.message ?? e).slice(0, 500) };
}

async function verifyGroup(
  group: readonly Fact[], credentials: VerifierCredentials, options: VerifyOptions, observe: (o: AwsManagedObservation) => void,
): Promise<Finding[]> {
  const { account, clientRegion } = group[0];
  let access: Awaited<ReturnType<VerifierCredentials['forAccount']>>;
  try {
    access = await credentials.forAccount(account);
  } catch (e) {
    const found = { ...describeError(e), call: 'sts:AssumeRole' };
    return group.map((f) => finding(f, 'unreadable', found));
  }
  const session = new AccountSession(account, clientRegion, async () => access, options);
  const findings: Finding[] = [];
  try {
    for (const fact of group) {
      try {
        const found = await readFact(session, fact, group, options, observe);
        findings.push(finding(fact, canonical(found) === canonical(fact.expected) ? 'pass' : 'drift', found));
      } catch (e) {
        findings.push(finding(fact, 'unreadable', describeError(e)));
      }
    }
  } finally {
    session.destroy();
  }
  return findings;
}

/** Reads every fact and returns the report. */
export async function verify(facts: readonly Fact[], options: VerifyOptions): Promise<VerifyReport> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  const groups = new Map<string, Fact[]>();
  for (const fact of facts) {
    const key = `${fact.account}/${fact.clientRegion}`;
    groups.set(key, [...groups.get(key) ?? [], fact]);
  }
  const credentials = new VerifierCredentials(options.homeRegion, options);
  const queue = [...groups.values()];
  const findings: Finding[] = [];
  const observations: AwsManagedObservation[] = [];
  const observe = (o: AwsManagedObservation) => { observations.push(o); };
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      findings.push(...await verifyGroup(group, credentials, options, observe));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  const sorted = sortFindings(findings);
  const report: VerifyReport = {
    schema: REPORT_SCHEMA, assembly: options.assembly, endpoint: options.endpoint ?? null, summary: summarize(sorted), findings: sorted,
  };
  // The AWS-managed section only when its facts were read (DET-SH-1, DET-CFG-1), sorted like the findings.
  if (!facts.some((f) => f.control.startsWith('DET-'))) return report;
  const key = (o: AwsManagedObservation) => [o.source, o.account, o.region].join('\u0000');
  return { ...report, awsManaged: observations.sort((a, b) => key(a).localeCompare(key(b))) };
}
