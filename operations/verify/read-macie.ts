import {
  DescribeClassificationJobCommand, DescribeOrganizationConfigurationCommand, GetAutomatedDiscoveryConfigurationCommand,
  paginateListClassificationJobs, paginateListOrganizationAdminAccounts, type JobSummary,
} from '@aws-sdk/client-macie2';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';
import { JOB_RUNS, type ClassificationJobShape } from './facts-macie';

/** MAC-1: Macie's delegated administrators, the organization configuration and the classification jobs. */

export async function readMacieAdministrators(session: AccountSession): Promise<unknown> {
  const adminAccounts: { accountId: string; status: string }[] = [];
  for await (const page of paginateListOrganizationAdminAccounts({ client: session.macie2 }, {})) {
    for (const a of page.adminAccounts ?? []) adminAccounts.push({ accountId: String(a.accountId), status: String(a.status) });
  }
  return { adminAccounts: adminAccounts.sort((a, b) => a.accountId.localeCompare(b.accountId)) };
}

export async function readMacieOrganization(session: AccountSession): Promise<unknown> {
  const [organization, discovery] = await Promise.all([
    session.macie2.send(new DescribeOrganizationConfigurationCommand({})),
    session.macie2.send(new GetAutomatedDiscoveryConfigurationCommand({})),
  ]);
  return {
    autoEnable: organization.autoEnable === true,
    automatedDiscovery: { status: String(discovery.status), autoEnableOrganizationMembers: String(discovery.autoEnableOrganizationMembers) },
  };
}


/**
 * A classification job by name: the jobs of that name (`ListClassificationJobs` filtered by name, and again here), of
 * which the newest is the one in effect (the handler creates a new job when the properties change and cancels the
 * old one), described with `DescribeClassificationJob`. No job of that name is found as null (drift).
 */
export async function readClassificationJob(session: AccountSession, fact: Fact): Promise<unknown> {
  const { name } = fact.expected as ClassificationJobShape;
  const named: JobSummary[] = [];
  const filterCriteria = { includes: [{ comparator: 'EQ' as const, key: 'name' as const, values: [name] }] };
  for await (const page of paginateListClassificationJobs({ client: session.macie2 }, { filterCriteria })) {
    named.push(...(page.items ?? []).filter((j) => j.name === name));
  }
  const newest = named.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  if (!newest?.jobId) return null;
  const job = await session.macie2.send(new DescribeClassificationJobCommand({ jobId: newest.jobId }));
  const frequency = job.scheduleFrequency ?? {};
  const schedule = frequency.dailySchedule ? 'DAILY' : frequency.weeklySchedule ? 'WEEKLY' : frequency.monthlySchedule ? 'MONTHLY' : null;
  const found: ClassificationJobShape = {
    name: String(job.name),
    status: job.jobStatus === 'RUNNING' || job.jobStatus === 'IDLE' ? JOB_RUNS : String(job.jobStatus),
    jobType: String(job.jobType),
    schedule,
    samplingPercentage: job.samplingPercentage ?? null,
    buckets: (job.s3JobDefinition?.bucketDefinitions ?? [])
      .map((d) => ({ accountId: String(d.accountId), buckets: [...d.buckets ?? []].sort() }))
      .sort((a, b) => a.accountId.localeCompare(b.accountId)),
  };
  return found;
}
