import { stringify } from 'yaml';
import { GEOGRAPHIES } from '../../catalog/geographies';
import { MODEL_CATALOG } from '../../catalog/models';
import { accountIdOf } from '../../config/accounts';
import { parseConfig } from '../../config/load';
import type { GovernanceConfig } from '../../config/schema';
import { BEDROCK_POLICY_MAX_CHARACTERS, bedrockPolicyContent, placeholderGuardrailIdentifier } from '../../policies/br-gr-1';
import { compileOrganizationPolicies, renderBudgetTable } from '../../policies/compiler/compile';
import { organizationControls } from '../../policies/organization-controls';
import { minify } from '../../policies/policy-document';
import { MANAGED_POLICY_MAX_CHARACTERS, criInvokePolicies, workloadPermissionBoundary } from '../../policies/workload-iam';
import { exampleConfig } from '../support/example-config';

/**
 * `npx projen bench:policy-budget`: the budget headroom of every policy the app writes, for the example organization
 * and for a stress organization (20 approved models, 3 geographies, 8 governed Regions, every tamper rule): characters
 * used of each limit and slots used per target. The stress config goes through the real loader, so it is valid.
 */
function stressConfig(): GovernanceConfig {
  const base = exampleConfig();
  const governed = ['eu-central-1', 'eu-west-1', 'eu-west-3', 'us-east-1', 'us-east-2', 'us-west-2', 'ap-northeast-1', 'ap-southeast-2'];
  const text = MODEL_CATALOG.filter((m) => m.profiles.length > 0).map((m) => ({ modelId: m.modelId, access: 'inference-profile' as const, reason: 'stress benchmark model' }));
  const exceptions = ['amazon.titan-embed-text-v2:0', 'cohere.rerank-v3-5:0'].map((modelId) => ({ modelId, access: 'in-region' as const, reason: 'stress benchmark exception' }));
  const approvedModels = [...text, ...exceptions].slice(0, 20);
  // Prices may name only approved models.
  const modelPrices = base.observability.modelPrices.filter((p) => approvedModels.some((m) => m.modelId === p.modelId));
  const input = {
    ...base,
    organization: { ...base.organization, governedRegions: governed },
    bedrock: { ...base.bedrock, geographies: ['eu', 'us', 'apac'], approvedModels },
    observability: { ...base.observability, modelPrices },
  };
  return parseConfig(stringify(input), 'stress (generated)');
}

function report(name: string, config: GovernanceConfig): void {
  const compiled = compileOrganizationPolicies(config, organizationControls(config));
  const pct = (used: number, limit: number) => `${used} / ${limit} (${((100 * used) / limit).toFixed(1)}%, headroom ${limit - used})`;
  const management = accountIdOf(config, config.topology.management);
  console.log(`\n== ${name}: ${config.bedrock.approvedModels.length} approved models, geographies ${config.bedrock.geographies.join('+')}, `
    + `${config.organization.governedRegions.length} governed Regions (${Object.values(GEOGRAPHIES).length} known geographies)`);
  console.log(renderBudgetTable(compiled));
  console.log('\nBedrock policies (one per governed Region, longest identifier)');
  for (const region of config.organization.governedRegions) {
    const size = JSON.stringify(bedrockPolicyContent(config, region, placeholderGuardrailIdentifier(region, management))).length;
    console.log(`  ${region.padEnd(38)}${pct(size, BEDROCK_POLICY_MAX_CHARACTERS)}`);
  }
  console.log('\nWorkload IAM (BL-IAM-1 managed policies)');
  const account = '123456789012';
  criInvokePolicies(config, account, management).forEach((d, i) => {
    console.log(`  ${`CRI-only invoke policy ${i + 1}`.padEnd(38)}${pct(minify(d).length, MANAGED_POLICY_MAX_CHARACTERS)}`);
  });
  console.log(`  ${'workload permission boundary'.padEnd(38)}${pct(minify(workloadPermissionBoundary(config, account, management)).length, MANAGED_POLICY_MAX_CHARACTERS)}`);
}

report('example organization', exampleConfig());
report('stress organization', stressConfig());
