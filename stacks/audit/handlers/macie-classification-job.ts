/**
 * MAC-1 custom-resource handler, in the audit account's home Region: a scheduled Macie sensitive-data discovery job
 * over the log-archive account's invocation-log archive (prompts and responses carry personal data). No
 * CloudFormation resource creates a classification job.
 *
 * - Create: `CreateClassificationJob` (SCHEDULED, initial run over the existing objects, then each run the objects
 *   added since the last one, recommended managed data identifiers). The client token is a hash of the stack, the
 *   resource and its properties, so a repeated Create returns the same job. The physical id is the job id.
 * - Update: a job cannot be changed after creation (only its status), so changed properties create a new job; the new
 *   physical id makes CloudFormation send a Delete for the old one. Unchanged properties keep the job.
 * - Delete: cancels the job (`UpdateClassificationJob{jobStatus: CANCELLED}`) unless it is already cancelled or
 *   complete or no longer exists. The findings it produced stay.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime and inlined into the template.
 */
import { createHash } from 'node:crypto';
import {
  CreateClassificationJobCommand, DescribeClassificationJobCommand, Macie2Client, UpdateClassificationJobCommand, type JobScheduleFrequency,
} from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'macie-classification-job-not-created';

/** The resource's properties as CloudFormation passes them (numbers arrive as strings). */
export interface MacieClassificationJobProperties {
  readonly Name: string;
  readonly Description: string;
  /** Account that owns the bucket: must be a Macie member of this account (or this account). */
  readonly BucketAccountId: string;
  readonly BucketName: string;
  /** `DAILY`, `WEEKLY` (Mondays) or `MONTHLY` (the 1st). */
  readonly Schedule: string;
  /** Percentage of eligible objects each run analyses, 1–100. */
  readonly SamplingPercentage: string;
}

const SCHEDULES: Record<string, JobScheduleFrequency> = {
  DAILY: { dailySchedule: {} },
  WEEKLY: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
  MONTHLY: { monthlySchedule: { dayOfMonth: 1 } },
};

function validated(p: Record<string, unknown>): MacieClassificationJobProperties & { sampling: number } {
  const sampling = Number(p.SamplingPercentage);
  const checks: [string, boolean, string][] = [
    ['Name', /^.{1,500}$/.test(String(p.Name)), '1-500 characters'],
    ['BucketAccountId', /^\d{12}$/.test(String(p.BucketAccountId)), 'a 12-digit account id'],
    ['BucketName', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(String(p.BucketName)), 'an S3 bucket name'],
    ['Schedule', String(p.Schedule) in SCHEDULES, 'DAILY, WEEKLY or MONTHLY'],
    ['SamplingPercentage', Number.isInteger(sampling) && sampling >= 1 && sampling <= 100, 'an integer from 1 to 100'],
  ];
  const problems = checks.filter(([, ok]) => !ok).map(([key, , expected]) => `${key} must be ${expected}, found ${JSON.stringify(p[key])}`);
  if (problems.length > 0) throw new InvalidPropertiesError(problems.join('; '));
  return { ...(p as unknown as MacieClassificationJobProperties), sampling };
}

/** The job's own properties, without CloudFormation's ServiceToken, in a stable order. */
function jobSpec(properties: Record<string, unknown>): string {
  const { ServiceToken: _, ...rest } = properties;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
}

async function create(event: CloudFormationCustomResourceEvent, macie: Macie2Client): Promise<string> {
  const p = validated(event.ResourceProperties);
  const clientToken = createHash('sha256').update(`${event.StackId}|${event.LogicalResourceId}|${jobSpec(event.ResourceProperties)}`).digest('hex');
  const created = await macie.send(new CreateClassificationJobCommand({
    clientToken,
    name: p.Name,
    description: p.Description,
    jobType: 'SCHEDULED',
    scheduleFrequency: SCHEDULES[p.Schedule],
    initialRun: true,
    samplingPercentage: p.sampling,
    managedDataIdentifierSelector: 'RECOMMENDED',
    s3JobDefinition: { bucketDefinitions: [{ accountId: p.BucketAccountId, buckets: [p.BucketName] }] },
  }));
  return created.jobId!;
}

async function cancel(jobId: string, macie: Macie2Client): Promise<void> {
  try {
    const job = await macie.send(new DescribeClassificationJobCommand({ jobId }));
    if (job.jobStatus === 'CANCELLED' || job.jobStatus === 'COMPLETE') return;
    await macie.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'CANCELLED' }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
}

async function apply(event: CloudFormationCustomResourceEvent): Promise<string> {
  const macie = new Macie2Client({ ...RETRY });
  switch (event.RequestType) {
    case 'Create':
      return create(event, macie);
    case 'Update':
      validated(event.ResourceProperties);
      return jobSpec(event.ResourceProperties) === jobSpec(event.OldResourceProperties) ? event.PhysicalResourceId : create(event, macie);
    case 'Delete':
      if (event.PhysicalResourceId !== NOT_CREATED_ID) await cancel(event.PhysicalResourceId, macie);
      return event.PhysicalResourceId;
  }
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  await answerCloudFormation(event, context, () => apply(event), { action: 'Macie classification job', notCreatedId: NOT_CREATED_ID });
}
