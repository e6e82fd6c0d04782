import { resourcesOf, type Assembly } from './assembly';
import type { Fact } from './fact';

/**
 * MAC-1 facts, per governed Region: the audit account is Macie's delegated administrator (read in the management
 * account), and the organization configuration auto-enables accounts that join with automated discovery as configured
 * (read in the audit account); and each classification job of `Custom::MacieClassificationJob` (the one over the
 * invocation-log archive) exists by its name, runs (RUNNING or IDLE between its scheduled runs, not paused or
 * cancelled) and analyses the buckets, on the schedule and at the sampling the template sets.
 */

/** How a job that runs is found: RUNNING (a run in progress) or IDLE (between scheduled runs) are the same fact. */
export const JOB_RUNS = 'RUNNING or IDLE';

/** What the verifier compares of a classification job (`DescribeClassificationJob`). */
export interface ClassificationJobShape {
  readonly name: string;
  /** `RUNNING or IDLE`, else the job's status (PAUSED, USER_PAUSED, CANCELLED, COMPLETE). */
  readonly status: string;
  readonly jobType: string;
  /** DAILY, WEEKLY or MONTHLY: which of the schedule's frequencies is set. */
  readonly schedule: string | null;
  readonly samplingPercentage: number | null;
  /** The buckets by account, sorted. */
  readonly buckets: readonly { readonly accountId: string; readonly buckets: readonly string[] }[];
}

function jobFacts(stack: Assembly['stacks'][number]): Fact[] {
  return resourcesOf(stack.template, 'Custom::MacieClassificationJob').map(([, p]): Fact => {
    const expected: ClassificationJobShape = {
      name: String(p.Name),
      status: JOB_RUNS,
      jobType: 'SCHEDULED',
      schedule: String(p.Schedule),
      samplingPercentage: Number(p.SamplingPercentage),
      buckets: [{ accountId: String(p.BucketAccountId), buckets: [String(p.BucketName)] }],
    };
    return {
      control: 'MAC-1',
      account: stack.account,
      region: stack.region,
      clientRegion: stack.region,
      kind: 'macie-classification-job',
      subject: expected.name,
      call: `macie2:ListClassificationJobs, macie2:DescribeClassificationJob ${expected.name}`,
      expected,
    };
  });
}

export function macieFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => {
    const administrators = resourcesOf(stack.template, 'Custom::MacieDelegatedAdministrator').flatMap(([, p]) =>
      ((p.Regions as string[] | undefined) ?? []).map((region): Fact => ({
        control: 'MAC-1',
        account: stack.account,
        region,
        clientRegion: region,
        kind: 'macie-administrator',
        subject: String(p.AdminAccountId),
        call: 'macie2:ListOrganizationAdminAccounts',
        expected: { adminAccounts: [{ accountId: String(p.AdminAccountId), status: 'ENABLED' }] },
      })));
    const organizations = resourcesOf(stack.template, 'Custom::MacieOrganization').map(([, p]): Fact => ({
      control: 'MAC-1',
      account: stack.account,
      region: stack.region,
      clientRegion: stack.region,
      kind: 'macie-organization',
      subject: 'organization-configuration',
      call: 'macie2:DescribeOrganizationConfiguration, macie2:GetAutomatedDiscoveryConfiguration',
      expected: {
        autoEnable: true,
        automatedDiscovery: { status: String(p.AutomatedDiscovery), autoEnableOrganizationMembers: String(p.AutoEnableOrganizationMembers) },
      },
    }));
    return [...administrators, ...organizations, ...jobFacts(stack)];
  });
}
