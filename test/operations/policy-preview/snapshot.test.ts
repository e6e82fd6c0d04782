import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AttachPolicyCommand, CreateAccountCommand, CreateOrganizationalUnitCommand, CreateOrganizationCommand, CreatePolicyCommand,
  DescribeCreateAccountStatusCommand, InvalidInputException, ListPoliciesCommand, ListRootsCommand, MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { takeSnapshot } from '../../../operations/policy-preview/snapshot-reader';
import { parseSnapshot } from '../../../operations/policy-preview/snapshot-schema';

/**
 * The snapshot on the pinned moto server's Organizations: an organization, a nested OU tree, accounts and SCPs/RCPs
 * attached with the SDK, read back with `takeSnapshot` and with the command itself through `AWS_ENDPOINT_URL`.
 * moto 5.2.5 offers SCP, RCP, tag, backup and AI-services opt-out policies; the project's moto extension
 * (emulators/moto/bedrock_guardrail_extension.py) adds `BEDROCK_POLICY`. An endpoint that refuses a type as a filter
 * (InvalidInputException) is a recorded answer here. Nothing here is proof of what AWS enforces.
 */
jest.setTimeout(120_000);

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
let moto: MotoServer;
let client: OrganizationsClient;
const ids: Record<string, string> = {};

const scp = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Action: 'bedrock:CreateProvisionedModelThroughput', Resource: '*' }] });

beforeAll(async () => {
  moto = await startMoto();
  client = new OrganizationsClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await client.send(new ListRootsCommand({}))).Roots![0].Id!;
  ids.root = root;
  ids.workloads = (await client.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
  ids.prod = (await client.send(new CreateOrganizationalUnitCommand({ ParentId: ids.workloads, Name: 'Prod' }))).OrganizationalUnit!.Id!;
  const created = await client.send(new CreateAccountCommand({ AccountName: 'support-chat-prod', Email: 'prod@example.com' }));
  const status = await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus!.Id! }));
  ids.account = status.CreateAccountStatus!.AccountId!;
  await client.send(new MoveAccountCommand({ AccountId: ids.account, SourceParentId: root, DestinationParentId: ids.prod }));
  for (let i = 1; i <= 3; i++) {
    const p = await client.send(new CreatePolicyCommand({ Name: `genai-governance-scp-workload-ous-${i}`, Description: 'test', Type: 'SERVICE_CONTROL_POLICY', Content: scp(`BRAIP1Deny${i}`) }));
    ids[`scp${i}`] = p.Policy!.PolicySummary!.Id!;
    await client.send(new AttachPolicyCommand({ PolicyId: ids[`scp${i}`], TargetId: i === 3 ? ids.account : ids.prod }));
  }
  const rcp = await client.send(new CreatePolicyCommand({
    Name: 'genai-governance-rcp-evidence-accounts-1',
    Description: 'test',
    Type: 'RESOURCE_CONTROL_POLICY',
    Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ORGPERIM1Deny', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-example' } } }] }),
  }));
  ids.rcp = rcp.Policy!.PolicySummary!.Id!;
  await client.send(new AttachPolicyCommand({ PolicyId: ids.rcp, TargetId: ids.account }));
  const bedrock = await client.send(new CreatePolicyCommand({
    Name: 'genai-governance-bedrock-guardrail-eu-central-1',
    Description: 'test',
    Type: 'BEDROCK_POLICY',
    Content: JSON.stringify({ bedrock: { guardrail_inference: { 'eu-central-1': { config_1: { identifier: { '@@assign': 'arn:aws:bedrock:eu-central-1:111122223333:guardrail/abc123def456:1' } } } } } }),
  }));
  ids.bedrock = bedrock.Policy!.PolicySummary!.Id!;
  await client.send(new AttachPolicyCommand({ PolicyId: ids.bedrock, TargetId: root }));
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

