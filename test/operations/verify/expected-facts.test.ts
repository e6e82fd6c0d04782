import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { baselineAccounts } from '../../../config/accounts';
import { readAssembly, resourcesOf } from '../../../operations/verify/assembly';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import { controlOfSid } from '../../../operations/verify/facts-organizations';
import { memberTargets } from '../../../operations/verify/member-targets';
import { main } from '../../../operations/verify/verify-cli';
import { organizationControls } from '../../../policies/organization-controls';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/* The facts the verifier expects of the example estate, computed from its assembly and config; and the CLI's refusals. */

const config = exampleConfig();
const assembly = readAssembly(exampleAssemblyDirectory());
const facts = expectedFacts(assembly, config);
const management = assembly.stacks.find((s) => s.stackName === 'GovernanceManagement')!;

test('every statement of every SCP and RCP is in exactly one control\'s statements fact, its Sid naming a catalog control', () => {
  const ids = organizationControls(config).map((c) => c.controlId);
  for (const [, policy] of resourcesOf(management.template, 'AWS::Organizations::Policy')) {
    const statements = (policy.Content as { Statement: { Sid: string }[] }).Statement;
    const inFacts = facts.filter((f) => f.kind === 'org-policy-statements' && f.subject === policy.Name)
      .flatMap((f) => (f.expected as { Sid: string }[]).map((s) => [f.control, s.Sid]));
    expect(inFacts.map(([, sid]) => sid).sort()).toEqual(statements.map((s) => s.Sid).sort());
    for (const [control, sid] of inFacts) expect(controlOfSid(sid, ids)).toBe(control);
  }
});

test('the policies\' targets are expected by name: root, OU paths, account names', () => {
  const targets = Object.fromEntries(facts.filter((f) => f.kind === 'org-policy-targets').map((f) => [f.subject, f.expected]));
  expect(targets['genai-governance-scp-root-1']).toEqual(['root']);
  expect(targets['genai-governance-scp-workload-ous-1']).toEqual([...config.organization.workloadOrganizationalUnits].sort());
  expect(targets['genai-governance-rcp-evidence-accounts-1']).toEqual([`account:${config.topology.audit}`, `account:${config.topology.logArchive}`].sort());
});

test('the member baseline\'s alarms and contract parameters are expected in every baseline account × governed Region', () => {
  const members = new Set(baselineAccounts(config).map((a) => a.id));
  const where = (kind: string) => new Set(facts.filter((f) => f.kind === kind && members.has(f.account)).map((f) => `${f.account}/${f.region}`));
  const expected = new Set([...members].flatMap((a) => config.organization.governedRegions.map((r) => `${a}/${r}`)));
  expect(where('alarm')).toEqual(expected);
  expect(where('contract-parameter')).toEqual(expected);
  expect(facts.filter((f) => f.kind === 'contract-parameter' && !f.subject.includes('/application-inference-profiles/'))
    .every((f) => /^BL-(VPCE|IAM|GR)-1$/.test(f.control))).toBe(true);
});

test('the tenant\'s application profile parameters are expected in the tenant\'s account alone (its StackSet\'s INTERSECTION filter), in its Regions', () => {
  const tenant = config.workloads.supportChat!;
  const tenantAccount = config.accounts.find((a) => a.name === tenant.account)!;
  const member = assembly.members.find((m) => m.groups.some((g) => g.accountFilterType === 'INTERSECTION'))!;
  expect(member.groups.map((g) => [g.accounts, g.accountFilterType])).toEqual([[[tenantAccount.id], 'INTERSECTION']]);
  // A second account in the tenant's OU: the baseline StackSets deploy to it, the tenant's profiles do not.
  const other = { name: 'support-chat-prod-2', id: '111122223333', organizationalUnit: tenantAccount.organizationalUnit };
  const variant = { ...config, accounts: [...config.accounts, other] };
  const variantFacts = expectedFacts(assembly, variant);
  const isProfile = (f: { subject: string }) => f.subject.includes('/application-inference-profiles/');
  const profileFacts = variantFacts.filter((f) => f.kind === 'contract-parameter' && isProfile(f));
  expect(new Set(profileFacts.map((f) => `${f.account}/${f.region}`))).toEqual(new Set(tenant.regions.map((r) => `${tenantAccount.id}/${r}`)));
  expect(new Set(profileFacts.map((f) => f.control))).toEqual(new Set(['BR-AIP-1']));
  const roles = resourcesOf(member.template, 'AWS::SSM::Parameter').length;
  expect([roles, profileFacts.length]).toEqual([4, tenant.regions.length * 4]);
  expect(variantFacts.some((f) => f.kind === 'contract-parameter' && !isProfile(f) && f.account === other.id)).toBe(true);
  // DIFFERENCE: the OU's accounts but the listed one.
  const difference = { ...member, groups: member.groups.map((g) => ({ ...g, accountFilterType: 'DIFFERENCE' as const })) };
  expect(new Set(memberTargets(difference, variant).map((t) => t.account))).toEqual(new Set([other.id]));
});

test('the organization trail is expected multi-Region, validated, encrypted with the log archive\'s key, with Bedrock data events', () => {
  const settings = facts.find((f) => f.kind === 'trail-settings')!;
  expect(settings).toMatchObject({
    control: 'CT-1',
    subject: config.trail.name,
    expected: expect.objectContaining({
      IsMultiRegionTrail: true,
      LogFileValidationEnabled: true,
      IsOrganizationTrail: true,
      KmsKey: { account: '402761958314', region: config.organization.homeRegion },
    }),
  });
  const selectors = facts.find((f) => f.kind === 'trail-event-selectors')!.expected as { Name: string }[];
  expect(selectors.some((s) => s.Name.includes('AWS::Bedrock::Model'))).toBe(true);
});

describe('verify CLI', () => {
  let out = '';
  let err = '';
  beforeEach(() => {
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out += String(chunk); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { err += String(chunk); return true; });
  });
  afterEach(() => jest.restoreAllMocks());

  test('--help prints the options and exits 0', async () => {
    expect(await main(['--help'], {})).toBe(0);
    for (const option of ['--endpoint-url', '--format json|md', '--out DIR', '--assembly DIR']) expect(out).toContain(option);
  });

  test.each([
    [['--format', 'yaml'], '--format must be json, md, html or all'],
    [['--concurrency', '0'], '--concurrency must be an integer'],
    [['--endpoint-url', 'not a url'], '--endpoint-url must be an http(s) URL'],
    [['--bogus'], 'Unknown option'],
  ])('%j exits 2 with a clear error and writes nothing', async (args, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));
    try {
      expect(await main([...args, '--out', dir], {})).toBe(2);
      expect(err).toContain(message);
      expect(() => readFileSync(path.join(dir, 'verify-report.json'))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an assembly directory without manifest.json exits 2 naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));
    try {
      expect(await main(['--assembly', dir], {})).toBe(2);
      expect(err).toContain(`${dir} is not a cloud assembly`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
