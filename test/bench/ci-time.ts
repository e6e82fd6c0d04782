import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * `npx projen bench:ci-time -- [BASELINE_REF] [CURRENT_REF]`: clones this repository twice, checks out the baseline
 * (default `HEAD~1`) and the current commit (default `HEAD`), runs `.ci/run` in each fresh clone exactly as CI does
 * (`CI=true`, no standard input; `npm ci`, the Python venv and every synth included), and prints per ref the wall time
 * of `.ci/run`, the time jest spent (from its JSON report: first suite start to last suite end), the closing line, and
 * the ratios current / baseline, all measured in this one run. Only committed work is measured.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const [baselineRef = 'HEAD~1', currentRef = 'HEAD'] = process.argv.slice(2).filter((a) => a !== '--');

interface Measurement {
  readonly ref: string;
  readonly commit: string;
  readonly ciSeconds: number;
  readonly jestSeconds: number;
  readonly closingLine: string;
  readonly exitCode: number | null;
}

function git(args: string[], cwd = ROOT): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function measure(ref: string): Measurement {
  const commit = git(['rev-parse', '--short', ref]);
  const dir = mkdtempSync(path.join(tmpdir(), `ci-time-${commit}-`));
  try {
    git(['clone', '--quiet', ROOT, dir]);
    git(['checkout', '--quiet', commit], dir);
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    // What a run inside projen would add must not leak into the measured run.
    for (const key of Object.keys(env)) if (key.startsWith('PROJEN_') || key.startsWith('npm_')) delete env[key];
    const started = process.hrtime.bigint();
    const run = spawnSync('bash', ['.ci/run'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const ciSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const report = path.join(dir, 'test-reports', 'jest.json');
    let jestSeconds = Number.NaN;
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8')) as { startTime: number; testResults: { endTime: number }[] };
      jestSeconds = (Math.max(...r.testResults.map((t) => t.endTime)) - r.startTime) / 1000;
    }
    const closingLine = run.stdout.trim().split('\n').pop() ?? '';
    return { ref, commit, ciSeconds, jestSeconds, closingLine, exitCode: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  console.log(`bench:ci-time: .ci/run from fresh clones of ${baselineRef} and ${currentRef}, one after the other, on this machine`);
  const baseline = measure(baselineRef);
  const current = measure(currentRef);
  const fmt = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')} (${s.toFixed(1)} s)`;
  for (const m of [baseline, current]) {
    console.log(`  ${m.ref.padEnd(10)} ${m.commit}  .ci/run ${fmt(m.ciSeconds)}  jest ${fmt(m.jestSeconds)}  exit ${m.exitCode}  "${m.closingLine}"`);
  }
  console.log(`  ratio current/baseline: .ci/run ${(current.ciSeconds / baseline.ciSeconds).toFixed(2)}, jest ${(current.jestSeconds / baseline.jestSeconds).toFixed(2)}`);
  if (current.exitCode !== 0) process.exitCode = 1;
}

main();
