import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ASSUMED_STACK_MINUTES, INSTANCES_PER_STACK_SET, rolloutMinutes } from './stackset-rollout-model';
import { deployWaves, type PlannedStack } from '../../stacks/deploy-plan';
import { STACK_IDS } from '../../stacks/estate';
import { pipelineStacks } from '../../stacks/pipeline/estate-stages';
import { CONNECTION_ARN, pipelineConfig } from '../stacks/pipeline/pipeline-config';
import { PROJECT_ROOT } from '../support/run-app';

/**
 * `npx projen bench:pipeline`: a model of one pipeline run, a full run (every stack and both member templates change)
 * and a policy-only change (only the Organizations policies change), at 10, 100 and 1,000 accounts, from the
 * pipeline's stage structure (the deploy waves of stacks/deploy-plan.ts, as stacks/pipeline/estate-stages.ts builds
 * them) and the StackSet model bench:baseline-rollout uses (test/bench/stackset-rollout-model.ts). Every duration
 * below is an assumption, printed so it can be replaced with a measured one; what the model shows is what grows with
 * the accounts and what does not. Output: stdout and bench-out/pipeline.txt.
 */
const ASSUMED_MINUTES = {
  source: 1,
  /** npm ci, npx projen build (every gate and test) and conformance in CodeBuild; .ci/run takes about 5.5 on 2 cores. */
  build: 8,
  selfMutation: 3,
  assets: 2,
  /** aws-cdk-lib's ConfirmPermissionsBroadening: a CodeBuild `cdk diff --security-only` per wave. */
  broadeningCheck: 2,
  /** CodeBuild running policy:snapshot and policy:preview before the management account's wave. */
  policyPreview: 3,
  /** CHANGE_SET_REPLACE then CHANGE_SET_EXECUTE of a stack whose template changed, and of one that did not. */
  changedStack: 4,
  unchangedStack: 1,
} as const;

const config = pipelineConfig({ connection: { connectionArn: CONNECTION_ARN, repository: 'example-org/genai-governance', branch: 'main' } });
const waves = deployWaves(pipelineStacks(config));
const memberRegions = { Global: 1, Regional: config.organization.governedRegions.length };

/** One run's minutes: the fixed stages, then each wave (the broadening check, then its stacks in parallel: the longest). */
function runMinutes(accounts: number, changed: (s: PlannedStack) => boolean, membersChange: boolean) {
  const rollout = membersChange
    ? Math.max(...Object.entries(memberRegions)
      .map(([name, regions]) => rolloutMinutes(config, accounts, regions, ASSUMED_STACK_MINUTES[name]).minutes))
    : 0;
  let total = ASSUMED_MINUTES.source + ASSUMED_MINUTES.build + ASSUMED_MINUTES.selfMutation + ASSUMED_MINUTES.assets;
  for (const wave of waves) {
    const preview = wave.some((s) => s.id === STACK_IDS.management) ? ASSUMED_MINUTES.policyPreview : 0;
    const stackMinutes = wave.map((s) => (changed(s) ? ASSUMED_MINUTES.changedStack : ASSUMED_MINUTES.unchangedStack)
      // CloudFormation's update of a StackSet resource waits for its stack instance operation.
      + (s.id === STACK_IDS.stackSets ? rollout : 0));
    total += ASSUMED_MINUTES.broadeningCheck + preview + Math.max(...stackMinutes);
  }
  return { total, rollout };
}

const lines: string[] = [];
const out = (line = '') => lines.push(line);
out(`Pipeline model for the example organization with a pipeline (${config.organization.governedRegions.length} governed Regions)`);
out(`  stages: Source, Build, UpdatePipeline, Assets, then ${waves.length} waves: `
  + waves.map((w, i) => `Wave${i + 1} (${w.length} stacks)`).join(', '));
out(`  stacks the pipeline deploys: ${waves.flat().length}, the same at any number of accounts; member baseline by StackSet `
  + `(${config.baseline.operationPreferences.regionConcurrency} Regions, MaxConcurrentPercentage ${config.baseline.operationPreferences.maxConcurrentPercentage})`);
out(`  assumed minutes: ${Object.entries(ASSUMED_MINUTES).map(([k, v]) => `${k} ${v}`).join(', ')}; per member stack: `
  + `${Object.entries(ASSUMED_STACK_MINUTES).map(([k, v]) => `${k} ${v}`).join(', ')}`);
out();
out('  accounts  stack instances  full run (min)  of which StackSet rollout  policy-only change (min)  CloudFormation stack deploys');
for (const accounts of [10, 100, 1000]) {
  const instances = Object.values(memberRegions).reduce((n, r) => n + accounts * r, 0);
  if (Object.values(memberRegions).some((r) => accounts * r > INSTANCES_PER_STACK_SET)) throw new Error(`${accounts} accounts exceed ${INSTANCES_PER_STACK_SET} instances per StackSet`);
  const full = runMinutes(accounts, () => true, true);
  const policyOnly = runMinutes(accounts, (s) => s.id === STACK_IDS.management, false);
  out(`  ${String(accounts).padStart(8)}  ${String(instances).padStart(15)}  ${String(full.total).padStart(14)}  ${String(full.rollout).padStart(25)}  `
    + `${String(policyOnly.total).padStart(24)}  ${String(waves.flat().length).padStart(28)}`);
}
out();
out('A policy-only change deploys one changed stack (GovernanceManagement); Organizations applies the new SCPs and RCPs to every');
out('account beneath their targets at once, so its time does not grow with the accounts. The person at the policy approval is');
out('not in the model. A full run grows with the accounts only through the StackSet rollout (waves of MaxConcurrentPercentage),');
out('which with a percentage is a fixed number of waves: the model leaves out StackSets\' own throughput per operation, which');
out('the CfCT report below (about 30 minutes for one unchanged StackSet over 800+ accounts in 8+ Regions) suggests is real.');
out();
out('Published figures of the alternatives (none is a benchmark at 10/100/1,000 accounts; no such figure was found):');
out('  Landing Zone Accelerator on AWS: the core pipeline deploys one stack per account and Region in most of its 19 stages');
out('    (developer guide, Stack Walkthroughs, https://awslabs.github.io/landing-zone-accelerator-on-aws/latest/developer-guide/stacks/).');
out('    Run times reported by users: "from ~45 minutes to ... over 1 hour" (account count not given;');
out('    https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/350); "In large environments, running the full');
out('    pipeline takes hours" (https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/32).');
out('  Customizations for AWS Control Tower: StackSets deployed one after another; for 800+ accounts in 8+ Regions "approximately');
out('    30 mins per stackset even if there is no change", 50+ customizations "8-14 hrs"');
out('    (https://github.com/aws-solutions/aws-control-tower-customizations/issues/174); 800 accounts, 50+ customizations "5-6 hours"');
out('    (https://github.com/aws-solutions/aws-control-tower-customizations/issues/177). These are user reports, not AWS figures.');

const text = lines.join('\n');
console.log(text);
const dir = path.join(PROJECT_ROOT, 'bench-out');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'pipeline.txt'), `${text}\n`);
