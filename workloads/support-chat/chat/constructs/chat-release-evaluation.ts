import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { AccountPrincipal, CfnRole, Effect, ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';

/**
 * The role of the pipeline's golden-set step, in the deployment account: the only principal the evaluation role of
 * every tenant stack trusts. Not a `genai-governance-` name: ORG-TAMPER-BASELINE would keep the deployment account's
 * CDK execution role from creating it.
 */
export const GOLDEN_SET_STEP_ROLE_NAME = 'governance-pipeline-golden-set';

/** The evaluation role of the tenant stack in `region`: what the golden-set step assumes there. */
export function releaseEvaluationRoleName(namePrefix: string, region: string): string {
  return `${namePrefix}-release-evaluation-${region}`;
}

/** The outputs the golden-set step reads from the deployed tenant stack (`cloudformation:DescribeStacks`). */
export const RELEASE_EVALUATION_OUTPUTS = {
  knowledgeBaseId: 'GoldenSetKnowledgeBaseId',
  guardrailArn: 'GoldenSetGuardrailArn',
  guardrailVersion: 'GoldenSetGuardrailVersion',
  classifierModelId: 'GoldenSetClassifierModelId',
  rerankModelArn: 'GoldenSetRerankModelArn',
} as const;

/** Properties of `ChatReleaseEvaluation`. */
export interface ChatReleaseEvaluationProps {
  /** Prefix of the role's name (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  /** The stack's Region. */
  readonly region: string;
  /** The pipeline's deployment account: its golden-set step's role (`GOLDEN_SET_STEP_ROLE_NAME`) may assume the role. */
  readonly pipelineAccount: string;
  /** The workload contract's CRI-only invoke policies: the classifier is called as the turn calls it. */
  readonly invokePolicyArns: string[];
  /** The contract's guardrail and version: every call names both (BR-GR-1), denied otherwise. */
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
  /** The classifier's inference profile in this Region (`tenantModels(...).classifier`). */
  readonly classifierModelId: string;
  /** The knowledge base: its id, and the statements that let the turn retrieve (and rerank) from it. */
  readonly knowledgeBaseId: string;
  readonly retrieveStatements: PolicyStatement[];
  /** The rerank model's ARN, when retrieval reranks. */
  readonly rerankModelArn?: string;
}

/**
 * What the pipeline's golden-set step (`npx projen bench:quality` against real Bedrock, before the tenant's stage
 * deploys: docs/adr/0034-tenant-release-by-golden-set-and-canary.md) uses in this account: the role
 * `<prefix>-release-evaluation-<region>`, trusted by the deployment account only for the step's role (by
 * `aws:PrincipalArn`), which may retrieve from this knowledge base and call the classifier and stream the answers
 * (the tenant's fast and capable profiles, docs/adr/0038-golden-set-answers-as-the-turn-does.md) through the contract's
 * invoke policies with the contract's guardrail, as the turn does, and nothing else; and the stack outputs that name them.
 */
export class ChatReleaseEvaluation extends Construct {
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: ChatReleaseEvaluationProps) {
    super(scope, id);
    const stepRoleArn = `arn:${Stack.of(this).partition}:iam::${props.pipelineAccount}:role/${GOLDEN_SET_STEP_ROLE_NAME}`;
    this.role = new Role(this, 'Role', {
      roleName: releaseEvaluationRoleName(props.namePrefix, props.region),
      description: 'Support chat: the pipeline\'s golden-set evaluation retrieves and classifies as the turn does, before a release',
      assumedBy: new AccountPrincipal(props.pipelineAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': stepRoleArn } }),
      maxSessionDuration: Duration.hours(1),
    });
    (this.role.node.defaultChild as CfnRole).managedPolicyArns = props.invokePolicyArns;
    const policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: releaseEvaluationRoleName(props.namePrefix, props.region),
      roles: [this.role],
      statements: [
        ...props.retrieveStatements,
        new PolicyStatement({
          sid: 'EveryCallWithTheGuardrail',
          effect: Effect.DENY,
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          ...(props.rerankModelArn ? { notResources: [props.rerankModelArn] } : { resources: ['*'] }),
          conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': `${props.guardrailArn}:${props.guardrailVersion}` } },
        }),
      ],
    });
    if (props.rerankModelArn) {
      acknowledgeFinding(policy, { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'bedrock:Rerank has no resource type: it is authorized on *, the rerank model on its own ARN' });
    }
    acknowledgeFinding(this.role, {
      id: 'AwsSolutions::AwsSolutions-IAM4',
      reason: 'Its managed policies are the workload contract\'s CRI-only invoke policies (customer-managed, BL-IAM-1), a list CloudFormation reads from SSM at deploy, so the rule cannot read them at synth',
    });
    const outputs: [string, string | undefined, string][] = [
      [RELEASE_EVALUATION_OUTPUTS.knowledgeBaseId, props.knowledgeBaseId, 'the knowledge base the golden set retrieves from'],
      [RELEASE_EVALUATION_OUTPUTS.guardrailArn, props.guardrailArn, 'the contract\'s guardrail the classifier is called with'],
      [RELEASE_EVALUATION_OUTPUTS.guardrailVersion, props.guardrailVersion, 'its version'],
      [RELEASE_EVALUATION_OUTPUTS.classifierModelId, props.classifierModelId, 'the classifier\'s inference profile'],
      [RELEASE_EVALUATION_OUTPUTS.rerankModelArn, props.rerankModelArn, 'the rerank model retrieval reranks with'],
    ];
    for (const [name, value, description] of outputs) {
      if (value !== undefined) new CfnOutput(Stack.of(this), name, { value, description: `Golden-set evaluation: ${description}` });
    }
  }
}
