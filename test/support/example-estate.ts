import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { freshBuildAssembly, inputsHash } from './build-assembly';
import { exampleConfig } from './example-config';
import { PROJECT_ROOT } from './run-app';
import { registerGates } from '../../building-blocks/gates/register-gates';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate, type FieldOf } from '../../stacks/estate';
import { estateEntries, fieldOf, regionsOf, stackIdOf, type EstateKey, type EstateTable } from '../../stacks/estate-table';

/**
 * The example organization's estate, synthesized once per test run with every gate on and shared by every suite.
 *
 * In `npx projen build` that is the build's own synth: its compile step ran the main job into `cdk.out` and stamped it
 * (test/support/build-assembly.ts), and every suite reads the templates from there. Otherwise the first suite that asks synthesizes the estate into `node_modules/.cache/genai-governance/example-estate-<hash>`,
 * where the hash covers every source folder, the config and the lock file; any later suite (in any jest worker, and in
 * later runs while nothing changed) reads the templates from there. Synthesizing ran the gates: a finding throws
 * `ValidationFailed` in the suite that synthesizes, and nothing is cached.
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

/** Synthesizes the example estate with the gates on into `dir` (through a temporary directory, so `dir` is whole or absent). */
function synthesizeInto(dir: string): void {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const app = new App({ context: { ...APP_CONTEXT }, outdir: partial });
  registerGates(app);
  buildEstate(app, exampleConfig());
  app.synth();
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

/** The directory of the cached example assembly, synthesizing it first if no worker has. */
export function exampleAssemblyDirectory(): string {
  const built = freshBuildAssembly();
  if (built) return built;
  const dir = path.join(CACHE_ROOT, `example-estate-${inputsHash()}`);
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
        if (!existsSync(dir)) synthesizeInto(dir);
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

/** One synthesized stack of the example estate, read back from the assembly. */
export class SynthesizedStack {
  private cachedTemplate?: Template;

  constructor(public readonly artifact: CloudFormationStackArtifact) {}

  /** The template, for `aws-cdk-lib/assertions`. */
  public get template(): Template {
    this.cachedTemplate ??= Template.fromJSON(this.artifact.template);
    return this.cachedTemplate;
  }

  public get stackName(): string {
    return this.artifact.stackName;
  }

  public get account(): string {
    return this.artifact.environment.account;
  }

  public get region(): string {
    return this.artifact.environment.region;
  }

  /** Names of the stacks this one depends on (deploys after). */
  public get dependencies(): string[] {
    return this.artifact.dependencies
      .filter((d): d is CloudFormationStackArtifact => d instanceof CloudFormationStackArtifact)
      .map((d) => d.stackName);
  }

  /**
   * The logical id of the CloudFormation element at a construct path below the stack (`InvocationLogArchive/Bucket`; a
   * trailing `/Resource` is found too), from the assembly's `aws:cdk:logicalId` metadata.
   */
  public logicalIdAt(constructPath: string): string {
    const base = `/${this.artifact.hierarchicalId}/${constructPath}`;
    const entries = this.artifact.findMetadataByType('aws:cdk:logicalId');
    const entry = entries.find((e) => e.path === base) ?? entries.find((e) => e.path === `${base}/Resource`);
    if (!entry) throw new Error(`No CloudFormation element at ${base} in ${this.artifact.hierarchicalId}`);
    return String(entry.data);
  }
}

/** What the example estate holds for an entry of the estate table: its stack, its stacks per Region, or its member templates. */
type SynthesizedOf<E> = E extends { readonly regions: 'none'; readonly members: infer M } ? { readonly [m in keyof M]: SynthesizedStack }
  : E extends { readonly regions: 'home' } ? SynthesizedStack : readonly SynthesizedStack[];

/**
 * The example estate as synthesized, named as `buildEstate` names the stacks (one field per entry of the estate table,
 * per-Region stacks the home Region first), plus every stack in `all`, the member templates included.
 */
export type ExampleEstate = { readonly [K in EstateKey as FieldOf<K>]: SynthesizedOf<EstateTable[K]> } & {
  readonly config: GovernanceConfig;
  readonly assembly: CloudAssembly;
  /** Every stack, the member templates included, in the order of the estate table. */
  readonly all: readonly SynthesizedStack[];
};

/** The example organization's estate, synthesized once per test run (see the module comment). */
export function exampleEstate(): ExampleEstate {
  const config = exampleConfig();
  const assembly = new CloudAssembly(exampleAssemblyDirectory());
  const all: SynthesizedStack[] = [];
  const fields = estateEntries().map(([key, entry]) => {
    if (entry.regions === 'none') {
      const stage = assembly.nestedAssemblies.find((n) => n.id === `assembly-${entry.id}`)!.nestedAssembly;
      const members = Object.entries(entry.members).map(([name, id]) => {
        const artifact = stage.stacks.find((s) => s.hierarchicalId === `${entry.id}/${id}`);
        if (!artifact) throw new Error(`The example assembly has no member template ${entry.id}/${id}`);
        return [name, new SynthesizedStack(artifact)] as const;
      });
      all.push(...members.map(([, stack]) => stack));
      return [fieldOf(key), Object.fromEntries(members)];
    }
    const stacks = regionsOf(entry, config).map((region) => new SynthesizedStack(assembly.getStackArtifact(stackIdOf(entry, region))));
    all.push(...stacks);
    return [fieldOf(key), entry.regions === 'home' ? stacks[0] : stacks];
  });
  return { ...Object.fromEntries(fields), config, assembly, all } as ExampleEstate;
}
