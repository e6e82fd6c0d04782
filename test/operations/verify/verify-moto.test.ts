import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteAlarmsCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { GetTableCommand, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { CreateLFTagCommand, DeleteLFTagCommand } from '@aws-sdk/client-lakeformation';
import { AttachPolicyCommand, DescribePolicyCommand, DetachPolicyCommand, UpdatePolicyCommand } from '@aws-sdk/client-organizations';
import { PutObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { readAssembly, resourcesOf, type Assembly } from '../../../operations/verify/assembly';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import type { Finding, VerifyReport } from '../../../operations/verify/finding';
import { LOCAL_BASE_CREDENTIALS, literalOnly, seedClients, type SeedClients } from '../../../operations/verify/local/seed-clients';
import { seedEstate } from '../../../operations/verify/local/seed-estate';
import type { SeededOrganization } from '../../../operations/verify/local/seed-organization';
import { runVerify } from '../../../operations/verify/run-verify';
import { verify } from '../../../operations/verify/verify';
import { organizationControls } from '../../../policies/organization-controls';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/*
 * The verifier against moto seeded with the example estate (one server for the file, seeded once): a clean seed gives a
 * clean report, and each drift moto can hold, injected one after another and undone, gives exactly its one finding.
 * moto does not enforce SCPs, RCPs, Object Lock compliance mode or IAM: these tests prove what the verifier reads and
 * reports, never what AWS would allow.
 */

const config = exampleConfig();
const management = '318274650913';
const logArchive = '402761958314';
const audit = '527038146692';
const home = config.organization.homeRegion;
let moto: MotoServer;
let assembly: Assembly;
let directory: string;
let organization: SeededOrganization;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = LOCAL_BASE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_BASE_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  directory = exampleAssemblyDirectory();
  assembly = readAssembly(directory);
  moto = await startMoto();
  organization = await seedEstate(moto.endpoint, assembly, config);
}, 180_000);

