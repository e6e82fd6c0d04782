import { DeleteOrganizationConformancePackCommand, StopConfigurationRecorderCommand, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { BatchDisableStandardsCommand, BatchEnableStandardsCommand, BatchImportFindingsCommand, GetEnabledStandardsCommand } from '@aws-sdk/client-securityhub';
import { aiSecurityStandardArn } from '../../../contracts/detective-controls';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { readAssembly, resourcesOf, type Assembly } from '../../../operations/verify/assembly';
import type { Fact } from '../../../operations/verify/fact';
import { detectiveFacts } from '../../../operations/verify/facts-detective';
import type { Finding, VerifyReport } from '../../../operations/verify/finding';
import { LOCAL_BASE_CREDENTIALS, seedClients, type SeedClients } from '../../../operations/verify/local/seed-clients';
import { seedConfigRecorder, seedConformancePack, seedSecurityHubStandard } from '../../../operations/verify/local/seed-governance-services';
import { verify } from '../../../operations/verify/verify';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/*
 * DET-SH-1 and DET-CFG-1's readers against the pinned moto server, seeded as verify:local seeds them: the standards
 * subscriptions come from emulators/moto/securityhub_extension.py and the Bedrock resource types of the recorder from
 * config_extension.py (moto 5.2.5 has neither). A clean seed passes; a disabled standard, a stopped recorder and a
 * deleted pack are one drift each. moto ignores GetFindings' filters: the counts show the reader's parsing of what
 * moto returns, not that AWS would select the same findings. Nothing here shows what AWS enforces.
 */

const config = exampleConfig();
let moto: MotoServer;
let assembly: Assembly;
let facts: Fact[];
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

async function inAccount<T>(account: string, region: string, act: (c: SeedClients) => Promise<T>): Promise<T> {
  const clients = await seedClients(moto.endpoint, account, region);
  try {
    return await act(clients);
  } finally {
    clients.destroy();
  }
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = LOCAL_BASE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_BASE_CREDENTIALS.secretAccessKey;
  assembly = readAssembly(exampleAssemblyDirectory());
  facts = detectiveFacts(assembly, config);
  moto = await startMoto();
  const regional = assembly.members.find((m) => resourcesOf(m.template, 'AWS::Config::ConfigurationRecorder').length > 0)!;
  for (const f of facts.filter((x) => x.kind === 'security-hub-standard')) await inAccount(f.account, f.region, (c) => seedSecurityHubStandard(c, f.region));
  for (const f of facts.filter((x) => x.kind === 'config-recorder')) {
    await inAccount(f.account, f.region, (c) => seedConfigRecorder(c, regional.template, { account: f.account, region: f.region }));
  }
  for (const stack of assembly.stacks.filter((s) => resourcesOf(s.template, 'AWS::Config::OrganizationConformancePack').length > 0)) {
    await inAccount(stack.account, stack.region, (c) => seedConformancePack(c, stack.template));
  }
}, 120_000);

afterAll(async () => {
  await moto?.stop();
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
});

const run = (): Promise<VerifyReport> => verify(facts, { assembly: 'cdk.out', homeRegion: config.organization.homeRegion, controlIds: [], endpoint: moto.endpoint });
const problems = (report: VerifyReport): Finding[] => report.findings.filter((f) => f.status !== 'pass');

test('the example\'s facts: the standard and the recorder in every baseline account × Region, the pack in the audit account × each Region (on moto)', () => {
  const kinds = (kind: string) => facts.filter((f) => f.kind === kind).length;
  const audit = config.accounts.find((a) => a.name === config.topology.audit)!.id;
  expect(kinds('security-hub-standard')).toBe(kinds('config-recorder'));
  expect(kinds('security-hub-standard')).toBe(3 * config.organization.governedRegions.length);
  expect(facts.filter((f) => f.kind === 'conformance-pack').map((f) => [f.account, f.region]).sort())
    .toEqual(config.organization.governedRegions.map((r) => [audit, r]).sort());
});

