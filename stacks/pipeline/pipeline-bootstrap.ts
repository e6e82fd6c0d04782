import { DefaultStackSynthesizer, BootstraplessSynthesizer, Stack, Stage, cx_api as cxapi, type App } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { IConstruct } from 'constructs';
import { deployedResourceTypes } from './deployed-resource-types';
import type { EstateStage } from './estate-stages';
import type { PipelineConfig } from './pipeline-stack';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { PipelineBootstrapStackSet } from '../../stacksets/bootstrap/bootstrap-stack-set';
import { executionServices, HANDLER_SERVICES_COMMAND, HANDLER_SERVICES_FILE } from '../../stacksets/bootstrap/execution-services';
import { PipelineBootstrapStack } from '../../stacksets/bootstrap/pipeline-bootstrap-stack';

/** Construct ids and the StackSet name: a stable contract (renaming replaces the stack, the StackSet and every instance). */
export const PIPELINE_BOOTSTRAP_IDS = {
  /** The stack holding the StackSet, in the StackSets administrator account's home Region. */
  stack: 'GovernancePipelineBootstrap',
  /** The Stage of the member template (its assembly is `cdk.out/assembly-<id>/`). */
  templateStage: 'GovernancePipelineBootstrapTemplate',
  /** The member template's stack id in that Stage. */
  template: 'Bootstrap',
  stackSetName: 'genai-governance-pipeline-bootstrap',
} as const;

/** The stack synthesizer of every stack the pipeline deploys: the bootstrap of the pipeline's qualifier. */
export function pipelineSynthesizer(pipeline: PipelineConfig): DefaultStackSynthesizer {
  return new DefaultStackSynthesizer({ qualifier: pipeline.bootstrapQualifier });
}

export interface PipelineBootstrap {
  readonly stack: Stack;
  readonly template: PipelineBootstrapStack;
  /** The synthesized member template: the StackSet's body, and the management account's one-time bootstrap. */
  readonly templateFile: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** The services of the execution policy, and the resource types they come from. */
  readonly services: readonly string[];
  readonly resourceTypes: readonly string[];
}

/**
 * The pipeline's bootstrap (docs/adr/0027): the member template of stacksets/bootstrap/ built for the config (its
 * qualifier, the deployment account as the one trusted account, the execution policy's services from the resource
 * types of every stack the pipeline deploys: the estate's waves, the pipeline stack and its support stacks, this
 * StackSet's), and the StackSet that deploys it to every account the pipeline deploys to but the management account,
 * in every Region of those stacks. Built after the pipeline stack, so its resources count. A resource type the
 * generated handler-services file does not know fails here, before anything deploys.
 */
export function buildPipelineBootstrap(app: App, config: GovernanceConfig & { readonly pipeline: PipelineConfig }, stages: readonly EstateStage[],
  pipelineStack: Stack, memberTemplates: readonly IConstruct[]): PipelineBootstrap {
  const management = accountIdOf(config, config.topology.management);
  const planned = stages.flatMap((s) => s.stacks);
  const accounts = [...new Set([...planned.map((s) => s.accountId), pipelineStack.account])].filter((a) => a !== management);
  const regions = [...new Set([config.organization.homeRegion, ...planned.map((s) => s.region)])];
  const resourceTypes = [...deployedResourceTypes(app, memberTemplates), CfnStackSet.CFN_RESOURCE_TYPE_NAME];
  const { services, unknown } = executionServices(resourceTypes);
  if (unknown.length > 0) {
    throw new Error(`The pipeline's execution policy cannot cover ${unknown.join(', ')}: ${HANDLER_SERVICES_FILE} does not list `
      + `the services of their resource handlers. Regenerate it with ${HANDLER_SERVICES_COMMAND}, review the services it adds, and redeploy `
      + `${PIPELINE_BOOTSTRAP_IDS.stack} (and the management account's bootstrap) before the pipeline deploys them.`);
  }
  const templateStage = new Stage(app, PIPELINE_BOOTSTRAP_IDS.templateStage);
  // Like the baseline's member templates: StackSets deploy it, not the CLI, so no construct-path metadata.
  templateStage.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, false);
  const template = new PipelineBootstrapStack(templateStage, PIPELINE_BOOTSTRAP_IDS.template, {
    synthesizer: new BootstraplessSynthesizer(),
    analyticsReporting: false,
    description: `CDK bootstrap ${config.pipeline.bootstrapQualifier} for the governance pipeline in ${pipelineStack.account} `
      + '(deployed by StackSet; by hand in the management account)',
    qualifier: config.pipeline.bootstrapQualifier,
    trustedAccount: pipelineStack.account,
    executionServices: services,
  });
  const templateFile = templateStage.synth().getStackArtifact(template.artifactId).templateFullPath;
  const stack = new Stack(app, PIPELINE_BOOTSTRAP_IDS.stack, {
    env: {
      account: accountIdOf(config, config.baseline.delegatedAdministrator ?? config.topology.management),
      region: config.organization.homeRegion,
    },
    description: 'Generative-AI governance: the StackSet that bootstraps the pipeline\'s accounts and Regions (StackSets administrator account)',
    synthesizer: pipelineSynthesizer(config.pipeline),
  });
  new PipelineBootstrapStackSet(stack, PIPELINE_BOOTSTRAP_IDS.stackSetName, {
    stackSetName: PIPELINE_BOOTSTRAP_IDS.stackSetName,
    templateFile,
    rootId: config.organization.rootId,
    accounts,
    regions,
    callAs: config.baseline.delegatedAdministrator ? 'DELEGATED_ADMIN' : 'SELF',
    operationPreferences: config.baseline.operationPreferences,
  });
  return { stack, template, templateFile, accounts, regions, services, resourceTypes: [...resourceTypes].sort() };
}
