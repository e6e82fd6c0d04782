import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../../config/load';
import { APP_CONTEXT, CLI_CONTEXT } from '../../stacks/app-context';
import { STACK_IDS } from '../../stacks/estate';
import { SUMMARY_FILE, assemblyDirectoryOf } from '../../stacks/summary-file';
import { freshBuildAssembly, MAIN_JOB_LOG } from '../support/build-assembly';
import { PROJECT_ROOT } from '../support/run-app';

/**
 * Runs the README's main job, `npx projen synth <args>`, offline (no AWS credentials) as a user's terminal shows it:
 * stdout and stderr interleaved in the order they were written (one pipe for both).
 */
function mainJob(...args: string[]) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'governance-main-job-'));
  const result = spawnSync('bash', ['-c', 'npx projen synth -o "$OUTDIR" "$@" 2>&1', 'main-job', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production', OUTDIR: outdir, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-offline' },
  });
  return { status: result.status, stdout: result.stdout, outdir };
}

/**
 * The build's compile step has run this same job (build-tools/typecheck-and-synth.sh): its output and assembly, when they
 * are of the current tree (test/support/build-assembly.ts); otherwise the job runs here.
 */
function mainJobOfBuildOrRun() {
  const built = freshBuildAssembly();
  return built ? { status: 0, stdout: readFileSync(path.join(built, MAIN_JOB_LOG), 'utf8'), outdir: built } : mainJob();
}

