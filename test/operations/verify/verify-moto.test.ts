import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteModelInvocationLoggingConfigurationCommand, GetModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteAlarmsCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { GetTableCommand, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import {
  AddLFTagsToResourceCommand, CreateLFTagCommand, DeleteLFTagCommand, GetDataLakeSettingsCommand, GrantPermissionsCommand,
  PutDataLakeSettingsCommand, RemoveLFTagsFromResourceCommand, RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import {
  ListClassificationJobsCommand, UpdateClassificationJobCommand, UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-macie2';
import { AttachPolicyCommand, DescribePolicyCommand, DetachPolicyCommand, ListPoliciesCommand, UpdatePolicyCommand } from '@aws-sdk/client-organizations';
import { PutObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { readAssembly, resourcesOf, type Assembly } from '../../../operations/verify/assembly';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import type { InvocationLoggingShape } from '../../../operations/verify/facts-invocation-logging';
import type { Finding, VerifyReport } from '../../../operations/verify/finding';
import { LOCAL_BASE_CREDENTIALS, literalOnly, seedClients, type SeedClients } from '../../../operations/verify/local/seed-clients';
import { seedEstate } from '../../../operations/verify/local/seed-estate';
import { seedTagAssociations } from '../../../operations/verify/local/seed-governance-services';
import type { SeededOrganization } from '../../../operations/verify/local/seed-organization';
import { runVerify } from '../../../operations/verify/run-verify';
import { verify } from '../../../operations/verify/verify';
import { organizationControls } from '../../../policies/organization-controls';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';
import { metadataOnlyEstate } from '../../support/metadata-only-estate';

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

function exampleFacts() {
  return expectedFacts(assembly, config);
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
    'trail-event-selectors', 'bucket-object-lock', 'alarm', 'contract-parameter', 'glue-table-projection', 'lf-tag', 'lf-tag-association',
    'lf-grant', 'lf-data-lake-settings', 'invocation-logging', 'macie-administrator', 'macie-organization', 'macie-classification-job',
    'guardrail', 'security-hub-standard', 'config-recorder', 'conformance-pack']));
});

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
});

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
});

test('a stopped organization trail is one CT-1 drift from GetTrailStatus', async () => {
  const findings = await withDrift(management, home, async (c) => {
    await c.cloudtrail.send(new StopLoggingCommand({ Name: config.trail.name }));
    return async () => { await c.cloudtrail.send(new StartLoggingCommand({ Name: config.trail.name })); };
  });
  expect(findings.map((f) => [f.control, f.account, f.region, f.expected, f.found, f.call])).toEqual([
    ['CT-1', management, home, { IsLogging: true }, { IsLogging: false }, `cloudtrail:GetTrailStatus ${config.trail.name}`],
  ]);
});

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
});

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
});

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
});

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
});

test('a removed LF-tag is one LF-1 drift from GetLFTag and one per resource that carried it (moto answers a deleted tag with no values, Lake Formation with EntityNotFoundException)', async () => {
  const analytics = templateOf('GovernanceAuditAnalytics');
  const [, tag] = resourcesOf(analytics, 'AWS::LakeFormation::Tag')[0];
  const carriers = exampleFacts().filter((f) => f.kind === 'lf-tag-association'
    && (f.expected as { tags: { TagKey: string }[] }).tags.some((t) => t.TagKey === tag.TagKey)).map((f) => f.subject);
  const findings = await withDrift(audit, home, async (c) => {
    await c.lakeformation.send(new DeleteLFTagCommand({ CatalogId: audit, TagKey: String(tag.TagKey) }));
    return async () => {
      await c.lakeformation.send(new CreateLFTagCommand({ CatalogId: audit, TagKey: String(tag.TagKey), TagValues: tag.TagValues as string[] }));
      await seedTagAssociations(c, analytics, { account: audit, region: home });
    };
  });
  expect(carriers.length).toBeGreaterThan(0);
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject, f.call]).sort()).toEqual([
    ['drift', 'LF-1', audit, home, tag.TagKey, `lakeformation:GetLFTag ${String(tag.TagKey)}`],
    ...carriers.map((subject) => ['drift', 'LF-1', audit, home, subject, `lakeformation:GetResourceLFTags ${subject}`]),
  ].sort());
  const tagFinding = findings.find((f) => f.subject === tag.TagKey)!;
  expect(tagFinding.found === null || (tagFinding.found as { TagValues: string[] }).TagValues.length === 0).toBe(true);
});

test('model-invocation logging turned off in one member account × Region is one BL-LOG-1 drift there, found as null', async () => {
  const target = exampleFacts().find((f) => f.kind === 'invocation-logging')!;
  const findings = await withDrift(target.account, target.region, async (c) => {
    const { loggingConfig } = await c.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    await c.bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    return async () => { await c.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.found, f.call])).toEqual([
    ['drift', 'BL-LOG-1', target.account, target.region, null, 'bedrock:GetModelInvocationLoggingConfiguration'],
  ]);
});

