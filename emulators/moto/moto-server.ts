import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import * as path from 'node:path';

/*
 * The pinned moto server (`moto[server]` in requirements-dev.txt) on a loopback port, for the tests, the benchmark and
 * the local harness alike: `server.py`, moto_server with the Macie operations moto lacks (`macie2_extension.py`). The
 * extension adds about 60 ms of CPU to a start of about 0.5 s (it imports moto's Macie and Organizations modules, which
 * moto_server would import on their first request). `bash test/support/python-venv.sh` installs moto into the project's
 * `.venv`; `startMoto` runs it first (once per process), so the tests that need moto wait for an install still running
 * (the script takes a lock: `.ci/run` starts it while `npm ci` runs) while the other suites go ahead.
 */

/** The project's venv Python. */
const PYTHON = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
/** moto_server plus the Macie operations moto lacks. */
const SERVER_PY = path.join(__dirname, 'server.py');
/** Creates or refreshes `.venv` from requirements-dev.txt; waits on its lock for an install already running. */
const VENV_SCRIPT = path.join(__dirname, '..', '..', 'test', 'support', 'python-venv.sh');

let venvReady: Promise<void> | undefined;

/** The project's venv, current with requirements-dev.txt: `python-venv.sh` once per process (cheap when nothing changed). */
function ensureVenv(): Promise<void> {
  venvReady ??= new Promise<void>((resolve, reject) => {
    execFile('bash', [VENV_SCRIPT], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${VENV_SCRIPT} failed (${error.message}); moto cannot start without ${PYTHON}:\n${stdout}${stderr}`));
      else resolve();
    });
  });
  return venvReady;
}

/** Options of `startMoto`. */
export interface MotoOptions {
  /**
   * Variables for the server process, on top of this process's environment: e.g. `MOTO_ACCOUNT_ID` (the account moto
   * answers as) or `INITIAL_NO_AUTH_ACTION_COUNT` (moto enforces IAM after that many requests).
   *
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How long to wait for the server to answer before giving up (the server is then stopped).
   *
   * @default 30_000
   */
  readonly timeoutMs?: number;
}

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the SDK endpoint of every service it emulates. */
  readonly endpoint: string;
  /** Stops the server (SIGTERM) and resolves when it has exited; again, resolves at once. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it at once). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts moto (with the Macie extension) on a free loopback port and waits until it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`);
  await ensureVenv();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, [SERVER_PY, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`moto_server exited with ${child.exitCode ?? child.signalCode}: ${output}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
