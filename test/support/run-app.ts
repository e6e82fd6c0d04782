import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface AppRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The fresh directory the app was told to write its assembly to. */
  readonly outdir: string;
}

/**
 * Runs the real app entry (`stacks/app.ts`) in a child process, as the CDK CLI does: a fresh `CDK_OUTDIR` and the
 * CDK context in `CDK_CONTEXT_JSON`. `env` adds environment variables (e.g. `GOVERNANCE_CONFIG`).
 */
export function runApp(options: { context?: Record<string, unknown>; env?: Record<string, string> } = {}): AppRun {
  const outdir = mkdtempSync(path.join(tmpdir(), 'governance-app-'));
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'stacks/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      NODE_ENV: 'production', // not jest's "test": the app must behave as under the CLI
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(options.context ?? {}),
      TS_NODE_PROJECT: path.join(PROJECT_ROOT, 'tsconfig.json'),
      ...options.env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outdir };
}