test('prompt text no longer delivered to the logs is one BL-LOG-1 drift naming the delivery flag', async () => {
  const target = exampleFacts().filter((f) => f.kind === 'invocation-logging').at(-1)!;
  const findings = await withDrift(target.account, target.region, async (c) => {
    const { loggingConfig } = await c.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    await c.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: { ...loggingConfig, textDataDeliveryEnabled: false } }));
    return async () => { await c.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig })); };
  });
  expect(findings).toHaveLength(1);
  expect(findings[0]).toMatchObject({ status: 'drift', control: 'BL-LOG-1', account: target.account, region: target.region });
  expect((findings[0].found as { delivery: Record<string, boolean> }).delivery).toMatchObject({ text: false, image: true });
});

test('with Workloads/Prod metadata-only, its accounts logging bodies (as seeded) are one BL-LOG-1 drift per account × Region; metadata only passes', async () => {
  const variant = metadataOnlyEstate(['Workloads/Prod']);
  const prod = variant.config.accounts.filter((a) => a.organizationalUnit === 'Workloads/Prod').map((a) => a.id);
  const facts = expectedFacts(variant.assembly, variant.config).filter((f) => f.kind === 'invocation-logging');
  const delivery = (f: { expected?: unknown; found?: unknown }, key: 'expected' | 'found') => (f[key] as InvocationLoggingShape).delivery;
  const none = { text: false, image: false, embedding: false, video: false, audio: false };
  const where = (accounts: string[]) => accounts.flatMap((a) => config.organization.governedRegions.map((r) => [a, r])).sort();
  expect(prod.length).toBeGreaterThan(0);
  expect(facts.filter((f) => prod.includes(f.account)).map((f) => [f.account, f.region, delivery(f, 'expected')]).sort())
    .toEqual(where(prod).map(([a, r]) => [a, r, none]));
  expect(facts.filter((f) => !prod.includes(f.account)).every((f) => Object.values(delivery(f, 'expected')).every(Boolean))).toBe(true);
  const controlIds = organizationControls(config).map((c) => c.controlId);
  const options = { endpoint: moto.endpoint, assembly: directory, homeRegion: home, controlIds };
  const drifts = (await verify(facts, options)).findings.filter((f) => f.status !== 'pass');
  expect(drifts.map((f) => [f.status, f.control, f.account, f.region, delivery(f, 'found')]).sort())
    .toEqual(where(prod).map(([a, r]) => ['drift', 'BL-LOG-1', a, r, { text: true, image: true, embedding: true, video: true, audio: true }]));
  const [account, region] = where(prod)[0];
  const clients = await seedClients(moto.endpoint, account, region);
  try {
    const { loggingConfig } = await clients.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    const metadataOnly = Object.fromEntries(Object.keys(none).map((kind) => [`${kind}DataDeliveryEnabled`, false]));
    await clients.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: { ...loggingConfig, ...metadataOnly } }));
    try {
      const after = (await verify(facts, options)).findings.filter((f) => f.status !== 'pass');
      expect(after.map((f) => [f.account, f.region]).sort()).toEqual(where(prod).slice(1));
    } finally {
      await clients.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
    }
  } finally {
    clients.destroy();
  }
});

test('a removed LF-tag association (the domain tag off the invocation_logs table) is one LF-1 drift from GetResourceLFTags', async () => {
  const resource = { Table: { CatalogId: audit, DatabaseName: 'genai_governance_audit', Name: 'invocation_logs' } };
  const domain = { CatalogId: audit, TagKey: 'domain', TagValues: ['model-invocations'] };
  const findings = await withDrift(audit, home, async (c) => {
    await c.lakeformation.send(new RemoveLFTagsFromResourceCommand({ CatalogId: audit, Resource: resource, LFTags: [domain] }));
    return async () => {
      const classification = { CatalogId: audit, TagKey: 'classification', TagValues: ['internal'] };
      await c.lakeformation.send(new AddLFTagsToResourceCommand({ CatalogId: audit, Resource: resource, LFTags: [classification, domain] }));
    };
  });
  expect(findings.map((f) => [f.status, f.control, f.subject, f.call])).toEqual([
    ['drift', 'LF-1', 'genai_governance_audit.invocation_logs', 'lakeformation:GetResourceLFTags genai_governance_audit.invocation_logs'],
  ]);
  expect((findings[0].found as { tags: { TagKey: string }[] }).tags.map((t) => t.TagKey)).toEqual(['classification']);
});

