import * as path from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GetTableVersionsCommand, GlueClient, type TableInput } from '@aws-sdk/client-glue';
import { CreateAccountCommand, CreateOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { invocationLogArchiveBucketName, trailArchiveBucketName } from '../../contracts/archive-names';
import { INVOCATION_LOG_KEY_PREFIX } from '../../contracts/invocation-logging-names';
import { AUDIT_DATABASE } from '../../dashboards/athena/tables';
import { startMoto, type MotoServer } from '../../emulators/moto/moto-server';
import { ACCOUNT_VALUES_PARAMETER, type SyncResult } from '../../stacks/audit/handlers/account-projection-sync';
import { loadInlineHandler, TEST_CREDENTIALS } from '../support/custom-resource-harness';
import { exampleEstate } from '../support/example-estate';
import { partitionOf, renderLocation } from '../support/partition-projection';
import { resolveIntrinsics, type Template } from '../support/resolve-intrinsics';

// LF-1/ATH-1: the account-projection function, as bundled into its code asset, against moto_server's Organizations and
// Glue. The tables are created from the synthesized audit-analytics template, so what is tested is the deployed
// definition: an account created in the (emulated) organization becomes queryable through it without a synth.

const AUDIT = '527038146692';
const REGION = 'eu-central-1';
const estate = exampleEstate();
const { config } = estate;
const template = estate.auditAnalytics.template.toJSON() as Template;
const tableInputs: TableInput[] = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Glue::Table')
  .map((r) => resolveIntrinsics(r.Properties!.TableInput, template, { account: AUDIT, region: REGION }) as TableInput);
const tableNames = tableInputs.map((t) => t.Name!);
const syncFunction = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function'
  && r.Properties?.Environment?.Variables?.TABLE_NAMES)!.Properties!;

const sync = loadInlineHandler(path.join(__dirname, '..', '..', 'stacks', 'audit', 'handlers', 'account-projection-sync.ts')) as unknown as () => Promise<SyncResult>;
const savedEnv = { ...process.env };
let moto: MotoServer;
const credentials = { accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY };
const glue = () => new GlueClient({ endpoint: moto.endpoint, region: REGION, credentials });
const organizations = () => new OrganizationsClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });

beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ACCOUNT_ID: AUDIT } });
});
afterAll(async () => {
  process.env = savedEnv;
  await moto.stop();
});
beforeEach(async () => {
  // The function's environment as the template sets it, and the SDK pointed at moto.
  Object.assign(process.env, syncFunction.Environment.Variables, TEST_CREDENTIALS, {
    AWS_REGION: REGION, AWS_ENDPOINT_URL_GLUE: moto.endpoint, AWS_ENDPOINT_URL_ORGANIZATIONS: moto.endpoint,
  });
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
});

/** The organization with two more accounts, and the audit database with the template's tables. */
async function seed(): Promise<string[]> {
  const orgs = organizations();
  await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  for (const name of ['support-chat-prod', 'support-chat-dev']) await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  await glue().send(new CreateDatabaseCommand({ DatabaseInput: { Name: AUDIT_DATABASE } }));
  for (const input of tableInputs) await glue().send(new CreateTableCommand({ DatabaseName: AUDIT_DATABASE, TableInput: input }));
  return ((await orgs.send(new ListAccountsCommand({}))).Accounts ?? []).map((a) => a.Id!);
}

const table = async (name: string) => (await glue().send(new GetTableCommand({ DatabaseName: AUDIT_DATABASE, Name: name }))).Table!;
const versions = async (name: string) =>
  (await glue().send(new GetTableVersionsCommand({ DatabaseName: AUDIT_DATABASE, TableName: name }))).TableVersions!.length;
const accountValues = async (name: string) => (await table(name)).Parameters![ACCOUNT_VALUES_PARAMETER].split(',');
/** What UpdateTable may change besides the projection: nothing. */
const definition = ({ Name, Description, TableType, StorageDescriptor, PartitionKeys, Parameters }: TableInput) =>
  ({ Name, Description, TableType, StorageDescriptor, PartitionKeys, Parameters: { ...Parameters, [ACCOUNT_VALUES_PARAMETER]: undefined } });

