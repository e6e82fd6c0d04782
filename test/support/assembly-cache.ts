import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inputsHash } from './build-assembly';
import { PROJECT_ROOT } from './run-app';

/**
 * Assemblies synthesized once per set of inputs and shared by every jest worker and later runs: the first suite that asks
 * synthesizes into `node_modules/.cache/genai-governance/<name>-<hash>`, where the hash covers every source folder, the
 * config and the lock file (test/support/build-assembly.ts); any later suite reads it from there. A synth that throws (a
 * gate finding) caches nothing.
 */

const CACHE_ROOT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'genai-governance');
/**
 * How long a suite waits for another worker that is synthesizing. A lock is abandoned when the process that took it
 * (its pid is in the lock) is gone: a synth on a loaded machine can take minutes, so age alone says nothing.
 */
const WAIT_MS = 15 * 60_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `synthesize` into `dir` through a temporary directory, so `dir` is whole or absent. */
function synthesizeInto(dir: string, synthesize: (outdir: string) => void): void {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    synthesize(partial);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process put the same inputs' assembly in place first: use it.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
}

/** Whether the process that took `lock` is gone (or left no pid). */
function abandoned(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // The lock was just made and its pid not yet written, or it is gone: give it a few seconds.
    const stat = statSync(lock, { throwIfNoEntry: false });
    return stat !== undefined && Date.now() - stat.mtimeMs > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The directory of the assembly `name` for the current inputs, which `synthesize` writes into the directory it is given
 * the first time any jest worker asks (later workers and runs read it while no input changed).
 */
export function cachedAssemblyDirectory(name: string, synthesize: (outdir: string) => void): string {
  const dir = path.join(CACHE_ROOT, `${name}-${inputsHash()}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + WAIT_MS;
  mkdirSync(CACHE_ROOT, { recursive: true });
  while (!existsSync(dir)) {
    let locked = false;
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      locked = true;
    } catch {
      if (abandoned(lock)) rmSync(lock, { recursive: true, force: true });
    }
    if (locked) {
      try {
        if (!existsSync(dir)) synthesizeInto(dir, synthesize);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another jest worker to synthesize ${dir} (lock ${lock})`);
      sleep(250);
    }
  }
  writeFileSync(path.join(CACHE_ROOT, 'last-used'), dir);
  return dir;
}

