import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { VerifyReport } from './finding';

/**
 * What a report says about the run that produced it, so an auditor can tell which code and which config a report
 * verified: when it started and how long it took, the config file, the assembly's digest and the accounts' names.
 */

export interface VerifyRun {
  /** When the run started, ISO 8601 UTC. */
  readonly startedAt: string;
  /** Wall time of the run in milliseconds (reading the assembly, every call, the comparison). */
  readonly durationMs: number;
  /** The config file that synthesized the assembly, as given (`--config`, `GOVERNANCE_CONFIG` or the example's path). */
  readonly config: string;
  /** SHA-256 of the config file's bytes. */
  readonly configSha256: string;
  /** `assemblyDigest` of the assembly read. */
  readonly assemblySha256: string;
  /** Accounts × Regions read at once. */
  readonly concurrency: number;
  /** The config's name of each account id the findings name. */
  readonly accountNames: Readonly<Record<string, string>>;
}

/** A report with its run (the JSON report's `run` field). */
export interface VerifyRunReport extends VerifyReport {
  readonly run: VerifyRun;
}

/** SHA-256 of a file's bytes. */
export function fileDigest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * SHA-256 of the assembly the facts came from: `manifest.json` and each stack template it names, in the manifest's
 * order, each as its name, a NUL and its bytes. The StackSets' member templates are content-addressed assets whose hash
 * the stack templates carry, so they are covered too; files a synth left behind that the manifest no longer names are not.
 */
export function assemblyDigest(directory: string): string {
  const hash = createHash('sha256');
  const add = (name: string) => {
    hash.update(name).update('\u0000').update(readFileSync(path.join(directory, name))).update('\u0000');
  };
  add('manifest.json');
  type Artifact = { type: string; properties?: { templateFile?: string } };
  const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, Artifact> };
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') add(artifact.properties?.templateFile ?? `${name}.template.json`);
  }
  return hash.digest('hex');
}
