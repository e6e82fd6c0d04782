import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { resourceIdentities } from '../support/resource-identities';

/**
 * Every stack's resources (member templates included) as logical id → identity, by stack path: what CloudFormation
 * keys resources on, and what each id stands for. An id that moves to another resource replaces both.
 */
function logicalIds(assembly: CloudAssembly): Record<string, Record<string, string>> {
  const stacks = [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)].flatMap((a) => a.stacks);
  return Object.fromEntries(stacks.map((s) => [s.hierarchicalId, resourceIdentities(s.template)]));
}

/** The estate of `config`, synthesized without the gates (they change no template). */
function synthesized(config: GovernanceConfig): CloudAssembly {
  const app = new App({ context: { ...APP_CONTEXT } });
  buildEstate(app, config);
  return app.synth();
}

describe('construct ids are a stable contract', () => {
  test('reordering the approved models changes no logical id in any template, nor what an id stands for', () => {
    const config = exampleConfig();
    const reordered = structuredClone(config);
    reordered.bedrock.approvedModels = [...config.bedrock.approvedModels].reverse();
    expect(reordered.bedrock.approvedModels.map((m) => m.modelId)).not.toEqual(config.bedrock.approvedModels.map((m) => m.modelId));
    // The example as every suite shares it (test/support/example-estate.ts): synthesized once per run, with the gates.
    const before = logicalIds(exampleEstate().assembly);
    expect(Object.keys(before).length).toBeGreaterThan(10);
    expect(logicalIds(synthesized(reordered))).toEqual(before);
  });
});
