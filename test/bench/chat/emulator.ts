import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { CHILD_ENV, ROOT, TS_NODE } from './children';
import type { Options } from './options';
import { monotonicMs } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import type { EmulatorProcessAddress } from '../../../workloads/support-chat/local/bedrock-emulator-process';

/*
 * The Bedrock emulator in a process of its own (`bedrock-emulator-process.ts`), its control channel, and the check that
 * it reads the bench's clock.
 */

/** The emulator's pacing: a small model streaming about 100 tokens a second after 200 ms; the classifier's answer in 150 ms. */
export const PACING = { firstTokenMs: 200, interTokenMs: 30, chunkSize: 12, classifierMs: 150 } as const;
/** The emulator's records are labelled with the tag at the start of each user message. */
const LABEL_PATTERN = '\\[(bench-[A-Za-z0-9-]+)\\]';

export async function startEmulatorProcess(opts: Options): Promise<{ address: EmulatorProcessAddress; child: ChildProcess }> {
  const entry = path.join(ROOT, 'workloads', 'support-chat', 'local', 'bedrock-emulator-process.ts');
  const args = [
    '--first-token-ms', String(PACING.firstTokenMs), '--inter-token-ms', String(PACING.interTokenMs), '--chunk-size', String(PACING.chunkSize),
    '--classifier-ms', String(PACING.classifierMs), '--throttle', '0', '--seed', String(opts.seed), '--label', LABEL_PATTERN, '--exit-with-stdin',
  ];
  const child = spawn(process.execPath, [...TS_NODE, entry, ...args], { cwd: ROOT, env: CHILD_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it listened`)));
  });
  return { address: JSON.parse(line) as EmulatorProcessAddress, child };
}

export async function control<T>(address: EmulatorProcessAddress, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${address.control}${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`emulator control ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Checks that the emulator process reads the same monotonic clock: its stamp must fall between two of ours. */
export async function checkSharedClock(address: EmulatorProcessAddress): Promise<{ probes: number; widestBracketMs: number }> {
  let widest = 0;
  const probes = 20;
  for (let i = 0; i < probes; i++) {
    const before = monotonicMs();
    const { monotonicMs: theirs } = await control<{ monotonicMs: number }>(address, '/clock');
    const after = monotonicMs();
    if (!(before <= theirs && theirs <= after)) {
      throw new Error(`the emulator process's clock (${theirs}) is not between ours (${before}, ${after}): process.hrtime is not one clock here`);
    }
    widest = Math.max(widest, after - before);
  }
  return { probes, widestBracketMs: widest };
}