afterAll(async () => {
  await moto?.stop();
  for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_SESSION_TOKEN', saved.token]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function verifyEstate(): Promise<VerifyReport> {
  return runVerify({ assemblyDirectory: directory, config, endpoint: moto.endpoint });
}

/** Runs `change` in `account` × `region`, verifies, undoes, and returns what was not `pass`. */
async function withDrift(account: string, region: string, change: (c: SeedClients) => Promise<() => Promise<void>>): Promise<Finding[]> {
  const clients = await seedClients(moto.endpoint, account, region);
  try {
    const undo = await change(clients);
    try {
      return (await verifyEstate()).findings.filter((f) => f.status !== 'pass');
    } finally {
      await undo();
    }
  } finally {
    clients.destroy();
  }
}

function templateOf(stackName: string) {
  return assembly.stacks.find((s) => s.stackName === stackName)!.template;
}

test('a clean seed of the example estate gives a report with every fact pass, every kind of fact among them', async () => {
  const report = await verifyEstate();
  const facts = expectedFacts(assembly, config);
  expect(report.findings.filter((f) => f.status !== 'pass')).toEqual([]);
  expect(report.summary).toEqual({ pass: facts.length, drift: 0, unreadable: 0 });
  expect(new Set(facts.map((f) => f.kind))).toEqual(new Set(['org-policy-statements', 'org-policy-targets', 'trail-settings', 'trail-logging',
    'trail-event-selectors', 'bucket-object-lock', 'alarm', 'contract-parameter', 'glue-table-projection', 'lf-tag']));
}, 60_000);

test('an edited SCP (one ORG-TAMPER-LEAVE action removed) is one ORG-TAMPER-LEAVE drift of that policy', async () => {
  const id = organization.policyIds.get('genai-governance-scp-root-1')!;
  const findings = await withDrift(management, home, async (c) => {
    const original = (await c.organizations.send(new DescribePolicyCommand({ PolicyId: id }))).Policy!.Content!;
    const content = JSON.parse(original) as { Statement: { Sid: string; Action: string[] | string }[] };
    const leave = content.Statement.find((s) => s.Sid.startsWith('ORGTAMPERLEAVE'))!;
    leave.Action = [leave.Action].flat().slice(1).concat('organizations:DescribeOrganization');
    await c.organizations.send(new UpdatePolicyCommand({ PolicyId: id, Content: JSON.stringify(content) }));
    return async () => { await c.organizations.send(new UpdatePolicyCommand({ PolicyId: id, Content: original })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject, f.call])).toEqual([
    ['drift', 'ORG-TAMPER-LEAVE', management, 'global', 'genai-governance-scp-root-1', 'organizations:DescribePolicy genai-governance-scp-root-1'],
  ]);
  expect(JSON.stringify(findings[0].found)).toContain('organizations:DescribeOrganization');
}, 60_000);

test('a detached SCP (the workload-OU policy off Sandbox) is one drift of its targets', async () => {
  const id = organization.policyIds.get('genai-governance-scp-workload-ous-1')!;
  const sandbox = organization.ouIds.get('Sandbox')!;
  const findings = await withDrift(management, home, async (c) => {
    await c.organizations.send(new DetachPolicyCommand({ PolicyId: id, TargetId: sandbox }));
    return async () => { await c.organizations.send(new AttachPolicyCommand({ PolicyId: id, TargetId: sandbox })); };
  });
  expect(findings).toHaveLength(1);
  expect(findings[0]).toMatchObject({
    status: 'drift',
    account: management,
    region: 'global',
    subject: 'genai-governance-scp-workload-ous-1',
    expected: ['Sandbox', 'Workloads/NonProd', 'Workloads/Prod'],
    found: ['Workloads/NonProd', 'Workloads/Prod'],
    call: 'organizations:ListTargetsForPolicy genai-governance-scp-workload-ous-1',
  });
  expect(findings[0].control.split(',')).toContain('BR-MODEL-1');
}, 60_000);

test('a stopped organization trail is one CT-1 drift from GetTrailStatus', async () => {
  const findings = await withDrift(management, home, async (c) => {
    await c.cloudtrail.send(new StopLoggingCommand({ Name: config.trail.name }));
    return async () => { await c.cloudtrail.send(new StartLoggingCommand({ Name: config.trail.name })); };
  });
  expect(findings.map((f) => [f.control, f.account, f.region, f.expected, f.found, f.call])).toEqual([
    ['CT-1', management, home, { IsLogging: true }, { IsLogging: false }, `cloudtrail:GetTrailStatus ${config.trail.name}`],
  ]);
}, 60_000);

test('a shortened Object Lock retention on the trail archive is one ARC-1 drift (moto lets compliance mode be shortened; S3 does not)', async () => {
  const bucket = `genai-governance-trail-archive-${logArchive}`;
  const findings = await withDrift(logArchive, home, async (c) => {
    const rule = (days: number) => ({ ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'COMPLIANCE' as const, Days: days } } });
    await c.s3.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: rule(30) }));
    return async () => {
      await c.s3.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: rule(config.retention.objectLockDays) }));
    };
  });
  expect(findings.map((f) => [f.control, f.account, f.subject, (f.expected as { Days: number }).Days, (f.found as { Days: number }).Days])).toEqual([
    ['ARC-1', logArchive, bucket, config.retention.objectLockDays, 30],
  ]);
}, 60_000);

test('a removed member alarm is one BL-MON-1 drift in that account and Region only', async () => {
  const member = assembly.members.find((m) => resourcesOf(m.template, 'AWS::CloudWatch::Alarm').length > 0)!;
  const [, alarm] = resourcesOf(member.template, 'AWS::CloudWatch::Alarm')[0];
  const account = '853069217446';
  const findings = await withDrift(account, 'eu-west-1', async (c) => {
    await c.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [String(alarm.AlarmName)] }));
    return async () => { await c.cloudwatch.send(new PutMetricAlarmCommand(literalOnly(alarm) as PutMetricAlarmCommandInput)); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject, f.found])).toEqual([
    ['drift', 'BL-MON-1', account, 'eu-west-1', alarm.AlarmName, null],
  ]);
}, 60_000);

