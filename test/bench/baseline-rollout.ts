import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stringify } from 'yaml';
import { ASSUMED_STACK_MINUTES, INSTANCES_PER_STACK_SET, rolloutMinutes } from './stackset-rollout-model';
import { bundleHandler, INLINE_CODE_BUDGET_BYTES, INLINE_CODE_MAX_BYTES } from '../../building-blocks/custom-resources/inline-handler';
import { MODEL_CATALOG } from '../../catalog/models';
import { parseConfig } from '../../config/load';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate } from '../../stacks/estate';
import {
  TEMPLATE_BODY_BUDGET_BYTES, TEMPLATE_BODY_MAX_BYTES, TEMPLATE_URL_BUDGET_BYTES, TEMPLATE_URL_MAX_BYTES,
} from '../../stacksets/rollout/service-managed-stack-set';
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
 * the StackSets deploy (member templates carry no path metadata, so the CLI writes the same). Handler bundles are
 * measured against the 4,096-byte `ZipFile` quota. This app keeps 20 % headroom on each: a template goes inline up to
 * 80 % of TemplateBody and by TemplateURL above; synth fails above 80 % of TemplateURL or, for inline code, of ZipFile.
 */

const config = exampleConfig();
/** The example config as written, for variations that go through the real loader. */
function parseYamlInput(): Record<string, any> {
  return JSON.parse(JSON.stringify(config));
}
// Path metadata on, as under the CDK CLI: the bytes are those `npx projen synth` deploys.
const app = new App({ context: { ...APP_CONTEXT, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } });
const estate = buildEstate(app, config);
// Sizes as deployed (minified, either path), in the order of estate.stackSets (global, regional).
const members: [string, Stack, number, number, string][] = [
  ['Global', estate.baseline.global, 1, estate.stackSets.stackSets[0].templateBytes, estate.stackSets.stackSets[0].delivery],
  ['Regional', estate.baseline.regional, config.organization.governedRegions.length, estate.stackSets.stackSets[1].templateBytes, estate.stackSets.stackSets[1].delivery],
];
const percent = (bytes: number, quota: number, digits = 1) => `${((100 * bytes) / quota).toFixed(digits)}%`;

console.log(`Member templates (inline up to ${TEMPLATE_BODY_BUDGET_BYTES} bytes = 80% of TemplateBody; synth fails above ${TEMPLATE_URL_BUDGET_BYTES} = 80% of TemplateURL)`);
for (const [name, stack, , bytes, delivery] of members) {
  console.log(`  ${name.padEnd(10)} ${String(bytes).padStart(7)} bytes by ${delivery.padEnd(12)}: ${percent(bytes, TEMPLATE_BODY_MAX_BYTES)} of TemplateBody 51,200; `
    + `${percent(bytes, TEMPLATE_URL_MAX_BYTES, 2)} of TemplateURL 1 MB; ${Object.keys(Template.fromStack(stack).toJSON().Resources).length} resources of 500`);
}

// Every handler bundle, how it ships, and its share of the ZipFile quota (the asset path has no such quota).
console.log(`\nCustom-resource handlers (inline up to ${INLINE_CODE_BUDGET_BYTES} bytes = 80% of ZipFile 4,096; the others ship as code assets)`);
const root = path.join(__dirname, '..', '..');
const handlers: [string, string, 'inline' | 'asset'][] = [
  ['BL-LOG-1 invocation-logging', path.join(root, 'stacksets', 'baseline', 'handlers', 'invocation-logging.ts'), 'inline'],
  ['MAC-1 macie-delegated-administrator', path.join(root, 'stacks', 'management', 'handlers', 'macie-delegated-administrator.ts'), 'asset'],
  ['MAC-1 macie-organization', path.join(root, 'stacks', 'audit', 'handlers', 'macie-organization.ts'), 'asset'],
  ['MAC-1 macie-classification-job', path.join(root, 'stacks', 'audit', 'handlers', 'macie-classification-job.ts'), 'asset'],
];
const deployedFunctions = [estate.baseline.regional, estate.management, ...estate.macie]
  .flatMap((s) => Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function')) as { Properties: { Code: Record<string, unknown> } }[]);
const inlineInTemplates = deployedFunctions.filter((f) => 'ZipFile' in f.Properties.Code).length;
for (const [name, entry, delivery] of handlers) {
  const bytes = Buffer.byteLength(bundleHandler(entry), 'utf8');
  console.log(`  ${name.padEnd(36)} ${String(bytes).padStart(5)} bytes by ${delivery.padEnd(6)}: ${percent(bytes, INLINE_CODE_MAX_BYTES)} of ZipFile 4,096`);
}
if (inlineInTemplates !== handlers.filter(([, , d]) => d === 'inline').length) throw new Error(`${inlineInTemplates} functions have inline code; the list above says otherwise`);
console.log(`  functions with inline code in the estate: ${inlineInTemplates} of ${deployedFunctions.length}`);

// The regional template grows with the approved models (three anomaly alarms each): where it switches to TemplateURL.
console.log('\nRegional template by approved models (catalog models with an eu. profile)');
const profiled = MODEL_CATALOG.filter((m) => m.profiles.some((p) => p.geography === 'eu'));
for (const count of [1, 5, 10, 15, 20].filter((n) => n <= profiled.length)) {
  const approvedModels = profiled.slice(0, count).map((m) => ({ modelId: m.modelId, access: 'inference-profile', reason: 'rollout benchmark model' }));
  // Prices may name only approved models: the generated set has none of the example's prices.
  const input = { ...parseYamlInput(), bedrock: { ...parseYamlInput().bedrock, approvedModels }, observability: { modelPrices: [] } };
  const sized = buildEstate(new App({ context: { ...APP_CONTEXT } }), parseConfig(stringify(input), 'rollout benchmark (generated)'));
  const { templateBytes, delivery } = sized.stackSets.stackSets[1];
  console.log(`  ${String(count).padStart(3)} models: ${String(templateBytes).padStart(7)} bytes (${percent(templateBytes, TEMPLATE_BODY_MAX_BYTES)} of TemplateBody) by ${delivery}`);
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
