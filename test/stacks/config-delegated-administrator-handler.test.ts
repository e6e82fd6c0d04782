import * as path from 'node:path';
import { CreateAccountCommand, CreateOrganizationCommand, ListAWSServiceAccessForOrganizationCommand, ListDelegatedAdministratorsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CONFIG_MULTI_ACCOUNT_PRINCIPAL, NOT_CREATED_ID } from '../../stacks/management/handlers/config-delegated-administrator';
import { handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy } from '../support/fault-proxy';

// DET-CFG-1's registration handler, as bundled into the template, against moto_server's Organizations API.

const bed = handlerTestBed(path.join(__dirname, '..', '..', 'stacks', 'management', 'handlers', 'config-delegated-administrator.ts'), 'AWS_ENDPOINT_URL_ORGANIZATIONS', 'us-east-1');
const { responseUrl, run, useEndpoint } = bed;

function organizations(): OrganizationsClient {
  return new OrganizationsClient({ endpoint: bed.moto().endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

/** A fresh organization with one member account (moto chooses its id), as the audit account. */
async function organizationWithAudit(): Promise<string> {
  const client = organizations();
  await client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const created = await client.send(new CreateAccountCommand({ AccountName: 'audit', Email: 'audit@example.com' }));
  return created.CreateAccountStatus!.AccountId!;
}

async function administrators(): Promise<string[]> {
  const listed = await organizations().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: CONFIG_MULTI_ACCOUNT_PRINCIPAL }));
  return (listed.DelegatedAdministrators ?? []).map((a) => a.Id!);
}

test('Create turns on Config\'s trusted access and registers the account; a repeated Create and an Update change nothing', async () => {
  const audit = await organizationWithAudit();
  expect(await run('Create', responseUrl.url, { AdminAccountId: audit })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `config-delegated-administrator-${audit}` });
  expect(await administrators()).toEqual([audit]);
  const access = await organizations().send(new ListAWSServiceAccessForOrganizationCommand({}));
  expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain(CONFIG_MULTI_ACCOUNT_PRINCIPAL);
  expect((await run('Create', responseUrl.url, { AdminAccountId: audit })).Status).toBe('SUCCESS');
  expect((await run('Update', responseUrl.url, { AdminAccountId: audit }, { physicalResourceId: `config-delegated-administrator-${audit}`, oldProperties: { AdminAccountId: audit } })).Status).toBe('SUCCESS');
  expect(await administrators()).toEqual([audit]);
});

test('Delete leaves the registration in place', async () => {
  const audit = await organizationWithAudit();
  await run('Create', responseUrl.url, { AdminAccountId: audit });
  expect((await run('Delete', responseUrl.url, { AdminAccountId: audit }, { physicalResourceId: `config-delegated-administrator-${audit}` })).Status).toBe('SUCCESS');
  expect(await administrators()).toEqual([audit]);
});

test('an invalid account id fails without a call; an account outside the organization fails with Organizations\' error', async () => {
  await organizationWithAudit();
  const invalid = await run('Create', responseUrl.url, { AdminAccountId: 'audit' });
  expect(invalid).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
  expect(invalid.Reason).toContain('AdminAccountId must be a 12-digit account id, found "audit"');
  const outside = await run('Create', responseUrl.url, { AdminAccountId: '999988887777' });
  expect(outside.Reason).toMatch(/^Create failed: Config delegated administrator: AccountNotFoundException/);
  expect(await administrators()).toEqual([]);
});

test('an access denial is reported by name', async () => {
  const audit = await organizationWithAudit();
  const denial = new FaultProxy(bed.moto().endpoint, { status: 400, errorType: 'AccessDeniedException', message: 'not the management account' }, 1);
  await denial.start();
  try {
    useEndpoint(denial.endpoint);
    const response = await run('Create', responseUrl.url, { AdminAccountId: audit });
    expect(response.Reason).toContain('Create failed: Config delegated administrator: AccessDeniedException: not the management account');
  } finally {
    await denial.stop();
  }
});