describe('main job: npx projen synth synthesizes the example organization offline and prints the summary last', () => {
  const run = mainJobOfBuildOrRun();

  test('ends with the summary: the CDK CLI\'s own lines come before it, and it has no feature flag left unconfigured', () => {
    expect(run.status).toBe(0);
    const summary = readFileSync(path.join(run.outdir, SUMMARY_FILE), 'utf8');
    const lastLine = (text: string) => text.split('\n').filter((l) => l.trim() !== '').pop();
    expect(lastLine(run.stdout)).toBe(lastLine(summary));
    expect(run.stdout.trimEnd().endsWith(summary.trimEnd())).toBe(true);
    expect(run.stdout.indexOf('Successfully synthesized to')).toBeLessThan(run.stdout.indexOf(summary));
    expect(run.stdout).not.toMatch(/feature flags are not configured|NOTICES|Newer version of CDK/);
  });

  test('sets every feature flag whose recommended value differs from its unconfigured behaviour (read from the assembly)', () => {
    const manifest = JSON.parse(readFileSync(path.join(run.outdir, 'manifest.json'), 'utf8'));
    const report = Object.values(manifest.artifacts as Record<string, any>).find((a) => a.type === 'cdk:feature-flag-report');
    type FlagReport = { userValue?: unknown; recommendedValue?: unknown; unconfiguredBehavesLike?: { v2?: unknown } };
    const flags = Object.entries(report.properties.flags as Record<string, FlagReport>);
    expect(flags.length).toBeGreaterThan(80);
    const unset = flags.filter(([, f]) => f.userValue === undefined
      && JSON.stringify(f.unconfiguredBehavesLike?.v2 ?? false) !== JSON.stringify(f.recommendedValue)).map(([name]) => name);
    expect(unset).toEqual([]);
    for (const [name, f] of flags) if (name in APP_CONTEXT) expect(f.userValue).toEqual(APP_CONTEXT[name as keyof typeof APP_CONTEXT]);
  });

  test('cdk.json holds the same context as APP_CONTEXT (and the CLI-only settings), so the CLI and the tests agree', () => {
    expect(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context).toEqual(JSON.parse(JSON.stringify({ ...APP_CONTEXT, ...CLI_CONTEXT })));
  });

  const stackIds = [STACK_IDS.management, STACK_IDS.logArchive, STACK_IDS.guardrail('eu-central-1'), STACK_IDS.guardrail('eu-west-1'), STACK_IDS.stackSets];

  test('exits 0 and writes an assembly with the management, log-archive and guardrail stacks', () => {
    expect(run.stdout).not.toMatch(/ERROR/);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(true);
    for (const id of stackIds) expect(existsSync(path.join(run.outdir, `${id}.template.json`))).toBe(true);
  });

  test('lists each stack with its account, Region and resource count', () => {
    const mgmt = JSON.parse(readFileSync(path.join(run.outdir, `${STACK_IDS.management}.template.json`), 'utf8'));
    const count = Object.keys(mgmt.Resources).length;
    expect(run.stdout).toMatch(new RegExp(`${STACK_IDS.management}\\s+318274650913\\s+eu-central-1\\s+${count}\\n`));
    expect(run.stdout).toMatch(new RegExp(`${STACK_IDS.logArchive}\\s+402761958314\\s+eu-central-1\\s+\\d+\\n`));
  });

  test('prints each Organizations policy\'s size against its limit, measured on the synthesized content', () => {
    const mgmt = JSON.parse(readFileSync(path.join(run.outdir, `${STACK_IDS.management}.template.json`), 'utf8'));
    const policies = Object.values(mgmt.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Organizations::Policy');
    expect(policies.length).toBeGreaterThanOrEqual(3);
    const limits: Record<string, number> = { SERVICE_CONTROL_POLICY: 10240, RESOURCE_CONTROL_POLICY: 5120 }; // organization.limits: aws-defaults
    for (const p of policies) {
      const size = JSON.stringify(p.Properties.Content).length;
      expect(run.stdout).toMatch(new RegExp(`${p.Properties.Name}\\s+${p.Properties.Type}\\s+${size} / ${limits[p.Properties.Type]} characters`));
    }
    expect(run.stdout).toMatch(/genai-governance-bedrock-guardrail-eu-central-1\s+BEDROCK_POLICY\s+\d+ \/ 10000 characters/);
  });

  test('prints the slots per target, counting FullAWSAccess and the reserve', () => {
    // organization.limits: aws-defaults (10 SCPs per target) with 1 reserved; the root's SCPs fit one 10,240-character policy.
    expect(run.stdout).toMatch(/Workloads\/Prod ou-4f2k-p4s8j2la\s+SERVICE_CONTROL_POLICY\s+1 \+ 2 \/ 10\n/);
    expect(run.stdout).toMatch(/Root r-4f2k\s+SERVICE_CONTROL_POLICY\s+1 \+ 2 \/ 10\n/);
    expect(run.stdout).toMatch(/account log-archive 402761958314\s+RESOURCE_CONTROL_POLICY\s+1 \+ 1 \/ 5\n/);
    expect(run.stdout).toMatch(/Root r-4f2k\s+BEDROCK_POLICY\s+2 \+ 0 \/ 10\n/);
  });

  test('prints each StackSet with its OUs, Regions, CallAs and template size', () => {
    expect(run.stdout).toMatch(/StackSet targets\n {2}genai-governance-baseline-global: auto-deployed to OUs Workloads\/Prod \(ou-4f2k-p4s8j2la\), Workloads\/NonProd \(ou-4f2k-n6b3e7uf\), Sandbox \(ou-4f2k-s1c5g9wd\) × Regions eu-central-1; SELF; template by TemplateBody, \d+ \/ 51200 bytes/);
  });

  test('writes the member templates as files in the assembly', () => {
    expect(existsSync(path.join(run.outdir, 'assembly-GovernanceBaseline', 'GovernanceBaselineGlobalC675373F.template.json'))).toBe(true);
  });

  test('names the config it was built from', () => {
    expect(run.stdout).toContain(`  config: ${DEFAULT_CONFIG_FILE} (the example organization; choose another with -c config=<path> or GOVERNANCE_CONFIG=<path>)\n`);
  });

  test('lists the stacks by account (management, log archive, audit), then by stack name, in columns as wide as their content', () => {
    const lines = run.stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Stacks (by account: management, log archive, audit, then the others by name; then by stack name)'));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = lines.indexOf('', start);
    const [header, ...rows] = lines.slice(start + 1, end);
    expect(header).toMatch(/^ {2}account\s+stack\s+account id\s+region\s+resources$/);
    const cells = rows.map((r) => r.trim().split(/\s+/));
    const rank = (account: string) => { const i = ['management', 'log-archive', 'audit'].indexOf(account); return i < 0 ? 3 : i; };
    const sorted = [...cells].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(cells).toEqual(sorted);
    expect(cells.map((c) => c[0])).toEqual(expect.arrayContaining(['management', 'log-archive', 'audit']));
    expect(cells.length).toBe(stackIds.length + 11); // + trail, alerts, analytics, Macie, observability and detective per Region, the support-chat tenant, its edge
    // Every column starts where its header does, and the longest stack name still leaves two spaces before the account id.
    const starts = ['account', 'stack', 'account id', 'region', 'resources'].map((title) => header.indexOf(title));
    rows.forEach((row, i) => starts.forEach((at, column) => expect(row.slice(at).startsWith(cells[i][column])).toBe(true)));
    const longest = Math.max(...cells.map((c) => c[1].length));
    expect(header.indexOf('account id') - header.indexOf('stack')).toBe(longest + 2);
  });

  test('says which gates ran at synth and passed, and that cfn-lint and checkov run in npx projen conformance', () => {
    expect(run.stdout).toContain('\nGates\n  ran at synth, all passed: CloudFormation validation in strict mode; cdk-nag AwsSolutions; '
      + 'cdk-nag NIST 800-53 rev 5; cdk-nag HIPAA Security; cfn-guard with the Control Tower rules\n');
    expect(run.stdout).toContain('  cfn-lint and checkov are not run at synth: `npx projen conformance` runs them over every template\n');
  });
});

describe('main job: a failure is shown and the task exits non-zero without a summary', () => {
  test('a config that does not parse: the app\'s report is in the output, the exit status is not 0, no summary follows', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'main-job-bad-')), 'bad.yaml');
    writeFileSync(file, 'Just some prose, not a config.\n');
    const run = mainJob('-c', `config=${file}`);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/\(document\) {2}expected a mapping/);
    expect(run.stdout).not.toContain('Gates\n');
    expect(existsSync(path.join(run.outdir, SUMMARY_FILE))).toBe(false);
  });
});

describe('the summary step finds the assembly where cdk synth wrote it', () => {
  test.each([
    [[], '/default'],
    [['-o', '/a'], '/a'],
    [['-o=/a'], '/a'],
    [['--output', '/a', '-c', 'config=x.yaml'], '/a'],
    [['-c', 'config=x.yaml', '--output=/a', '-o', '/b'], '/b'],
  ])('%j → %s', (args, dir) => {
    expect(assemblyDirectoryOf(args, '/default')).toBe(dir);
  });

  test('an -o without a directory is an error', () => {
    expect(() => assemblyDirectoryOf(['-o'], '/default')).toThrow('-o needs a directory');
  });
});
