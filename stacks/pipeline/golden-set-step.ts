import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, type IFileSetProducer } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { pipelineBootstrapRoleName } from '../../policies/pipeline-roles';
import { GOLDEN_SET_STEP_ROLE_NAME, releaseEvaluationRoleName } from '../../workloads/support-chat/chat/constructs/chat-release-evaluation';
import { TENANT_PREFIX } from '../../workloads/support-chat/support-chat-stack';
import type { PlannedStack } from '../deploy-plan';

/** The script the golden-set step runs (after `npm ci`), from the project's root. */
export const GOLDEN_SET_STEP_SCRIPT = 'build-tools/pipeline/golden-set-step.sh';

/** The golden-set step of a tenant stack (the CodePipeline action's name). */
export function goldenSetStepId(stackId: string): string {
  return `GoldenSet-${stackId}`;
}

export interface GoldenSetStepsProps {
  /** The project's source: the commit's own router, escalation triggers, hand-off decision and knowledge source run. */
  readonly input: IFileSetProducer;
  /** The config file, relative to the project root (its `pipeline.tenantRelease.goldenSet` thresholds). */
  readonly configFile: string;
  /** The pipeline's CDK bootstrap qualifier: the step reads the tenant stack through that bootstrap's lookup role. */
  readonly bootstrapQualifier: string;
  /** The tenant stacks of the stage (`SupportChat-<region>`): one step each. */
  readonly tenantStacks: readonly PlannedStack[];
}

/**
 * The steps before the stage that deploys the support-chat tenant (docs/adr/0034-tenant-release-by-golden-set-and-canary.md),
 * one per tenant stack, on one CodeBuild role `governance-pipeline-golden-set` that may assume exactly two roles per
 * stack, both in the tenant's account:
 * 1. the pipeline bootstrap's lookup role (read-only), to read the deployed tenant stack's outputs. A stack that does not
 *    exist yet (its first release) has nothing to evaluate: the step says so and passes; any other failure fails it;
 * 2. the stack's `support-chat-release-evaluation-<region>` role, with which it runs `npx projen bench:quality` against
 *    the deployed knowledge base and real Bedrock (the classifier with the contract's guardrail), then the gate
 *    (`golden-set-gate-cli.ts`): a figure below `pipeline.tenantRelease.goldenSet`, a retrieval error or a run that
 *    was not against Bedrock fails the step, and the stage does not deploy.
 * The commands are the commit's script `build-tools/pipeline/golden-set-step.sh` (`GOLDEN_SET_STEP_SCRIPT`), which names
 * the stack outputs of `RELEASE_EVALUATION_OUTPUTS`. What it evaluates is the commit's code (router, triggers, hand-off
 * decision, relevance floor, answer) on the deployed knowledge base's documents; the report (`golden-set/quality-bedrock.{txt,json}`) is the step's output.
 */
export function goldenSetSteps(scope: Construct, props: GoldenSetStepsProps): CodeBuildStep[] {
  if (props.tenantStacks.length === 0) return [];
  const partition = Stack.of(scope).partition;
  const roleArn = (account: string, name: string) => `arn:${partition}:iam::${account}:role/${name}`;
  const lookupRole = (s: PlannedStack) => roleArn(s.accountId, pipelineBootstrapRoleName(props.bootstrapQualifier, 'lookup', s.accountId, s.region));
  const evaluationRole = (s: PlannedStack) => roleArn(s.accountId, releaseEvaluationRoleName(TENANT_PREFIX, s.region));
  const role = new iam.Role(scope, 'GoldenSetRole', {
    roleName: GOLDEN_SET_STEP_ROLE_NAME,
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: 'The pipeline\'s golden-set evaluation: reads the tenant stack and evaluates it with the tenant\'s evaluation role, nothing else',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ReadAndEvaluateTheTenant',
    actions: ['sts:AssumeRole'],
    resources: props.tenantStacks.flatMap((s) => [lookupRole(s), evaluationRole(s)]),
  }));
  return props.tenantStacks.map((tenant) => new CodeBuildStep(goldenSetStepId(tenant.id), {
    input: props.input,
    role,
    env: {
      GOVERNANCE_CONFIG: props.configFile,
      TENANT_STACK: tenant.id,
      TENANT_REGION: tenant.region,
      LOOKUP_ROLE_ARN: lookupRole(tenant),
      EVALUATION_ROLE_ARN: evaluationRole(tenant),
    },
    // The step's shell is a script of the commit (its phases, the first release, the gate's status as the step's).
    commands: ['npm ci', `bash ${GOLDEN_SET_STEP_SCRIPT}`],
    primaryOutputDirectory: 'golden-set',
  }));
}
