import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import { TEMPLATE_BODY_MAX_BYTES } from '../../stacksets/rollout/service-managed-stack-set';
import { exampleConfig } from '../support/example-config';

/**
 * `npx projen bench:baseline-rollout`: the member templates' sizes against the CloudFormation quotas, and a rollout-time
 * model for 10, 100 and 1,000 accounts × the governed Regions from the StackSet quotas and the configured operation
 * preferences.
 *
 * Quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html, aws-facts §8):
 * TemplateBody 51,200 bytes, TemplateURL 1 MB, 100,000 stack instances per StackSet, 10,000 instance operations in
 * progress per Region per administrator account. MaxConcurrentPercentage rounds down (at least one account).
 * The per-stack minutes are assumptions, printed so they can be replaced with measured ones. Template bytes are the
 * StackSets' TemplateBody of an in-process synth with path metadata on, within about 1 KB of what the CLI writes.
 */
const TEMPLATE_URL_MAX_BYTES = 1024 * 1024;
const INSTANCES_PER_STACK_SET = 100000;
const OPERATIONS_IN_PROGRESS_PER_REGION = 10000;
const ASSUMED_STACK_MINUTES: Record<string, number> = { Global: 2, Regional: 3 };

function rolloutMinutes(config: GovernanceConfig, accounts: number, regions: number, stackMinutes: number) {
  const { maxConcurrentPercentage, regionConcurrency } = config.baseline.operationPreferences;
  const concurrent = Math.min(Math.max(1, Math.floor((accounts * maxConcurrentPercentage) / 100)), OPERATIONS_IN_PROGRESS_PER_REGION);
  const waves = Math.ceil(accounts / concurrent);
  const minutes = waves * stackMinutes * (regionConcurrency === 'PARALLEL' ? 1 : regions);
  return { concurrent, waves, minutes, instances: accounts * regions };
}

const config = exampleConfig();
// Path metadata on, as under the CDK CLI: the bytes are those `npx projen synth` deploys.
const app = new App({ context: { ...APP_CONTEXT, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } });
const estate = buildEstate(app, config);
// Sizes as deployed: the StackSets' TemplateBody, in the order of estate.stackSets (global, regional).
const members: [string, Stack, number, number][] = [
  ['Global', estate.baseline.global, 1, estate.stackSets.stackSets[0].templateBytes],
  ['Regional', estate.baseline.regional, config.organization.governedRegions.length, estate.stackSets.stackSets[1].templateBytes],
];

console.log('Member templates');
for (const [name, stack, , bytes] of members) {
  console.log(`  ${name.padEnd(10)} ${String(bytes).padStart(7)} bytes: ${((100 * bytes) / TEMPLATE_BODY_MAX_BYTES).toFixed(1)}% of TemplateBody 51,200; `
    + `${((100 * bytes) / TEMPLATE_URL_MAX_BYTES).toFixed(2)}% of TemplateURL 1 MB; ${Object.keys(Template.fromStack(stack).toJSON().Resources).length} resources of 500`);
}

const p = config.baseline.operationPreferences;
console.log(`\nRollout model (${p.regionConcurrency} Regions, MaxConcurrentPercentage ${p.maxConcurrentPercentage}, assumed minutes per stack: `
  + `${Object.entries(ASSUMED_STACK_MINUTES).map(([k, v]) => `${k} ${v}`).join(', ')})`);
console.log('  accounts  StackSet  Regions  instances  concurrent/Region  waves  minutes');
for (const accounts of [10, 100, 1000]) {
  for (const [name, , regions] of members) {
    const m = rolloutMinutes(config, accounts, regions, ASSUMED_STACK_MINUTES[name]);
    if (m.instances > INSTANCES_PER_STACK_SET) throw new Error(`${name}: ${m.instances} instances exceed ${INSTANCES_PER_STACK_SET}`);
    console.log(`  ${String(accounts).padStart(8)}  ${name.padEnd(8)}  ${String(regions).padStart(7)}  ${String(m.instances).padStart(9)}  `
      + `${String(m.concurrent).padStart(17)}  ${String(m.waves).padStart(5)}  ${String(m.minutes).padStart(7)}`);
  }
}
console.log('\nThe StackSets run independently (managed execution), so a full rollout takes the longer of the two.');
