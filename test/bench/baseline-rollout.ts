import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stringify } from 'yaml';
import { INLINE_CODE_MAX_BYTES, inlineHandlerCode } from '../../building-blocks/custom-resources/inline-handler';
import { MODEL_CATALOG } from '../../catalog/models';
import { parseConfig } from '../../config/load';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import { TEMPLATE_BODY_MAX_BYTES, TEMPLATE_URL_MAX_BYTES } from '../../stacksets/rollout/service-managed-stack-set';
import { exampleConfig } from '../support/example-config';

/**
 * `npx projen bench:baseline-rollout`: the member templates' sizes against the CloudFormation quotas, and a rollout-time
 * model for 10, 100 and 1,000 accounts × the governed Regions from the StackSet quotas and the configured operation
 * preferences.
 *
 * Quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
 * TemplateBody 51,200 bytes, TemplateURL 1 MB, 100,000 stack instances per StackSet, 10,000 instance operations in
 * progress per Region per administrator account. MaxConcurrentPercentage rounds down (at least one account).
 * The per-stack minutes are assumptions, printed so they can be replaced with measured ones. Template bytes are those
 * the StackSets deploy (member templates carry no path metadata, so the CLI writes the same). Inline handler code is
 * measured against the 4,096-byte `ZipFile` quota.
 */
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
/** The example config as written, for variations that go through the real loader. */
function parseYamlInput(): Record<string, any> {
  return JSON.parse(JSON.stringify(config));
}
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
const handlerBytes = Buffer.byteLength(inlineHandlerCode(path.join(__dirname, '..', '..', 'stacksets', 'baseline', 'handlers', 'invocation-logging.ts')));
console.log(`  BL-LOG-1 handler (inline): ${handlerBytes} bytes, ${((100 * handlerBytes) / INLINE_CODE_MAX_BYTES).toFixed(1)}% of ZipFile 4,096`);

// The regional template grows with the approved models (three anomaly alarms each): where it switches to TemplateURL.
console.log('\nRegional template by approved models (catalog models with an eu. profile)');
const profiled = MODEL_CATALOG.filter((m) => m.profiles.some((p) => p.geography === 'eu'));
for (const count of [1, 5, 10, 15, 20].filter((n) => n <= profiled.length)) {
  const approvedModels = profiled.slice(0, count).map((m) => ({ modelId: m.modelId, access: 'inference-profile', reason: 'rollout benchmark model' }));
  // Prices may name only approved models: the generated set has none of the example's prices.
  const input = { ...parseYamlInput(), bedrock: { ...parseYamlInput().bedrock, approvedModels }, observability: { modelPrices: [] } };
  const sized = buildEstate(new App({ context: { ...APP_CONTEXT } }), parseConfig(stringify(input), 'rollout benchmark (generated)'));
  const { templateBytes, delivery } = sized.stackSets.stackSets[1];
  console.log(`  ${String(count).padStart(3)} models: ${String(templateBytes).padStart(7)} bytes by ${delivery}`);
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
