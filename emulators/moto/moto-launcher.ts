import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * The pinned moto server (`moto[server]` in requirements-dev.txt) for the local harness: DynamoDB, STS and IAM on a
 * loopback port. `bash test/support/python-venv.sh` installs it into the project's `.venv` (`npx projen chat:local` and
 * `npx projen test` run that first). The tests start `moto-server.ts` beside this file instead, which adds the Macie
 * operations moto lacks.
 */

/** The project's venv `moto_server` script. */
export const MOTO_SERVER = path.join(__dirname, '..', '..', '.venv', 'bin', 'moto_server');

/** A running moto server. */
export interface LocalMoto {
  /** `http://127.0.0.1:<port>`: the SDK endpoint of every service it emulates. */
  readonly endpoint: string;
  /** Stops the server (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `moto_server` on a free loopback port and waits until it answers (at most `timeoutMs`). */
export async function startLocalMoto(timeoutMs = 30_000): Promise<LocalMoto> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing: run \`bash test/support/python-venv.sh\` (npx projen chat:local does it first)`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
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