test('the template names the three archive tables and the database in the function\'s environment (moto test setup)', () => {
  expect([...tableNames].sort()).toEqual(['cloudtrail', 'invocation_log_bodies', 'invocation_logs']);
  expect(syncFunction.Environment.Variables).toEqual({ DATABASE_NAME: AUDIT_DATABASE, TABLE_NAMES: 'cloudtrail,invocation_logs,invocation_log_bodies' });
});

test('moto: the projection gains the organization\'s accounts, keeps the configured ones and every other field', async () => {
  const members = await seed();
  const configured = config.accounts.map((a) => a.id);
  const result = await sync();
  expect(result.updated.map((u) => u.table).sort()).toEqual([...tableNames].sort());
  for (const name of tableNames) {
    expect(await accountValues(name)).toEqual([...new Set([...configured, ...members])].sort());
    const input = tableInputs.find((t) => t.Name === name)!;
    expect(definition(await table(name))).toEqual(definition(input));
  }
});

test('moto: an account created in the organization becomes queryable through the table definition after the next run, without a synth', async () => {
  await seed();
  await sync();
  const before = await table('invocation_logs');
  const joined = (await organizations().send(new CreateAccountCommand({ AccountName: 'new-team', Email: 'new-team@example.com' }))).CreateAccountStatus!.AccountId!;
  const trailFolder = `s3://${trailArchiveBucketName(config)}/AWSLogs/${config.organization.id}/${joined}/CloudTrail/eu-central-1/2026/11/23`;
  const logFolder = `s3://${invocationLogArchiveBucketName(config)}/${INVOCATION_LOG_KEY_PREFIX}/AWSLogs/${joined}/BedrockModelInvocationLogs/eu-central-1/2026/11/23/10`;
  expect(partitionOf((await table('cloudtrail')).Parameters!, trailFolder)).toBeUndefined();
  expect(partitionOf(before.Parameters!, logFolder)).toBeUndefined();

  const result = await sync();
  expect(result.updated).toEqual(tableNames.map((name) => ({ table: name, changed: true, added: [joined] })));
  const after = await table('invocation_logs');
  expect(after.Parameters).toEqual({ ...before.Parameters, [ACCOUNT_VALUES_PARAMETER]: [...before.Parameters![ACCOUNT_VALUES_PARAMETER].split(','), joined].sort().join(',') });
  const trail = (await table('cloudtrail')).Parameters!;
  expect(partitionOf(trail, trailFolder)).toEqual({ account: joined, region: 'eu-central-1', day: '2026/11/23' });
  expect(renderLocation(trail, partitionOf(trail, trailFolder)!)).toBe(trailFolder);
  expect(partitionOf(after.Parameters!, logFolder)).toEqual({ account: joined, partition_region: 'eu-central-1', dt: '2026/11/23/10' });
});

test('moto: a second run with nothing new calls no UpdateTable', async () => {
  await seed();
  await sync();
  const counts = await Promise.all(tableNames.map(versions));
  const versionIds = await Promise.all(tableNames.map(async (n) => (await table(n)).VersionId));
  const again = await sync();
  expect(again).toMatchObject({ updated: [], unchanged: tableNames });
  expect(await Promise.all(tableNames.map(versions))).toEqual(counts);
  expect(await Promise.all(tableNames.map(async (n) => (await table(n)).VersionId))).toEqual(versionIds);
});

test('moto: a table without the account projection fails the run', async () => {
  await seed();
  process.env.TABLE_NAMES = 'missing_projection';
  await glue().send(new CreateTableCommand({ DatabaseName: AUDIT_DATABASE, TableInput: { Name: 'missing_projection', Parameters: { EXTERNAL: 'TRUE' } } }));
  await expect(sync()).rejects.toThrow(`${AUDIT_DATABASE}.missing_projection has no ${ACCOUNT_VALUES_PARAMETER} parameter`);
});
