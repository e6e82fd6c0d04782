import { CfnElement, DefaultStackSynthesizer, Names, Stack, Stage, type App } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PipelineConfig } from './pipeline-stack';
import type { GovernanceConfig } from '../../config/schema';
import { deployWaves, plannedStacks, type PlannedStack } from '../deploy-plan';
import { buildEstate, type Estate } from '../estate';

/** One deploy wave of the estate as a pipeline Stage. */
export interface EstateStage {
  readonly stage: Stage;
  /** The stacks of the wave (stacks/deploy-plan.ts), in the order of the estate table. */
  readonly stacks: readonly PlannedStack[];
}

/**
 * The stacks the pipeline deploys: every planned stack but the edge stacks (Region scope `edge`), which the CLI deploys
 * (see {@link buildEstateStages}); a dependency on an edge stack (the estate table's `cliOnly`) is left out of theirs.
 */
export function pipelineStacks(config: GovernanceConfig): PlannedStack[] {
  const planned = plannedStacks(config);
  const edge = new Set(planned.filter((s) => s.entry.regions === 'edge').map((s) => s.id));
  return planned.filter((s) => !edge.has(s.id)).map((s) => ({ ...s, after: s.after.filter((a) => !edge.has(a.id)) }));
}

/** The id of wave `index` (0-based) as a Stage: also the pipeline stage's name. */
export function waveStageId(index: number): string {
  return `Wave${index + 1}`;
}

/**
 * The estate for a pipeline: one Stage per deploy wave of the estate table (`deployWaves(plannedStacks(config))`), each
 * stack in the Stage of its wave under its own construct id, with its construct id as its CloudFormation stack name
 * (as the CLI deploys it, not `<stage>-<id>`), so the stacks, logical ids and resource names are those of the estate
 * the CLI deploys (docs/adr/0014-estate-in-pipeline-stages.md). A dependency between stacks of two waves is kept by the
 * order of the Stages; stacks of one wave depend on none of each other.
 *
 * Every stack deploys with the pipeline's own CDK bootstrap (`pipeline.bootstrapQualifier`, which the bootstrap
 * StackSet provides: docs/adr/0027), so CloudFormation acts as that bootstrap's execution role in the stack's account
 * and Region; in the log-archive and audit accounts the SCPs' tamper rules exempt that role by account id.
 *
 * The edge stacks (Region scope `edge`, us-east-1: `SupportChatEdge`) are in no wave: they stay in the app, with the
 * account's default CDK bootstrap, and the CLI deploys them (docs/deploying.md). A pipeline action in us-east-1 would
 * need a cross-Region support stack (artifact bucket and key) of the deployment account there, which ORG-REGION-1
 * denies; it lets only the tenant account's bootstrap roles for us-east-1 act there (docs/adr/0031).
 */
export function buildEstateStages(
  app: App, config: GovernanceConfig & { readonly pipeline: PipelineConfig },
): { readonly estate: Estate; readonly stages: readonly EstateStage[] } {
  const pipeline = config.pipeline;
  const inPipeline = pipelineStacks(config);
  const inPipelineIds = new Set(inPipeline.map((s) => s.id));
  const outside = new Set(plannedStacks(config).map((s) => s.id).filter((id) => !inPipelineIds.has(id)));
  const waves = deployWaves(inPipeline);
  const stages = waves.map((stacks, index) => ({ stage: new Stage(app, waveStageId(index)), stacks }));
  const waveOf = new Map(waves.flatMap((stacks, index) => stacks.map((s) => [s.id, index] as const)));
  const indexOf = (id: string): number => {
    const index = waveOf.get(id);
    if (index === undefined) throw new Error(`${id} is in no deploy wave of this config`);
    return index;
  };
  const estate = buildEstate(app, config, {
    stageOf: (id) => (outside.has(id) ? app : stages[indexOf(id)].stage),
    stackProps: (id) => (outside.has(id) ? {} : {
      stackName: id,
      synthesizer: new DefaultStackSynthesizer({ qualifier: pipeline.bootstrapQualifier }),
    }),
    deploysBefore: (before, after) => indexOf(before) < indexOf(after),
  });
  for (const { stage } of stages) keepAppLogicalIds(stage);
  return { estate, stages };
}

/** `makeUniqueId` of aws-cdk-lib (not exported): the unique id of a construct at `components` below a root. */
function uniqueIdOf(components: readonly string[]): string {
  let node = new Construct(undefined as never, '');
  for (const id of components) node = new Construct(node, id);
  return Names.nodeUniqueId(node.node);
}

/**
 * Gives every element of the Stage's stacks the logical id it has when its stack is built straight into the app. Logical
 * ids are computed below the stack, but a construct id made from another construct's unique id (aws-cdk-lib's event
 * targets name a Lambda permission `AllowEventRule<unique id of the function>`) carries the whole construct path,
 * the Stage's id included; CloudFormation would then replace that resource (ADR 3).
 */
function keepAppLogicalIds(stage: Stage): void {
  for (const stack of stage.node.children.filter((c): c is Stack => c instanceof Stack)) {
    const below = stack.node.findAll();
    // What a construct's unique id is in the Stage, and what it is when the stack is built into the app.
    const uniqueIds = below.map((c) => [Names.nodeUniqueId(c.node), uniqueIdOf(c.node.scopes.slice(2).map((s) => s.node.id))] as const);
    for (const element of below.filter((c): c is CfnElement => c instanceof CfnElement)) {
      const components = element.node.scopes.slice(element.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
      const inApp = components.map((id) => uniqueIds.reduce((out, [staged, unstaged]) => out.replace(staged, unstaged), id));
      if (inApp.every((id, i) => id === components[i])) continue;
      stack.renameLogicalId(uniqueIdOf(components), uniqueIdOf(inApp));
    }
  }
}
