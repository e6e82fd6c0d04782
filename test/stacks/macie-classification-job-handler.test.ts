import * as path from 'node:path';
import {
  CreateMemberCommand, DescribeClassificationJobCommand, EnableOrganizationAdminAccountCommand, ListClassificationJobsCommand, Macie2Client,
} from '@aws-sdk/client-macie2';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { NOT_CREATED_ID } from '../../stacks/audit/handlers/macie-classification-job';
import { fixRetryJitter, handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy, THROTTLING } from '../support/fault-proxy';

// MAC-1's classification job over the invocation-log archive, as bundled into the template, against moto_server with
// the Macie operations moto lacks (emulators/moto/macie2_extension.py), answering as the audit account.

const AUDIT = '527038146692';
const REGION = 'eu-central-1';
const bed = handlerTestBed(path.join(__dirname, '..', '..', 'stacks', 'audit', 'handlers', 'macie-classification-job.ts'),
  'AWS_ENDPOINT_URL_MACIE2', REGION, { MOTO_ACCOUNT_ID: AUDIT });
const { responseUrl, run, useEndpoint } = bed;
// The SDK's retry backoff with its jitter fixed at 0.1: the throttling test waits 100 and 200 ms, not up to 1 and 2 s.
fixRetryJitter(0.1);
let LOG_ARCHIVE = '';
let PROPS: Record<string, string> = {};
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const macie = () => new Macie2Client({ endpoint: bed.moto().endpoint, region: REGION, credentials });

/** The audit account as Macie administrator with the organization's log-archive account as an enabled member. */
async function seedMembers(): Promise<void> {
  const organizations = new OrganizationsClient({ endpoint: bed.moto().endpoint, region: 'us-east-1', credentials });
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  // moto gives new accounts random ids: the test's log-archive account is whichever it made.
  const created = await organizations.send(new CreateAccountCommand({ AccountName: 'log-archive', Email: 'log-archive@example.com' }));
  LOG_ARCHIVE = created.CreateAccountStatus!.AccountId!;
  PROPS = {
    Name: 'genai-governance-invocation-log-archive',
    Description: 'MAC-1: sensitive data in the Bedrock invocation-log archive',
    BucketAccountId: LOG_ARCHIVE,
    BucketName: `genai-governance-invocation-log-archive-${LOG_ARCHIVE}`,
    Schedule: 'DAILY',
    SamplingPercentage: '100',
  };
  await macie().send(new EnableOrganizationAdminAccountCommand({ adminAccountId: AUDIT }));
  await macie().send(new CreateMemberCommand({ account: { accountId: LOG_ARCHIVE, email: 'log-archive@example.com' } }));
}

const job = async (jobId: string) => macie().send(new DescribeClassificationJobCommand({ jobId }));
const jobCount = async () => ((await macie().send(new ListClassificationJobsCommand({}))).items ?? []).length;

beforeEach(seedMembers);

test('Create makes one scheduled job over the archive bucket; a repeated Create returns the same job', async () => {
  const created = await run('Create', responseUrl.url, PROPS);
  expect(created.Status).toBe('SUCCESS');
  expect(await job(created.PhysicalResourceId)).toMatchObject({
    jobType: 'SCHEDULED',
    jobStatus: 'RUNNING',
    initialRun: true,
    samplingPercentage: 100,
    managedDataIdentifierSelector: 'RECOMMENDED',
    scheduleFrequency: { dailySchedule: {} },
    s3JobDefinition: { bucketDefinitions: [{ accountId: LOG_ARCHIVE, buckets: [PROPS.BucketName] }] },
  });
  expect((await run('Create', responseUrl.url, PROPS)).PhysicalResourceId).toBe(created.PhysicalResourceId);
  expect(await jobCount()).toBe(1);
});

test('Update with the same properties keeps the job; changed properties make a new job and the Delete of the old one cancels it', async () => {
  const first = (await run('Create', responseUrl.url, PROPS)).PhysicalResourceId;
  const same = await run('Update', responseUrl.url, PROPS, { physicalResourceId: first, oldProperties: PROPS });
  expect(same.PhysicalResourceId).toBe(first);
  const weekly = { ...PROPS, Schedule: 'WEEKLY', SamplingPercentage: '50' };
  const changed = await run('Update', responseUrl.url, weekly, { physicalResourceId: first, oldProperties: PROPS });
  expect(changed.Status).toBe('SUCCESS');
  expect(changed.PhysicalResourceId).not.toBe(first);
  expect(await job(changed.PhysicalResourceId)).toMatchObject({ scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } }, samplingPercentage: 50 });
  expect((await run('Delete', responseUrl.url, PROPS, { physicalResourceId: first })).Status).toBe('SUCCESS');
  expect((await job(first)).jobStatus).toBe('CANCELLED');
  expect((await job(changed.PhysicalResourceId)).jobStatus).toBe('RUNNING');
});

test('Delete of a cancelled, missing or never-created job succeeds without a change', async () => {
  const jobId = (await run('Create', responseUrl.url, PROPS)).PhysicalResourceId;
  await run('Delete', responseUrl.url, PROPS, { physicalResourceId: jobId });
  expect((await run('Delete', responseUrl.url, PROPS, { physicalResourceId: jobId })).Status).toBe('SUCCESS');
  expect((await run('Delete', responseUrl.url, PROPS, { physicalResourceId: '0123456789abcdef0123456789abcdef' })).Status).toBe('SUCCESS');
  expect((await run('Delete', responseUrl.url, PROPS, { physicalResourceId: NOT_CREATED_ID })).Status).toBe('SUCCESS');
});

test('invalid properties fail without a call, every problem named', async () => {
  const response = await run('Create', responseUrl.url, { ...PROPS, Schedule: 'HOURLY', SamplingPercentage: '0' });
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
  expect(response.Reason).toContain('Schedule must be DAILY, WEEKLY or MONTHLY, found "HOURLY"; SamplingPercentage must be an integer from 1 to 100, found "0"');
  expect(await jobCount()).toBe(0);
});

test('a bucket of an account that is not a Macie member is refused by Macie and reported', async () => {
  const response = await run('Create', responseUrl.url, { ...PROPS, BucketAccountId: '639415720488' });
  expect(response.Reason).toMatch(/^Create failed: Macie classification job: ValidationException: account 639415720488 is not a Macie member .*\(HTTP 400/);
  expect(await jobCount()).toBe(0);
});

test('throttling is retried', async () => {
  const throttled = new FaultProxy(bed.moto().endpoint, THROTTLING, 2);
  await throttled.start();
  try {
    useEndpoint(throttled.endpoint);
    expect((await run('Create', responseUrl.url, PROPS)).Status).toBe('SUCCESS');
    expect(throttled.arrivals.length).toBe(3);
  } finally {
    await throttled.stop();
  }
  expect(await jobCount()).toBe(1);
});
