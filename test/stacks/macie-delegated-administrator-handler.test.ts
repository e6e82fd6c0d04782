import * as path from 'node:path';
import { ListOrganizationAdminAccountsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { NOT_CREATED_ID } from '../../stacks/management/handlers/macie-delegated-administrator';
import { fixRetryJitter, handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy, THROTTLING } from '../support/fault-proxy';

// MAC-1's delegated-administrator handler, as bundled into the template, against moto_server's Macie API.

const bed = handlerTestBed(path.join(__dirname, '..', '..', 'stacks', 'management', 'handlers', 'macie-delegated-administrator.ts'), 'AWS_ENDPOINT_URL_MACIE2', 'eu-central-1');
const { responseUrl, run, useEndpoint } = bed;
// The SDK's retry backoff with its jitter fixed at 0.1: the throttling test waits 100 and 200 ms, not up to 1 and 2 s.
fixRetryJitter(0.1);
const AUDIT = '527038146692';
const REGIONS = ['eu-central-1', 'eu-west-1'];
const PROPS = { AdminAccountId: AUDIT, Regions: REGIONS };

async function admins(region = 'eu-central-1'): Promise<unknown[]> {
  const client = new Macie2Client({ endpoint: bed.moto().endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  return (await client.send(new ListOrganizationAdminAccountsCommand({}))).adminAccounts ?? [];
}

test('Create registers the audit account in every Region listed; a repeated Create and an Update with the same account change nothing', async () => {
  expect(await run('Create', responseUrl.url, PROPS)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `macie-delegated-administrator-${AUDIT}` });
  for (const region of REGIONS) expect(await admins(region)).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
  expect(await admins('us-east-1')).toEqual([]);
  expect((await run('Create', responseUrl.url, PROPS)).Status).toBe('SUCCESS');
  const update = await run('Update', responseUrl.url, PROPS, { physicalResourceId: `macie-delegated-administrator-${AUDIT}`, oldProperties: PROPS });
  expect(update.Status).toBe('SUCCESS');
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});

test('another enabled administrator fails the Create with both accounts named, and stays', async () => {
  await run('Create', responseUrl.url, { ...PROPS, AdminAccountId: '639415720488' });
  const response = await run('Create', responseUrl.url, PROPS);
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
  expect(response.Reason).toMatch(/^Create failed: Macie delegated administrator: ConflictingAdministrator: the organization's Macie administrator in eu-central-1 is 639415720488, not 527038146692/);
  expect(await admins()).toEqual([{ accountId: '639415720488', status: 'ENABLED' }]);
});

test('Delete leaves the registration in place', async () => {
  await run('Create', responseUrl.url, PROPS);
  const response = await run('Delete', responseUrl.url, PROPS, { physicalResourceId: `macie-delegated-administrator-${AUDIT}` });
  expect(response.Status).toBe('SUCCESS');
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});

test('an invalid account id fails without a call', async () => {
  const response = await run('Create', responseUrl.url, { ...PROPS, AdminAccountId: 'audit' });
  expect(response.Reason).toContain('AdminAccountId must be a 12-digit account id, found "audit"');
  const regions = await run('Create', responseUrl.url, { ...PROPS, Regions: ['eu-central-1', 'Frankfurt'] });
  expect(regions.Reason).toContain('Regions must be a non-empty list of Region names, found ["eu-central-1","Frankfurt"]');
  expect(await admins()).toEqual([]);
});

test('an API error from Macie is reported by name; throttling is retried', async () => {
  const denial = new FaultProxy(bed.moto().endpoint, { status: 403, errorType: 'AccessDeniedException', message: 'not the management account' }, 1);
  await denial.start();
  try {
    useEndpoint(denial.endpoint);
    const response = await run('Create', responseUrl.url, PROPS);
    expect(response.Reason).toContain('Create failed: Macie delegated administrator: AccessDeniedException: not the management account (HTTP 403');
  } finally {
    await denial.stop();
  }
  const throttled = new FaultProxy(bed.moto().endpoint, THROTTLING, 2);
  await throttled.start();
  try {
    useEndpoint(throttled.endpoint);
    expect((await run('Create', responseUrl.url, PROPS)).Status).toBe('SUCCESS');
    expect(throttled.arrivals.length).toBe(6); // two throttled, then List and Enable in each of the two Regions
  } finally {
    await throttled.stop();
  }
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});
