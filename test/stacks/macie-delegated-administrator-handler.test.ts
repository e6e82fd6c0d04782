import * as path from 'node:path';
import { ListOrganizationAdminAccountsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { NOT_CREATED_ID } from '../../stacks/management/handlers/macie-delegated-administrator';
import { handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy, THROTTLING } from '../support/fault-proxy';

// MAC-1's delegated-administrator handler, as bundled into the template, against moto_server's Macie API.

const bed = handlerTestBed(path.join(__dirname, '..', '..', 'stacks', 'management', 'handlers', 'macie-delegated-administrator.ts'), 'AWS_ENDPOINT_URL_MACIE2', 'eu-central-1');
const { responseUrl, run, useEndpoint } = bed;
const AUDIT = '527038146692';

async function admins(): Promise<unknown[]> {
  const client = new Macie2Client({ endpoint: bed.moto().endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  return (await client.send(new ListOrganizationAdminAccountsCommand({}))).adminAccounts ?? [];
}

test('Create registers the audit account; a repeated Create and an Update with the same account change nothing', async () => {
  expect(await run('Create', responseUrl.url, { AdminAccountId: AUDIT })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `macie-delegated-administrator-${AUDIT}` });
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
  expect((await run('Create', responseUrl.url, { AdminAccountId: AUDIT })).Status).toBe('SUCCESS');
  const update = await run('Update', responseUrl.url, { AdminAccountId: AUDIT }, { physicalResourceId: `macie-delegated-administrator-${AUDIT}`, oldProperties: { AdminAccountId: AUDIT } });
  expect(update.Status).toBe('SUCCESS');
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});

test('another enabled administrator fails the Create with both accounts named, and stays', async () => {
  await run('Create', responseUrl.url, { AdminAccountId: '639415720488' });
  const response = await run('Create', responseUrl.url, { AdminAccountId: AUDIT });
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
  expect(response.Reason).toMatch(/^Create failed: Macie delegated administrator: ConflictingAdministrator: the organization's Macie administrator is 639415720488, not 527038146692/);
  expect(await admins()).toEqual([{ accountId: '639415720488', status: 'ENABLED' }]);
});

test('Delete leaves the registration in place', async () => {
  await run('Create', responseUrl.url, { AdminAccountId: AUDIT });
  const response = await run('Delete', responseUrl.url, { AdminAccountId: AUDIT }, { physicalResourceId: `macie-delegated-administrator-${AUDIT}` });
  expect(response.Status).toBe('SUCCESS');
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});

test('an invalid account id fails without a call', async () => {
  const response = await run('Create', responseUrl.url, { AdminAccountId: 'audit' });
  expect(response.Reason).toContain('AdminAccountId must be a 12-digit account id, found "audit"');
  expect(await admins()).toEqual([]);
});

test('an API error from Macie is reported by name; throttling is retried', async () => {
  const denial = new FaultProxy(bed.moto().endpoint, { status: 403, errorType: 'AccessDeniedException', message: 'not the management account' }, 1);
  await denial.start();
  try {
    useEndpoint(denial.endpoint);
    const response = await run('Create', responseUrl.url, { AdminAccountId: AUDIT });
    expect(response.Reason).toContain('Create failed: Macie delegated administrator: AccessDeniedException: not the management account (HTTP 403');
  } finally {
    await denial.stop();
  }
  const throttled = new FaultProxy(bed.moto().endpoint, THROTTLING, 2);
  await throttled.start();
  try {
    useEndpoint(throttled.endpoint);
    expect((await run('Create', responseUrl.url, { AdminAccountId: AUDIT })).Status).toBe('SUCCESS');
    expect(throttled.arrivals.length).toBe(4); // two throttled, then List and Enable
  } finally {
    await throttled.stop();
  }
  expect(await admins()).toEqual([{ accountId: AUDIT, status: 'ENABLED' }]);
});
