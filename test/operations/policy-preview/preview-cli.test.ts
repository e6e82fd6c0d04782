import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENT_IDS, fixture } from './fixtures/fixtures';

/** The command as the pipeline runs it: exit 0 with DIR/preview.json's `changed`, exit 1 and nothing written on bad input. */
jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'operations', 'policy-preview', 'preview-cli.ts');
const run = promisify(execFile);
const preview = (args: string[], env: Record<string, string> = {}) => run('npx', ['ts-node', '--transpile-only', '-P', 'tsconfig.json', CLI, ...args],
  { cwd: ROOT, env: { ...process.env, GOVERNANCE_CONFIG: '', ...env }, maxBuffer: 16 * 1024 * 1024 });
const failure = (args: string[]) => preview(args).then(() => { throw new Error('expected exit 1'); }, (e) => e as { code: number; stderr: string });

test('the example config against its deployed policies: exit 0, DIR/preview.json with changed false and DIR/preview.md', async () => {
  const out = mkdtempSync(join(tmpdir(), 'policy-preview-'));
  // As `npx projen policy:preview -- …` runs it: the separator reaches the command.
  const { stdout } = await preview(['--', '--deployed', fixture('deployed-example.json'), '--format', 'json', '--out', out]);
  expect(stdout).toContain('policy:preview: no change');
  const json = JSON.parse(readFileSync(join(out, 'preview.json'), 'utf8'));
  expect(json).toMatchObject({ schemaVersion: 1, changed: false, diff: [], decisions: { flips: [] } });
  expect(readFileSync(join(out, 'preview.md'), 'utf8')).toMatch(/^# Organizations policy preview\n\n\*\*No change\*\*/);
});

test('the tightened config chosen by GOVERNANCE_CONFIG, with activity: Markdown naming the blocked calls', async () => {
  const { stdout } = await preview(['--deployed', fixture('deployed-example.json'), '--activity', fixture('cloudtrail.json.gz')],
    { GOVERNANCE_CONFIG: fixture('governance-tightened.yaml') });
  expect(stdout).toMatch(/^# Organizations policy preview\n\n\*\*Changed\*\*/);
  expect(stdout).toContain(EVENT_IDS.haikuInvokeViaProfile);
  expect(stdout).toContain(EVENT_IDS.haikuConverse);
  expect(stdout).not.toContain(EVENT_IDS.sonnetConverse);
});

test('a malformed snapshot and a malformed CloudTrail file: exit 1, the file and position named, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-preview-bad-'));
  const snapshot = JSON.parse(readFileSync(fixture('deployed-example.json'), 'utf8'));
  snapshot.policies[4].targetIds = 'r-4f2k';
  const badSnapshot = join(dir, 'deployed.json');
  writeFileSync(badSnapshot, JSON.stringify(snapshot));
  const out = join(dir, 'out');
  const e1 = await failure(['--deployed', badSnapshot, '--format', 'json', '--out', out]);
  expect(e1.code).toBe(1);
  expect(e1.stderr).toContain(`${badSnapshot}: $.policies[4].targetIds:`);
  const log = JSON.parse(readFileSync(fixture('cloudtrail.json'), 'utf8'));
  log.Records[1].userIdentity = 'arn:aws:iam::741852096357:role/x';
  const badLog = join(dir, 'trail.json');
  writeFileSync(badLog, JSON.stringify(log));
  const e2 = await failure(['--deployed', fixture('deployed-example.json'), '--activity', badLog, '--out', out]);
  expect(e2.code).toBe(1);
  expect(e2.stderr).toContain(`${badLog}: record 1 ($.Records[1].userIdentity)`);
  expect(existsSync(out)).toBe(false);
});

test('a bad command line: exit 1 with the usage; --help: exit 0', async () => {
  const e = await failure(['--deployed', fixture('deployed-example.json'), '--format', 'html']);
  expect(e.code).toBe(1);
  expect(e.stderr).toContain('--format is md or json, not "html"');
  expect((await preview(['--help'])).stdout).toContain('Usage: npx projen policy:preview -- --deployed FILE');
});