test('a clean seed: every DET fact passes, and the AWS-managed section has the standard\'s findings and the pack per Region (on moto)', async () => {
  const [first] = facts.filter((f) => f.kind === 'security-hub-standard');
  await inAccount(first.account, first.region, (c) => c.securityhub.send(new BatchImportFindingsCommand({
    Findings: [{
      SchemaVersion: '2018-10-08',
      Id: 'verify-test-1',
      ProductArn: `arn:aws:securityhub:${first.region}::product/aws/securityhub`,
      GeneratorId: 'security-control/BedrockAgentCore.1',
      AwsAccountId: first.account,
      Types: ['Software and Configuration Checks'],
      CreatedAt: '2026-12-07T00:00:00Z',
      UpdatedAt: '2026-12-07T00:00:00Z',
      Severity: { Label: 'MEDIUM' },
      Title: 'runtime outside a VPC',
      Description: 'imported by the test',
      Resources: [{ Type: 'Other', Id: 'runtime-1' }],
      Compliance: { Status: 'FAILED', SecurityControlId: 'BedrockAgentCore.1' },
    }],
  })));
  const report = await run();
  expect(problems(report)).toEqual([]);
  expect(report.summary.pass).toBe(facts.length);
  const hub = report.awsManaged!.filter((o) => o.source === 'security-hub');
  expect(hub).toHaveLength(facts.filter((f) => f.kind === 'security-hub-standard').length);
  const mine = hub.find((o) => o.account === first.account && o.region === first.region);
  expect(mine).toMatchObject({ counts: { FAILED: 1 }, failedControls: ['BedrockAgentCore.1'] });
  const packs = report.awsManaged!.filter((o) => o.source === 'config-conformance');
  expect(packs.map((o) => o.region).sort()).toEqual([...config.organization.governedRegions].sort());
  expect(packs.every((o) => o.source === 'config-conformance' && o.accounts!.length === 1 && o.accounts![0].status === 'CREATE_SUCCESSFUL')).toBe(true);
});

test('the AI standard disabled in one account × Region is one DET-SH-1 drift, found null (on moto)', async () => {
  const [target] = facts.filter((f) => f.kind === 'security-hub-standard');
  await inAccount(target.account, target.region, async (c) => {
    const { StandardsSubscriptions: subscriptions } = await c.securityhub.send(new GetEnabledStandardsCommand({}));
    await c.securityhub.send(new BatchDisableStandardsCommand({ StandardsSubscriptionArns: subscriptions!.map((s) => s.StandardsSubscriptionArn!) }));
  });
  try {
    const found = problems(await run()).map((f) => [f.status, f.control, f.account, f.region, f.found]);
    expect(found).toEqual([['drift', 'DET-SH-1', target.account, target.region, null]]);
  } finally {
    const requests = [{ StandardsArn: aiSecurityStandardArn(target.region) }];
    const enable = new BatchEnableStandardsCommand({ StandardsSubscriptionRequests: requests });
    await inAccount(target.account, target.region, (c) => c.securityhub.send(enable));
  }
});

test('the recorder stopped in one account × Region is one DET-CFG-1 drift (recording: false) (on moto)', async () => {
  const [target] = facts.filter((f) => f.kind === 'config-recorder');
  const name = { ConfigurationRecorderName: target.subject };
  await inAccount(target.account, target.region, (c) => c.config.send(new StopConfigurationRecorderCommand(name)));
  try {
    const found = problems(await run());
    expect(found.map((f) => [f.status, f.control, f.account, f.region])).toEqual([['drift', 'DET-CFG-1', target.account, target.region]]);
    expect(found[0].found).toMatchObject({ name: 'genai-governance-recorder', recording: false });
  } finally {
    await inAccount(target.account, target.region, (c) => c.config.send(new StartConfigurationRecorderCommand(name)));
  }
});

test('the organization pack deleted in one Region is one DET-CFG-1 drift, found null; last, as the pack is not put back (on moto)', async () => {
  const [target] = facts.filter((f) => f.kind === 'conformance-pack');
  const pack = { OrganizationConformancePackName: target.subject };
  await inAccount(target.account, target.region, (c) => c.config.send(new DeleteOrganizationConformancePackCommand(pack)));
  const found = problems(await run());
  const rows = found.map((f) => [f.status, f.control, f.account, f.region, f.found]);
  expect(rows).toEqual([['drift', 'DET-CFG-1', target.account, target.region, null]]);
});
