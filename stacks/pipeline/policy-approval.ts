import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, ManualApprovalStep, type IFileSetProducer, type Step } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';

/** Where the preview step puts the preview of the execution in the stage, in the pipeline's artifact bucket. */
export const PREVIEW_PREFIX = 'policy-preview';
/** The step ids: the pipeline action names of the preview, the approval and the step that approves an empty change. */
export const POLICY_APPROVAL_STEPS = { preview: 'PolicyPreview', approval: 'ApprovePolicyChange', autoApprove: 'ApproveNoPolicyChange' } as const;

/**
 * The Organizations read actions `npx projen policy:snapshot` calls (operations/policy-preview/snapshot-reader.ts):
 * the roots, OUs and accounts of the tree, and every policy of each type with its content and targets.
 */
export const SNAPSHOT_READ_ACTIONS = [
  'organizations:DescribePolicy', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListPolicies', 'organizations:ListRoots', 'organizations:ListTargetsForPolicy',
];

export interface PolicyApprovalProps {
  /** The project's source: the preview runs the commit's own preview against the deployed organization. */
  readonly input: IFileSetProducer;
  /** The config file, relative to the project root. */
  readonly configFile: string;
  /** The pipeline's name (fixed, so the step's rights name the approval action exactly). */
  readonly pipelineName: string;
  /** The pipeline stage the steps run in (the Stage's id). */
  readonly stageName: string;
  /** The bucket the preview is written to (the pipeline's artifact bucket), resolved once the pipeline is built. */
  readonly previewBucketName: () => string;
}

/**
 * The steps before the stage that deploys the management account's Organizations policies
 * (docs/adr/0014-estate-in-pipeline-stages.md):
 * 1. `PolicyPreview` snapshots the deployed policies (`npx projen policy:snapshot`), previews the commit's policies
 *    against them (`npx projen policy:preview`; contract: exit 0, `preview/preview.json` with a boolean `changed`,
 *    `preview/preview.md` for people) and copies both to `s3://<artifact bucket>/policy-preview/`;
 * 2. `ApprovePolicyChange`, a manual approval whose review link is that `preview.md`;
 * 3. `ApproveNoPolicyChange`, beside the approval, reads `preview.json` and, when `changed` is false, approves the
 *    approval itself (CodePipeline `PutApprovalResult` with the token `GetPipelineState` shows once it is in progress);
 *    when `changed` is true, or the approval does not start or cannot be approved, it leaves the approval to a person.
 * A failing preview fails the stage: nothing deploys without a preview.
 */
export function policyApprovalSteps(scope: Construct, props: PolicyApprovalProps): Step[] {
  const stack = Stack.of(scope);
  const previewUrl = Lazy.string({ produce: () => `s3://${props.previewBucketName()}/${PREVIEW_PREFIX}` });
  const preview = new CodeBuildStep(POLICY_APPROVAL_STEPS.preview, {
    input: props.input,
    env: { GOVERNANCE_CONFIG: props.configFile, PREVIEW_URL: previewUrl },
    commands: [
      'npm ci',
      'npx projen policy:snapshot -- --out deployed.json',
      'npx projen policy:preview -- --deployed deployed.json --format json --out preview',
      'node -e \'const p = require("./preview/preview.json"); if (typeof p.changed !== "boolean") { console.error("preview/preview.json has no boolean changed"); process.exit(1); }\'',
      'aws s3 cp preview/preview.md "$PREVIEW_URL/preview.md"',
      'aws s3 cp preview/preview.json "$PREVIEW_URL/preview.json"',
    ],
    primaryOutputDirectory: 'preview',
    rolePolicyStatements: [new iam.PolicyStatement({ sid: 'ReadOrganizationsPolicies', actions: SNAPSHOT_READ_ACTIONS, resources: ['*'] })],
  });
  const approval = new ManualApprovalStep(POLICY_APPROVAL_STEPS.approval, {
    comment: 'The Organizations policies change: review the preview (preview.md) before the management account\'s stage deploys them.',
    reviewUrl: Lazy.string({
      produce: () => `https://${stack.region}.console.aws.amazon.com/s3/object/${props.previewBucketName()}?region=${stack.region}&prefix=${PREVIEW_PREFIX}/preview.md`,
    }),
  });
  approval.addStepDependency(preview);
  const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName, region: stack.region, account: stack.account });
  const autoApprove = new CodeBuildStep(POLICY_APPROVAL_STEPS.autoApprove, {
    input: preview,
    env: { PIPELINE_NAME: props.pipelineName, STAGE_NAME: props.stageName, ACTION_NAME: POLICY_APPROVAL_STEPS.approval },
    // One command: CodeBuild runs each command line in the same shell, and an `exit` would end the whole phase. Every
    // way out but the approval leaves the decision to a person; the preview step has checked that `changed` is a boolean.
    commands: [[
      'changed="$(node -p \'String(require("./preview.json").changed)\')"',
      'if [ "$changed" != "false" ]; then echo "The policies change: the approval waits for a person."',
      'else',
      // The stage holds one execution at a time: an approval in progress in it is this execution's.
      '  token=""; for i in $(seq 1 60); do token="$(aws codepipeline get-pipeline-state --name "$PIPELINE_NAME" --query "stageStates[?stageName==\'$STAGE_NAME\'].actionStates[] | [?actionName==\'$ACTION_NAME\' && latestExecution.status==\'InProgress\'].latestExecution.token | [0]" --output text)"; if [ -n "$token" ] && [ "$token" != "None" ]; then break; fi; sleep 5; done',
      '  if [ -z "$token" ] || [ "$token" = "None" ]; then echo "The approval did not start within 5 minutes: it waits for a person."',
      '  else aws codepipeline put-approval-result --pipeline-name "$PIPELINE_NAME" --stage-name "$STAGE_NAME" --action-name "$ACTION_NAME" --token "$token" --result "summary=No Organizations policy changes (policy:preview),status=Approved" || echo "Not approved automatically: the approval waits for a person."',
      '  fi',
      'fi',
    ].join('\n')],
    rolePolicyStatements: [
      new iam.PolicyStatement({ sid: 'ReadPipelineState', actions: ['codepipeline:GetPipelineState'], resources: [pipelineArn] }),
      new iam.PolicyStatement({
        sid: 'ApprovePolicyApproval',
        actions: ['codepipeline:PutApprovalResult'],
        resources: [`${pipelineArn}/${props.stageName}/${POLICY_APPROVAL_STEPS.approval}`],
      }),
    ],
  });
  autoApprove.addStepDependency(preview);
  return [preview, approval, autoApprove];
}