test('a deleted contract parameter is one drift of the control it belongs to (guardrail version: BL-GR-1)', async () => {
  const account = '741852096357';
  const name = '/genai-governance/workload/guardrail-version';
  const findings = await withDrift(account, home, async (c) => {
    await c.ssm.send(new DeleteParameterCommand({ Name: name }));
    return async () => { await c.ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: 'restored' })); };
  });
  expect(findings.map((f) => [f.control, f.account, f.region, f.subject, f.expected, f.found])).toEqual([
    ['BL-GR-1', account, home, name, { Type: 'String' }, null],
  ]);
}, 60_000);

test('a changed partition-projection property is one LF-1 drift of that table', async () => {
  const analytics = templateOf('GovernanceAuditAnalytics');
  const [, table] = resourcesOf(analytics, 'AWS::Glue::Table').find(([, p]) => (p.TableInput as { Name: string }).Name === 'invocation_logs')!;
  const database = String(table.DatabaseName);
  const findings = await withDrift(audit, home, async (c) => {
    const current = (await c.glue.send(new GetTableCommand({ DatabaseName: database, Name: 'invocation_logs' }))).Table!;
    const input = (parameters: Record<string, string>): TableInput => ({
      Name: current.Name,
      TableType: current.TableType,
      PartitionKeys: current.PartitionKeys,
      StorageDescriptor: current.StorageDescriptor,
      Parameters: parameters,
    });
    await c.glue.send(new UpdateTableCommand({
      DatabaseName: database, TableInput: input({ ...current.Parameters, 'projection.partition_region.values': 'eu-central-1' }),
    }));
    return async () => { await c.glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input(current.Parameters!) })); };
  });
  expect(findings.map((f) => [f.control, f.account, f.subject, (f.found as Record<string, string>)['projection.partition_region.values']])).toEqual([
    ['LF-1', audit, `${database}.invocation_logs`, 'eu-central-1'],
  ]);
}, 60_000);

test('a removed LF-tag is one LF-1 drift from GetLFTag (moto answers a deleted tag with no values, Lake Formation with EntityNotFoundException)', async () => {
  const [, tag] = resourcesOf(templateOf('GovernanceAuditAnalytics'), 'AWS::LakeFormation::Tag')[0];
  const findings = await withDrift(audit, home, async (c) => {
    await c.lakeformation.send(new DeleteLFTagCommand({ CatalogId: audit, TagKey: String(tag.TagKey) }));
    return async () => {
      await c.lakeformation.send(new CreateLFTagCommand({ CatalogId: audit, TagKey: String(tag.TagKey), TagValues: tag.TagValues as string[] }));
    };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject, f.call])).toEqual([
    ['drift', 'LF-1', audit, home, tag.TagKey, `lakeformation:GetLFTag ${String(tag.TagKey)}`],
  ]);
  expect(findings[0].found === null || (findings[0].found as { TagValues: string[] }).TagValues.length === 0).toBe(true);
}, 60_000);

test('a call that keeps failing (503 on every GetTrailStatus, from a proxy in front of moto) is that one fact unreadable; every other fact passes', async () => {
  let refused = 0;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (String(req.headers['x-amz-target'] ?? '').endsWith('.GetTrailStatus')) {
        refused++;
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'injected' }));
        return;
      }
      const target = new URL(moto.endpoint);
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const report = await verify(expectedFacts(assembly, config), {
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      assembly: directory,
      homeRegion: home,
      maxAttempts: 3,
      controlIds: organizationControls(config).map((c) => c.controlId),
    });
    expect(report.findings.filter((f) => f.status !== 'pass').map((f) => [f.status, f.control, f.call, (f.found as { error: string }).error])).toEqual([
      ['unreadable', 'CT-1', `cloudtrail:GetTrailStatus ${config.trail.name}`, 'ServiceUnavailableException'],
    ]);
    expect(refused).toBe(3);
  } finally {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
}, 60_000);
