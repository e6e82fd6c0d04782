import * as path from 'node:path';
import {
  DescribeOrganizationConfigurationCommand, EnableOrganizationAdminAccountCommand, GetAutomatedDiscoveryConfigurationCommand,
  ListMembersCommand, Macie2Client,
} from '@aws-sdk/client-macie2';
import {
  CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, ListAccountsCommand, OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { NOT_CREATED_ID } from '../../stacks/audit/handlers/macie-organization';
import { fixRetryJitter, handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy, THROTTLING } from '../support/fault-proxy';

// MAC-1's organization handler (audit account = Macie delegated administrator), as bundled into the template, against
// moto_server with the Macie operations moto lacks (emulators/moto/macie2_extension.py). moto answers as the audit
// account (MOTO_ACCOUNT_ID), which also holds the test organization.

const AUDIT = '527038146692';
const REGION = 'eu-central-1';
const bed = handlerTestBed(path.join(__dirname, '..', '..', 'stacks', 'audit', 'handlers', 'macie-organization.ts'),
  ['AWS_ENDPOINT_URL_MACIE2', 'AWS_ENDPOINT_URL_ORGANIZATIONS'], REGION, { MOTO_ACCOUNT_ID: AUDIT });
const { responseUrl, run, useEndpoint } = bed;
// The SDK's retry backoff with its jitter fixed at 0.1: the throttling test waits 100 and 200 ms, not up to 1 and 2 s.
fixRetryJitter(0.1);
const PROPS = { AdminAccountId: AUDIT, AutomatedDiscovery: 'ENABLED', AutoEnableOrganizationMembers: 'ALL' };
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const macie = () => new Macie2Client({ endpoint: bed.moto().endpoint, region: REGION, credentials });
const organizations = () => new OrganizationsClient({ endpoint: bed.moto().endpoint, region: 'us-east-1', credentials });

const organizationConfiguration = async () => macie().send(new DescribeOrganizationConfigurationCommand({}));
const discovery = async () => macie().send(new GetAutomatedDiscoveryConfigurationCommand({}));

/** An organization of the audit account, two more active accounts and one closed; the audit account is Macie admin. */
async function seedOrganization(): Promise<{ active: string[]; closed: string }> {
  const orgs = organizations();
  await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  for (const name of ['support-chat-prod', 'support-chat-dev', 'retired']) {
    await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  }
  const accounts = (await orgs.send(new ListAccountsCommand({}))).Accounts ?? [];
  const closed = accounts.find((a) => a.Name === 'retired')!.Id!;
  await orgs.send(new CloseAccountCommand({ AccountId: closed }));
  await macie().send(new EnableOrganizationAdminAccountCommand({ adminAccountId: AUDIT }));
  return { active: accounts.filter((a) => a.Id !== AUDIT && a.Id !== closed).map((a) => a.Id!), closed };
}

async function memberIds(): Promise<string[]> {
  return ((await macie().send(new ListMembersCommand({}))).members ?? []).map((m) => m.accountId!).sort();
}

test('Create turns on auto-enable and discovery for all members and adds every other active account; a repeat changes nothing', async () => {
  const { active, closed } = await seedOrganization();
  expect(await run('Create', responseUrl.url, PROPS)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `macie-organization-${AUDIT}` });
  expect(await organizationConfiguration()).toMatchObject({ autoEnable: true });
  expect(await discovery()).toMatchObject({ status: 'ENABLED', autoEnableOrganizationMembers: 'ALL' });
  expect(await memberIds()).toEqual([...active].sort());
  expect(await memberIds()).not.toContain(closed);
  expect(await memberIds()).not.toContain(AUDIT);
  const members = (await macie().send(new ListMembersCommand({}))).members ?? [];
  expect(members.map((m) => m.relationshipStatus)).toEqual(active.map(() => 'Enabled'));

  expect((await run('Create', responseUrl.url, PROPS)).Status).toBe('SUCCESS');
  expect(await memberIds()).toEqual([...active].sort());
});

test('an account that joins later is added by the next Update; Update applies a changed discovery setting', async () => {
  const { active } = await seedOrganization();
  await run('Create', responseUrl.url, PROPS);
  const joined = (await organizations().send(new CreateAccountCommand({ AccountName: 'new-team', Email: 'new-team@example.com' }))).CreateAccountStatus!.AccountId!;
  const update = await run('Update', responseUrl.url, { ...PROPS, AutoEnableOrganizationMembers: 'NEW' }, { physicalResourceId: `macie-organization-${AUDIT}`, oldProperties: PROPS });
  expect(update.Status).toBe('SUCCESS');
  expect(await memberIds()).toEqual([...active, joined].sort());
  expect(await discovery()).toMatchObject({ status: 'ENABLED', autoEnableOrganizationMembers: 'NEW' });
});

test('Delete leaves Macie on for the organization', async () => {
  const { active } = await seedOrganization();
  await run('Create', responseUrl.url, PROPS);
  expect((await run('Delete', responseUrl.url, PROPS, { physicalResourceId: `macie-organization-${AUDIT}` })).Status).toBe('SUCCESS');
  expect(await organizationConfiguration()).toMatchObject({ autoEnable: true });
  expect(await memberIds()).toEqual([...active].sort());
});

test('invalid properties fail without a call; an account that is not the Macie administrator is refused by Macie', async () => {
  await seedOrganization();
  const invalid = await run('Create', responseUrl.url, { ...PROPS, AutomatedDiscovery: 'ON' });
  expect(invalid).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOT_CREATED_ID });
  expect(invalid.Reason).toContain('AutomatedDiscovery must be ENABLED or DISABLED, found "ON"');
  expect(await organizationConfiguration()).toMatchObject({ autoEnable: false });

  await fetch(`${bed.moto().endpoint}/moto-api/reset`, { method: 'POST' });
  const refused = await run('Create', responseUrl.url, PROPS);
  expect(refused.Reason).toMatch(/^Create failed: Macie organization configuration: AccessDeniedException: account 527038146692 is not the delegated Macie administrator .*\(HTTP 403/);
  expect(await memberIds()).toEqual([]);
});

test('throttling is retried', async () => {
  const { active } = await seedOrganization();
  const throttled = new FaultProxy(bed.moto().endpoint, THROTTLING, 2);
  await throttled.start();
  try {
    useEndpoint(throttled.endpoint);
    expect((await run('Create', responseUrl.url, PROPS)).Status).toBe('SUCCESS');
    expect(throttled.arrivals.length).toBeGreaterThan(2 + 1 + active.length); // two throttled, then every call once
  } finally {
    await throttled.stop();
  }
  expect(await memberIds()).toEqual([...active].sort());
});
