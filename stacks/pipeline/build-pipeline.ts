import type { App } from 'aws-cdk-lib';
import { buildEstateStages, type EstateStage } from './estate-stages';
import { buildPipelineBootstrap, pipelineSynthesizer, type PipelineBootstrap } from './pipeline-bootstrap';
import { GovernancePipelineStack, type PipelineConfig } from './pipeline-stack';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import type { Estate } from '../estate';
import { STACK_IDS } from '../estate';

/** The pipeline stack's construct id and CloudFormation stack name. */
export const PIPELINE_STACK_ID = 'GovernancePipeline';

/**
 * Composes the app of a config with a `pipeline` section: the estate in one Stage per deploy wave and the pipeline stack
 * that deploys them, in the deployment account (`pipeline.account`, else the management account) and the home Region.
 * The estate is built once, inside the Stages (docs/adr/0014-estate-in-pipeline-stages.md). Then the bootstrap StackSet
 * of every account and Region the pipeline deploys to, whose execution policy derives from all of them (docs/adr/0027).
 */
export function buildPipelineApp(app: App, config: GovernanceConfig & { readonly pipeline: PipelineConfig }, configFile: string): {
  readonly estate: Estate;
  readonly stages: readonly EstateStage[];
  readonly pipelineStack: GovernancePipelineStack;
  readonly bootstrap: PipelineBootstrap;
} {
  const { estate, stages, pipelineStack } = buildPipelineStacks(app, config, configFile);
  const bootstrap = buildPipelineBootstrap(app, config, stages, pipelineStack, [estate.baseline.stage]);
  return { estate, stages, pipelineStack, bootstrap };
}

/** The estate's Stages and the pipeline stack that deploys them, without the bootstrap (which is built from them). */
export function buildPipelineStacks(app: App, config: GovernanceConfig & { readonly pipeline: PipelineConfig }, configFile: string): {
  readonly estate: Estate; readonly stages: readonly EstateStage[]; readonly pipelineStack: GovernancePipelineStack;
} {
  const { estate, stages } = buildEstateStages(app, config);
  const pipelineStack = new GovernancePipelineStack(app, PIPELINE_STACK_ID, {
    synthesizer: pipelineSynthesizer(config.pipeline),
    env: { account: accountIdOf(config, config.pipeline.account ?? config.topology.management), region: config.organization.homeRegion },
    description: 'Generative-AI governance: the platform team\'s pipeline that deploys the estate (deployment account)',
    config,
    pipeline: config.pipeline,
    configFile,
    stages,
    policyStackId: STACK_IDS.management,
  });
  return { estate, stages, pipelineStack };
}
