import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from './moto-launcher';

/** The project's venv Python (test/support/python-venv.sh installs moto there; `npx projen test` runs that first). */
const PYTHON = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
/** moto_server plus the Macie operations moto lacks (`macie2_extension.py` beside this file). */
const MOTO_SERVER = path.join(__dirname, 'server.py');

/** A moto server on a loopback port, started for one test file. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: pass as the SDK endpoint. */
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
}

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${output()}`);
}

/**
 * Starts moto's server (with `macie2_extension.py` installed) on a free loopback port. `env` reaches the server process, e.g.
 * `INITIAL_NO_AUTH_ACTION_COUNT` to make it enforce IAM after that many requests.
 */
export async function startMoto(env: Record<string, string> = {}): Promise<MotoServer> {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`bash test/support/python-venv.sh\` (npx projen test does it first)`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  child.stderr?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  await waitUntilUp(endpoint, child, () => output);
  return {
    endpoint,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
