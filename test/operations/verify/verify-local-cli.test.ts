import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleAssemblyDirectory } from '../../support/example-estate';
import { PROJECT_ROOT } from '../../support/run-app';

/*
 * The two entry files as the tasks run them: verify:local (`verify-local-cli.ts`) seeds moto from the example assembly
 * and prints VERIFY_ENDPOINT=<url>; verify (`verify-cli.ts`) against that endpoint writes a JSON report with every fact
 * `pass` and exits 0. Stopped with SIGINT, verify:local stops its moto server.
 */

const TS_NODE = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'ts-node');
const ARGS = ['--transpile-only', '-P', 'tsconfig.json'];
let local: ChildProcess | undefined;
let out: string;

afterAll(async () => {
  if (local && local.exitCode === null) {
    const exited = new Promise((resolve) => local!.once('exit', resolve));
    local.kill('SIGINT');
    await exited;
  }
  if (out) rmSync(out, { recursive: true, force: true });
});

test('verify:local prints VERIFY_ENDPOINT=<url>; verify -- --endpoint-url <url> --format json --out DIR writes a clean report and exits 0', async () => {
  const assembly = exampleAssemblyDirectory();
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  local = spawn(TS_NODE, [...ARGS, 'operations/verify/local/verify-local-cli.ts', '--assembly', assembly], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  local.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const endpoint = await new Promise<string>((resolve, reject) => {
    local!.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /^VERIFY_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match) resolve(match[1]);
    });
    local!.once('exit', (code) => reject(new Error(`verify:local exited ${code}: ${stderr}`)));
  });
  expect(stdout.trim().split('\n')).toEqual([`VERIFY_ENDPOINT=${endpoint}`]);
  expect(stderr).toContain('arn:aws:iam::<account>:role/OrganizationAccountAccessRole');

  out = mkdtempSync(path.join(tmpdir(), 'verify-out-'));
  const verify = spawnSync(TS_NODE, [...ARGS, 'operations/verify/verify-cli.ts', '--assembly', assembly, '--endpoint-url', endpoint,
    '--format', 'json', '--out', out], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
  expect(verify.status).toBe(0);
  const report = JSON.parse(readFileSync(path.join(out, 'verify-report.json'), 'utf8')) as {
    schema: string; endpoint: string; summary: Record<string, number>; findings: { status: string }[];
  };
  expect(report).toMatchObject({ schema: 'genai-governance/verify-report/v1', endpoint, summary: { drift: 0, unreadable: 0 } });
  expect(report.summary.pass).toBe(report.findings.length);
  expect(verify.stdout).toContain(`verify: ${report.summary.pass} pass, 0 drift, 0 unreadable`);
}, 180_000);