test('a revoked grant (SELECT of the investigator on confidential tables) is one LF-1 drift from ListPermissions', async () => {
  const grant = exampleFacts().find((f) => f.kind === 'lf-grant' && f.subject.startsWith('genai-governance-investigator on TABLE'))!;
  const { principal, resource } = grant.expected as { principal: string; resource: Record<string, never> };
  const findings = await withDrift(audit, home, async (c) => {
    const grantOf = { CatalogId: audit, Principal: { DataLakePrincipalIdentifier: principal }, Resource: resource };
    await c.lakeformation.send(new RevokePermissionsCommand({ ...grantOf, Permissions: ['SELECT'] }));
    return async () => { await c.lakeformation.send(new GrantPermissionsCommand({ ...grantOf, Permissions: ['SELECT'] })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.subject, (f.found as { permissions: string[] }).permissions])).toEqual([
    ['drift', 'LF-1', grant.subject, ['DESCRIBE']],
  ]);
});

test('Macie no longer enabling the accounts that join is one MAC-1 drift in the audit account and that Region', async () => {
  const findings = await withDrift(audit, home, async (c) => {
    await c.macie2.send(new UpdateOrganizationConfigurationCommand({ autoEnable: false }));
    return async () => { await c.macie2.send(new UpdateOrganizationConfigurationCommand({ autoEnable: true })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, (f.found as { autoEnable: boolean }).autoEnable])).toEqual([
    ['drift', 'MAC-1', audit, home, false],
  ]);
});

test('new databases defaulting to "use only IAM access control" again is one LF-1 drift from GetDataLakeSettings', async () => {
  const iamOnly = [{ Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' }, Permissions: ['ALL' as const] }];
  const findings = await withDrift(audit, home, async (c) => {
    const { DataLakeSettings: settings } = await c.lakeformation.send(new GetDataLakeSettingsCommand({ CatalogId: audit }));
    const changed = { ...settings, CreateDatabaseDefaultPermissions: iamOnly };
    await c.lakeformation.send(new PutDataLakeSettingsCommand({ CatalogId: audit, DataLakeSettings: changed }));
    return async () => { await c.lakeformation.send(new PutDataLakeSettingsCommand({ CatalogId: audit, DataLakeSettings: settings })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.subject, f.call])).toEqual([
    ['drift', 'LF-1', audit, 'data-lake-settings', 'lakeformation:GetDataLakeSettings'],
  ]);
  expect(findings[0].expected).toMatchObject({ createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [] });
  expect(findings[0].found).toMatchObject({ createDatabaseDefaultPermissions: [{ principal: 'IAM_ALLOWED_PRINCIPALS', permissions: ['ALL'] }] });
  expect((findings[0].found as { admins: string[] }).admins).toEqual((findings[0].expected as { admins: string[] }).admins);
});

test('the classification job over the invocation-log archive paused is one MAC-1 drift naming its status', async () => {
  const job = exampleFacts().find((f) => f.kind === 'macie-classification-job')!;
  const findings = await withDrift(audit, home, async (c) => {
    const { items } = await c.macie2.send(new ListClassificationJobsCommand({}));
    const jobId = items!.find((i) => i.name === job.subject)!.jobId!;
    await c.macie2.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'USER_PAUSED' }));
    return async () => { await c.macie2.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'RUNNING' })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject, (f.found as { status: string }).status])).toEqual([
    ['drift', 'MAC-1', audit, home, 'genai-governance-invocation-log-archive', 'USER_PAUSED'],
  ]);
  expect(job.expected).toMatchObject({ status: 'RUNNING or IDLE', buckets: [{ accountId: logArchive, buckets: [`genai-governance-invocation-log-archive-${logArchive}`] }] });
});

test('the Bedrock policy naming the guardrail\'s DRAFT instead of its version is one BR-GR-1 drift in that Region (guardrails and the policy type from the emulator\'s extension)', async () => {
  const fact = exampleFacts().find((f) => f.kind === 'guardrail' && f.region === 'eu-west-1')!;
  const { policy } = fact.expected as { policy: string };
  const findings = await withDrift(management, home, async (c) => {
    const id = (await c.organizations.send(new ListPoliciesCommand({ Filter: 'BEDROCK_POLICY' }))).Policies!.find((p) => p.Name === policy)!.Id!;
    const original = (await c.organizations.send(new DescribePolicyCommand({ PolicyId: id }))).Policy!.Content!;
    await c.organizations.send(new UpdatePolicyCommand({ PolicyId: id, Content: original.replace(/(guardrail\/[a-z0-9]+):\d+/, '$1:DRAFT') }));
    return async () => { await c.organizations.send(new UpdatePolicyCommand({ PolicyId: id, Content: original })); };
  });
  expect(findings.map((f) => [f.status, f.control, f.account, f.region, f.subject])).toEqual([['drift', 'BR-GR-1', management, 'eu-west-1', fact.subject]]);
  expect(findings[0].found).toMatchObject({ guardrail: fact.subject, policyNames: expect.stringMatching(/:guardrail\/[a-z0-9]+:DRAFT$/), versionStatus: null });
});

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
});
