import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { synthVariant } from './estate';
import { exampleConfig } from './example-config';
import { exampleAssemblyDirectory, type SynthesizedStack } from './example-estate';
import type { GovernanceConfig } from '../../config/schema';
import { readAssembly, type Assembly } from '../../operations/verify/assembly';
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
 * member templates are rolled out by the variant's StackSets stack, the one stack synthesized here, with every gate on.
 */
export function metadataOnlyEstate(organizationalUnits: readonly string[]): MetadataOnlyEstate {
  const config = structuredClone(exampleConfig());
  config.baseline.invocationLogging.metadataOnlyOrganizationalUnits = [...organizationalUnits];
  const directory = exampleAssemblyDirectory();
  const { id, members } = ESTATE_TABLE.baseline;
  const stage = new CloudAssembly(directory).nestedAssemblies.find((n) => n.id === `assembly-${id}`)!.nestedAssembly;
  const artifactOf = (member: string) => ({ artifactId: stage.stacks.find((s) => s.hierarchicalId === `${id}/${member}`)!.id });
  // What the StackSets recipe reads of the member templates: the artifact ids and the stage's assembly.
  const baseline = { assembly: stage, global: artifactOf(members.global), regional: artifactOf(members.regional) } as unknown as BaselineTemplates;
  const { built, assembly, synthesized } = synthVariant((app) => STACK_RECIPES.stackSets(app, config, baseline));
  return {
    config,
    stackSets: synthesized(built),
    assembly: { ...readAssembly(directory), members: readAssembly(assembly.directory).members },
  };
}
