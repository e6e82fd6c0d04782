import { Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { ExecutionMode, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { S3Trigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CodePipeline, CodePipelineSource, ConfirmPermissionsBroadening, ShellStep, type Step } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import type { EstateStage } from './estate-stages';
import { goldenSetSteps, goldenSetStepId } from './golden-set-step';
import { hardenPipeline } from './pipeline-hardening';
import { policyApprovalSteps } from './policy-approval';
import { postDeployVerificationStep, VERIFICATION_STAGE } from './post-deploy-verification';
import type { GovernanceConfig } from '../../config/schema';

/** The pipeline's config section, once the config has one. */
export type PipelineConfig = NonNullable<GovernanceConfig['pipeline']>;

export interface GovernancePipelineStackProps extends StackProps {
  readonly config: GovernanceConfig;
  readonly pipeline: PipelineConfig;
  /** The config file the pipeline synthesizes, relative to the project root (the synth step's `GOVERNANCE_CONFIG`). */
  readonly configFile: string;
  /** The estate's deploy waves as Stages, in deploy order (stacks/pipeline/estate-stages.ts). */
  readonly stages: readonly EstateStage[];
  /** The construct id of the management account's Organizations policy stack: the approval goes before its Stage. */
  readonly policyStackId: string;
}

/** The commands of the synth step: the project's own build, every gate and proof before anything deploys. */
export const SYNTH_COMMANDS = ['npm ci', 'npx projen build', 'CONFORMANCE_REUSE_CDK_OUT=1 npx projen conformance'] as const;

/**
 * The platform team's pipeline (CDK Pipelines, CodePipeline V2) in the deployment account: the source (a CodeConnections
 * repository branch or an S3 object), the synth step that runs the project's build and conformance checks, self-mutation,
 * then one stage per deploy wave of the estate table, each stack deployed by change set in its own account and Region.
 * Every stage confirms IAM and security-group broadening; the management account's policy stage is preceded by the
 * policy preview and its approval (policy-approval.ts), the support-chat tenant's stage by its golden-set gate
 * (golden-set-step.ts); after the last wave, the stage `Verify` publishes the expected facts and verifies the deployed
 * estate, failing the run on drift (post-deploy-verification.ts; docs/adr/0034-tenant-release-by-golden-set-and-canary.md).
 */
export class GovernancePipelineStack extends Stack {
  public readonly pipeline: CodePipeline;

  constructor(scope: Construct, id: string, props: GovernancePipelineStackProps) {
    super(scope, id, props);
    const source = pipelineSource(this, props.pipeline);
    const synth = new ShellStep('Synth', {
      input: source,
      env: { GOVERNANCE_CONFIG: props.configFile },
      commands: [...SYNTH_COMMANDS],
      primaryOutputDirectory: 'cdk.out',
    });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipeline.name,
      pipelineType: PipelineType.V2,
      // One execution in a stage at a time: the policy preview in a stage is that of the execution waiting at its approval.
      executionMode: ExecutionMode.SUPERSEDED,
      crossAccountKeys: true,
      enableKeyRotation: true,
      selfMutation: true,
      useChangeSets: true,
      codeBuildDefaults: { buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 } },
      synth,
    });
    const policyStage = props.stages.find((s) => s.stacks.some((stack) => stack.id === props.policyStackId));
    if (!policyStage) throw new Error(`No stage of the pipeline deploys ${props.policyStackId}`);
    // The tenant's releases: the golden set against the deployed knowledge base before the stage that deploys it (ADR 34).
    const goldenSet = new Map(goldenSetSteps(this.pipeline, {
      input: source,
      configFile: props.configFile,
      bootstrapQualifier: props.pipeline.bootstrapQualifier,
      tenantStacks: props.config.workloads.supportChat?.knowledge ? props.stages.flatMap((s) => s.stacks).filter((s) => s.key === 'supportChat') : [],
    }).map((step) => [step.id, step]));
    for (const { stage, stacks } of props.stages) {
      const pre: Step[] = stage === policyStage.stage ? policyApprovalSteps(this, {
        input: source,
        configFile: props.configFile,
        pipelineName: props.pipeline.name,
        stageName: stage.stageName,
        previewBucketName: () => this.pipeline.pipeline.artifactBucket.bucketName,
      }) : [];
      const golden = stacks.flatMap((s) => goldenSet.get(goldenSetStepId(s.id)) ?? []);
      this.pipeline.addStage(stage, { pre: [...pre, ...golden, new ConfirmPermissionsBroadening('ConfirmBroadening', { stage })] });
    }
    // After the last wave: the expected facts published for the daily run, and the read-only verification of the estate.
    this.pipeline.addWave(VERIFICATION_STAGE, {
      post: [postDeployVerificationStep(this.pipeline, {
        config: props.config,
        input: source,
        assembly: synth,
        configFile: props.configFile,
        reportBucketName: () => this.pipeline.pipeline.artifactBucket.bucketName,
      })],
    });
    this.pipeline.buildPipeline();
    hardenPipeline(this.pipeline);
  }
}

function pipelineSource(scope: Construct, pipeline: PipelineConfig): CodePipelineSource {
  const { connection, s3: object } = pipeline.source;
  if (connection) {
    return CodePipelineSource.connection(connection.repository, connection.branch, { connectionArn: connection.connectionArn, triggerOnPush: true });
  }
  if (object) return CodePipelineSource.s3(s3.Bucket.fromBucketName(scope, 'SourceBucket', object.bucket), object.key, { trigger: S3Trigger.EVENTS });
  throw new Error('pipeline.source: exactly one of connection or s3');
}
