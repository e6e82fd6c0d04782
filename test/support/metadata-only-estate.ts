import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { cachedAssemblyDirectory } from './assembly-cache';
import { exampleConfig } from './example-config';
import { exampleAssemblyDirectory, SynthesizedStack } from './example-estate';
import { registerGates } from '../../building-blocks/gates/register-gates';
import type { GovernanceConfig } from '../../config/schema';
import { readAssembly, type Assembly } from '../../operations/verify/assembly';
import { APP_CONTEXT } from '../../stacks/app-context';
import { STACK_RECIPES } from '../../stacks/estate';
import { ESTATE_TABLE, type BaselineTemplates } from '../../stacks/estate-table';

/** The example organization with metadata-only invocation logging in some baseline target OUs. */
export interface MetadataOnlyEstate {
  readonly config: GovernanceConfig;
  /** The variant's StackSets stack, as synthesized. */
  readonly stackSets: SynthesizedStack;
  /** The example assembly as the verifier reads it, with the variant's StackSets (and so its stack-instances groups). */
  readonly assembly: Assembly;
}

/**
 * The example organization with `baseline.invocationLogging.metadataOnlyOrganizationalUnits` set. The option does not
 * change the member templates (the parameter it overrides is in every regional template), so the example's cached
 * member templates are rolled out by the variant's StackSets stack, the one stack synthesized here, with every gate on,
 * once per test run for every suite that asks (cached as the example estate is).
 */
export function metadataOnlyEstate(organizationalUnits: readonly string[]): MetadataOnlyEstate {
  const config = structuredClone(exampleConfig());
  config.baseline.invocationLogging.metadataOnlyOrganizationalUnits = [...organizationalUnits];
  const directory = exampleAssemblyDirectory();
  const { id, members } = ESTATE_TABLE.baseline;
  const stage = new CloudAssembly(directory).nestedAssemblies.find((n) => n.id === `assembly-${id}`)!.nestedAssembly;
  const artifactOf = (member: string) => ({ artifactId: stage.stacks.find((s) => s.hierarchicalId === `${id}/${member}`)!.id });
  // What the StackSets recipe reads of the member templates: the artifact ids and the stage's assembly.
  const baseline = {
    assembly: stage, global: artifactOf(members.global), regional: artifactOf(members.regional), tenantProfiles: artifactOf(members.tenantProfiles),
  } as unknown as BaselineTemplates;
  const variant = cachedAssemblyDirectory(`metadata-only-${organizationalUnits.join('+').replace(/[^A-Za-z0-9+-]/g, '_')}`, (outdir) => {
    const app = new App({ context: { ...APP_CONTEXT }, outdir });
    registerGates(app);
    STACK_RECIPES.stackSets(app, config, baseline);
    app.synth();
  });
  const artifact = new CloudAssembly(variant).stacks.find((s) => s.hierarchicalId === ESTATE_TABLE.stackSets.id)!;
  return {
    config,
    stackSets: new SynthesizedStack(artifact),
    assembly: { ...readAssembly(directory), members: readAssembly(variant).members },
  };
}
