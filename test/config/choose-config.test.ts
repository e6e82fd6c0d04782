import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULT_CONFIG_FILE, describeSelection, resolveConfigFile, selectConfigFile } from '../../config/load';
import { STACK_IDS } from '../../stacks/estate';
import { EXAMPLE_CONFIG_TEXT } from '../support/example-config';
import { PROJECT_ROOT } from '../support/run-app';

/**
 * `npx projen synth -c config=<path>` exactly as the README writes it (plus `-o <dir>`, so `cdk.out` is left alone), in
 * the project root: projen must pass the arguments on to `cdk synth`, or the example organization is synthesized instead.
 */
function projenSynth(args: string[], env: Record<string, string | undefined> = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'choose-config-out-'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const result = spawnSync('npx', ['projen', 'synth', ...args, '-o', outdir], { cwd: PROJECT_ROOT, encoding: 'utf8', env: childEnv });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outdir };
}

/** Modification time of `cdk.out/manifest.json`, or undefined when there is none. */
function cdkOutStamp(): number | undefined {
  const manifest = path.join(PROJECT_ROOT, 'cdk.out', 'manifest.json');
  return existsSync(manifest) ? statSync(manifest).mtimeMs : undefined;
}

describe('choosing the config: npx projen synth -c config=<path>, as the README documents it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'choose-config-'));
  /**
   * A small valid alternative to the example: one governed Region instead of two, and no tenant (its stack is the
   * largest of the estate; this test is about which file is synthesized, not what).
   */
  const oneRegion = path.join(dir, 'one-region.yaml');
  const alternative = parseDocument(EXAMPLE_CONFIG_TEXT.replace('governedRegions: [eu-central-1, eu-west-1]', 'governedRegions: [eu-central-1]'));
  alternative.deleteIn(['workloads', 'supportChat']);
  writeFileSync(oneRegion, alternative.toString());

  test('synthesizes the chosen file, names it in the summary, and writes to -o, not cdk.out', () => {
    const before = cdkOutStamp();
    const run = projenSynth(['-c', `config=${oneRegion}`], { GOVERNANCE_CONFIG: undefined });

    expect(run.stderr).not.toMatch(/Invalid governance config/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`config: ${oneRegion} (-c config=${oneRegion})`);
    expect(run.stdout).toMatch(new RegExp(`${STACK_IDS.guardrail('eu-central-1')}\\s+318274650913\\s+eu-central-1\\s+\\d+\\n`));
    expect(run.stdout).not.toContain(STACK_IDS.guardrail('eu-west-1'));
    expect(run.stdout).not.toContain('SupportChat-');
    expect(existsSync(path.join(run.outdir, `${STACK_IDS.guardrail('eu-central-1')}.template.json`))).toBe(true);
    expect(existsSync(path.join(run.outdir, `${STACK_IDS.guardrail('eu-west-1')}.template.json`))).toBe(false);
    expect(run.stdout).toMatch(/Gates\n {2}ran at synth, all passed: .*cdk-nag AwsSolutions/);
    expect(cdkOutStamp()).toBe(before);
  });

  test('a path that does not exist fails naming it, writes nothing, and wins over GOVERNANCE_CONFIG', () => {
    const missing = path.join(dir, 'does-not-exist.yaml');
    const before = cdkOutStamp();
    const run = projenSynth(['-c', `config=${missing}`], { GOVERNANCE_CONFIG: oneRegion });

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`Invalid governance config ${missing}: 1 issue`);
    expect(run.stderr).toContain(`${missing}  (document)  expected a readable YAML file; found ENOENT`);
    expect(run.stderr).toContain(`(chosen by -c config=${missing}; GOVERNANCE_CONFIG=${oneRegion} ignored)`);
    expect(run.stdout).not.toContain('Synthesized estate');
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
    expect(cdkOutStamp()).toBe(before);
  });
});

describe('selectConfigFile: -c config, else GOVERNANCE_CONFIG, else the example organization', () => {
  test('the context value wins over the environment variable, which is reported as ignored', () => {
    const s = selectConfigFile('/orgs/a.yaml', { GOVERNANCE_CONFIG: '/orgs/b.yaml' });
    expect(s).toEqual({ file: '/orgs/a.yaml', source: 'context', given: '/orgs/a.yaml', ignoredEnv: '/orgs/b.yaml' });
    expect(describeSelection(s)).toBe('-c config=/orgs/a.yaml; GOVERNANCE_CONFIG=/orgs/b.yaml ignored');
  });

  test('the environment variable applies when no context value is given', () => {
    const s = selectConfigFile(undefined, { GOVERNANCE_CONFIG: '/orgs/b.yaml' });
    expect(s).toEqual({ file: '/orgs/b.yaml', source: 'environment', given: '/orgs/b.yaml' });
    expect(describeSelection(s)).toBe('GOVERNANCE_CONFIG=/orgs/b.yaml');
  });

  test('empty values count as not given; with neither, the example organization', () => {
    expect(selectConfigFile('', { GOVERNANCE_CONFIG: '/orgs/b.yaml' }).file).toBe('/orgs/b.yaml');
    expect(selectConfigFile('', { GOVERNANCE_CONFIG: '' })).toEqual({ file: DEFAULT_CONFIG_FILE, source: 'default' });
    expect(resolveConfigFile(undefined, {})).toBe(DEFAULT_CONFIG_FILE);
  });

  test('relative paths resolve against the working directory', () => {
    expect(resolveConfigFile('orgs/a.yaml', {})).toBe(path.resolve(process.cwd(), 'orgs/a.yaml'));
  });

  test('a context value that is not a string is a config error', () => {
    expect(() => selectConfigFile(42, {})).toThrow(/-c config: 1 issue\n {2}-c config {2}\(document\) {2}expected a file path; found number 42/);
  });
});
