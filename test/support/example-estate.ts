import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { cachedAssemblyDirectory } from './assembly-cache';
import { freshBuildAssembly } from './build-assembly';
import { exampleConfig } from './example-config';
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

/** Synthesizes the example estate with the gates on into `outdir`. */
function synthesizeExampleEstate(outdir: string): void {
  const app = new App({ context: { ...APP_CONTEXT }, outdir });
  registerGates(app);
  buildEstate(app, exampleConfig());
  app.synth();
}

/** The directory of the cached example assembly, synthesizing it first if no worker has. */
export function exampleAssemblyDirectory(): string {
  return freshBuildAssembly() ?? cachedAssemblyDirectory('example-estate', synthesizeExampleEstate);
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