test('on moto: the tree, every SCP, RCP and Bedrock policy with its targets', async () => {
  const snapshot = await takeSnapshot(client, { now: new Date('2026-12-07T00:00:00Z') });
  expect(snapshot.organization.roots.map((r) => r.id)).toEqual([ids.root]);
  expect(snapshot.organization.organizationalUnits).toEqual(expect.arrayContaining([
    { id: ids.workloads, name: 'Workloads', parentId: ids.root }, { id: ids.prod, name: 'Prod', parentId: ids.workloads },
  ]));
  expect(snapshot.organization.accounts).toContainEqual({ id: ids.account, name: 'support-chat-prod', parentId: ids.prod });
  const byName = new Map(snapshot.policies.map((p) => [p.name, p]));
  expect(byName.get('genai-governance-scp-workload-ous-1')).toMatchObject({ id: ids.scp1, type: 'SERVICE_CONTROL_POLICY', awsManaged: false, targetIds: [ids.prod] });
  expect(byName.get('genai-governance-scp-workload-ous-3')!.targetIds).toEqual([ids.account]);
  expect((byName.get('genai-governance-scp-workload-ous-2')!.content as any).Statement[0].Sid).toBe('BRAIP1Deny2');
  expect(byName.get('genai-governance-rcp-evidence-accounts-1')).toMatchObject({ type: 'RESOURCE_CONTROL_POLICY', targetIds: [ids.account] });
  expect(byName.get('FullAWSAccess')).toMatchObject({ awsManaged: true, targetIds: expect.arrayContaining([ids.root]) });
  expect(snapshot.policyTypes.SERVICE_CONTROL_POLICY).toEqual({ status: 'read' });
  expect(snapshot.policyTypes.RESOURCE_CONTROL_POLICY).toEqual({ status: 'read' });
  expect(snapshot.policyTypes.BEDROCK_POLICY).toEqual({ status: 'read' });
  expect(byName.get('genai-governance-bedrock-guardrail-eu-central-1')).toMatchObject({ id: ids.bedrock, type: 'BEDROCK_POLICY', targetIds: [ids.root] });
});

test('a type the endpoint refuses as a filter (recorded InvalidInputException) is recorded as unsupported; the others are read', async () => {
  const refusing = new OrganizationsClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  refusing.middlewareStack.add((next) => async (args) => {
    if (args.input && (args.input as { Filter?: string }).Filter === 'BEDROCK_POLICY') {
      throw new InvalidInputException({ message: 'You provided a value that does not match the required pattern.', $metadata: { httpStatusCode: 400 } });
    }
    return next(args);
  }, { step: 'initialize', name: 'refuse-bedrock-policy' });
  try {
    const snapshot = await takeSnapshot(refusing, { now: new Date('2026-12-07T00:00:00Z') });
    expect(snapshot.policyTypes.BEDROCK_POLICY).toMatchObject({ status: 'unsupported', message: expect.stringContaining('InvalidInputException') });
    expect(snapshot.policyTypes.SERVICE_CONTROL_POLICY).toEqual({ status: 'read' });
    expect(snapshot.policies.some((p) => p.type === 'BEDROCK_POLICY')).toBe(false);
  } finally {
    refusing.destroy();
  }
});

test('on moto: one item a page (moto paginates ListPolicies, ListOrganizationalUnitsForParent, ListAccountsForParent) reads the same', async () => {
  const firstPage = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', MaxResults: 1 }));
  expect(firstPage.NextToken).toBeDefined(); // the pages are real
  const now = new Date('2026-12-07T00:00:00Z');
  expect(await takeSnapshot(client, { now, pageSize: 1 })).toEqual(await takeSnapshot(client, { now }));
});

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', '..', 'operations', 'policy-preview', 'snapshot-cli.ts');
const tsNode = (args: string[], env: Record<string, string>) => run('npx', ['ts-node', '--transpile-only', '-P', 'tsconfig.json', CLI, ...args],
  { cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, ...CREDENTIALS, ...env } });

test('on moto: the command honours AWS_ENDPOINT_URL and writes a file that parses against the schema', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'policy-snapshot-')), 'deployed.json');
  const { stdout } = await tsNode(['--', '--out', out], { AWS_ENDPOINT_URL: moto.endpoint });
  expect(stdout).toMatch(/policies, 2 OUs, \d+ accounts written/);
  const snapshot = parseSnapshot(readFileSync(out, 'utf8'), out);
  expect(snapshot.endpoint).toBe(moto.endpoint);
  expect(snapshot.policies.filter((p) => p.name.startsWith('genai-governance-'))).toHaveLength(5);
});

test('an endpoint that does not answer: exit 1, a clear message, nothing written', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'policy-snapshot-')), 'deployed.json');
  const failed = await tsNode(['--out', out], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' }).then(() => undefined, (e) => e);
  expect(failed?.code).toBe(1);
  expect(failed.stderr).toMatch(/policy:snapshot: .*nothing written/);
  expect(existsSync(out)).toBe(false);
});

test('a bad command line: exit 1 with the usage; --help: exit 0', async () => {
  const failed = await tsNode(['--outt', 'x.json'], {}).then(() => undefined, (e) => e);
  expect(failed?.code).toBe(1);
  expect(failed.stderr).toContain('unknown option --outt');
  const help = await tsNode(['--help'], {});
  expect(help.stdout).toContain('Usage: npx projen policy:snapshot -- --out FILE');
});
