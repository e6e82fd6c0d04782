import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { exampleConfig } from './example-config';
import { PROJECT_ROOT } from './run-app';
import { registerGates } from '../../building-blocks/gates/register-gates';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate, homeRegionFirst, STACK_IDS } from '../../stacks/estate';

/**
 * The example organization's estate, synthesized once per test run with every gate on and shared by every suite.
 *
 * The first suite that asks synthesizes the estate into `node_modules/.cache/genai-governance/example-estate-<hash>`,
 * where the hash covers every source folder, the config and the lock file; any later suite (in any jest worker, and in
 * later runs while nothing changed) reads the templates from there. Synthesizing ran the gates: a finding throws
 * `ValidationFailed` in the suite that synthesizes, and nothing is cached.
 */

/** The folders and files whose content decides the synthesized templates. */
const INPUTS = ['catalog', 'config', 'contracts', 'policies', 'building-blocks', 'dashboards', 'stacksets', 'workloads', 'stacks',
  'package-lock.json', 'cdk.json', path.join('test', 'support', 'example-estate.ts')];
const CACHE_ROOT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'genai-governance');
/** How long a suite waits for another worker that is synthesizing, and after how long a lock is taken as abandoned. */
const WAIT_MS = 10 * 60_000;
const STALE_LOCK_MS = 5 * 60_000;

function filesUnder(entry: string): string[] {
  const full = path.join(PROJECT_ROOT, entry);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [entry];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => filesUnder(path.join(entry, d.name)));
}

/** A hash of every input's path and content. */
function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder).sort()) hash.update(`${file}\0`).update(readFileSync(path.join(PROJECT_ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

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
  renameSync(partial, dir);
}

/** The directory of the cached example assembly, synthesizing it first if no worker has. */
export function exampleAssemblyDirectory(): string {
  const dir = path.join(CACHE_ROOT, `example-estate-${inputsHash()}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + WAIT_MS;
  mkdirSync(CACHE_ROOT, { recursive: true });
  while (!existsSync(dir)) {
    let locked = false;
    try {
      mkdirSync(lock);
      locked = true;
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
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

/** The example estate as synthesized, stack by stack, named as `buildEstate` names them. */
export interface ExampleEstate {
  readonly config: GovernanceConfig;
  readonly assembly: CloudAssembly;
  readonly management: SynthesizedStack;
  readonly logArchive: SynthesizedStack;
  readonly auditAlerts: SynthesizedStack;
  readonly organizationTrail: SynthesizedStack;
  readonly auditAnalytics: SynthesizedStack;
  /** One per governed Region, in the config's order. */
  readonly guardrails: readonly SynthesizedStack[];
  /** One per governed Region, the home Region's first. */
  readonly observability: readonly SynthesizedStack[];
  /** One per governed Region, the home Region's first. */
  readonly macie: readonly SynthesizedStack[];
  readonly baseline: { readonly global: SynthesizedStack; readonly regional: SynthesizedStack };
  readonly stackSets: SynthesizedStack;
  /** The support-chat tenant, one per Region of `workloads.supportChat.regions`. */
  readonly supportChat: readonly SynthesizedStack[];
  /** Every stack, the member templates included. */
  readonly all: readonly SynthesizedStack[];
}

/** The example organization's estate, synthesized once per test run (see the module comment). */
export function exampleEstate(): ExampleEstate {
  const config = exampleConfig();
  const assembly = new CloudAssembly(exampleAssemblyDirectory());
  const stack = (id: string) => new SynthesizedStack(assembly.getStackArtifact(id));
  const members = assembly.nestedAssemblies.find((n) => n.id === `assembly-${STACK_IDS.baselineStage}`)!.nestedAssembly;
  const member = (id: string) => new SynthesizedStack(members.stacks.find((s) => s.hierarchicalId === `${STACK_IDS.baselineStage}/${id}`)!);
  const homeFirst = homeRegionFirst(config);
  const estate = {
    config,
    assembly,
    management: stack(STACK_IDS.management),
    logArchive: stack(STACK_IDS.logArchive),
    auditAlerts: stack(STACK_IDS.auditAlerts),
    organizationTrail: stack(STACK_IDS.organizationTrail),
    auditAnalytics: stack(STACK_IDS.auditAnalytics),
    guardrails: config.organization.governedRegions.map((r) => stack(STACK_IDS.guardrail(r))),
    observability: homeFirst.map((r) => stack(STACK_IDS.observability(r))),
    macie: homeFirst.map((r) => stack(STACK_IDS.macie(r))),
    baseline: { global: member(STACK_IDS.baselineGlobal), regional: member(STACK_IDS.baselineRegional) },
    stackSets: stack(STACK_IDS.stackSets),
    supportChat: (config.workloads.supportChat?.regions ?? []).map((r) => stack(STACK_IDS.supportChat(r))),
  };
  const all = [estate.management, estate.logArchive, estate.auditAlerts, estate.organizationTrail, estate.auditAnalytics, ...estate.guardrails,
    ...estate.observability, ...estate.macie, estate.baseline.global, estate.baseline.regional, estate.stackSets, ...estate.supportChat];
  return { ...estate, all };
}
