import type { Assembly } from './assembly';
import { expectedFacts } from './expected-facts';
import { FACTS_SCHEMA, type FactsDocument } from './facts-document';
import type { GovernanceConfig } from '../../config/schema';
import { organizationControls } from '../../policies/organization-controls';

/** The expected facts of an assembly and the config that synthesized it, as the document the daily run reads. */
export function factsDocument(assembly: Assembly, config: GovernanceConfig, assemblyName = assembly.directory): FactsDocument {
  const facts = expectedFacts(assembly, config);
  if (facts.length === 0) throw new Error(`${assemblyName} holds nothing the verifier reads (no governance stacks)`);
  return {
    schema: FACTS_SCHEMA,
    assembly: assemblyName,
    homeRegion: config.organization.homeRegion,
    controlIds: organizationControls(config).map((c) => c.controlId),
    facts,
  };
}
