import { governancePrincipalArns, STACKSETS_EXECUTION_ROLES, unlessPrincipal } from './governance-principals';
import { pipelineBootstrapRolePattern } from './pipeline-roles';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../contracts/governance-names';

/**
 * ORG-TAMPER-BASELINE: nobody but the governance principals changes or deletes what the baseline deploys:
 * - by the `genai-governance:managed=true` tag: its Bedrock VPC endpoints with their VPC, subnets, security group (and
 *   its rules) and flow logs; its KMS keys (deletion, disabling, policy, grants, aliases, imported material); its alarms
 *   (changes, mute rules, forced states); its alert topics (attributes, permissions, subscriptions, publishing);
 * - by the `genai-governance-` name prefix: IAM roles and policies (the workload boundary among them), the alert rules
 *   and the alert bus, and, for every action but reads, Lambda functions and S3 buckets with their objects (S3 bucket
 *   actions take no resource-tag condition); by the `/genai-governance/` path, every action but reads on SSM parameters
 *   (the workload contract, the shared sink and guardrail parameters);
 * - nor adds or removes the tag on a tag-protected resource type (so nobody can mark their own resource as governed,
 *   or unmark a governed one).
 * The exemption itself is guarded: nobody else creates or changes a role with an exempt name (`stacksets-exec-*`, the
 * platform and break-glass roles, `genai-governance-*`, with a pipeline every role of its bootstrap, `cdk-<qualifier>-*`),
 * passes a `genai-governance-*` role to a service (a function of their own would run with it), passes the pipeline's
 * execution roles to CloudFormation but the pipeline's deploy roles, or changes or invokes a `genai-governance-*`
 * function (the logging handler would put whatever configuration it is sent). Log groups are ORG-TAMPER-LOGGING's.
 * Every action a rule leaves out is in `policies/action-classification.yaml` with its reason.
 */
/** The path of every governance SSM parameter (`/genai-governance/...`), without its leading slash. */
const GOVERNANCE_PARAMETER_PATH = 'genai-governance';

export function orgTamperBaselineStatements(config: GovernanceConfig): PolicyStatement[] {
  const unlessGovernance = unlessPrincipal(governancePrincipalArns(config));
  const qualifier = config.pipeline?.bootstrapQualifier;
  return [
    {
      Sid: 'ORGTAMPERBASELINEDenyTaggedResourceChanges',
      Effect: 'Deny',
      Action: [
        'ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint', 'ec2:DeleteVpc', 'ec2:DeleteSubnet', 'ec2:DeleteSecurityGroup',
        'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress', 'ec2:ModifySecurityGroupRules', 'ec2:DeleteFlowLogs',
        'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation', 'kms:CreateGrant',
        'kms:RetireGrant', 'kms:RevokeGrant', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial', 'kms:DeleteAlias',
        'kms:UpdateAlias', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:Put*Alarm*',
        'cloudwatch:SetAlarmState', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission',
        'sns:Publish', 'sns:Unsubscribe', 'sns:SetSubscriptionAttributes', 'sns:PutDataProtectionPolicy',
      ],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${GOVERNANCE_TAG_KEY}`]: GOVERNANCE_TAG_VALUE }, ...unlessGovernance },
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyRoleChanges',
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy',
        'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole',
        'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion',
        'iam:TagPolicy', 'iam:UntagPolicy',
      ],
      Resource: [
        `arn:aws:iam::*:role/${GOVERNANCE_NAME_PREFIX}*`, `arn:aws:iam::*:policy/${GOVERNANCE_NAME_PREFIX}*`,
        STACKSETS_EXECUTION_ROLES, `arn:aws:iam::*:role/${config.principals.platformRoleName}`,
        `arn:aws:iam::*:role/${config.principals.breakGlassRoleName}`,
        ...(qualifier ? [`arn:aws:iam::*:role/cdk-${qualifier}-*`] : []),
      ],
      Condition: unlessGovernance,
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyPassingBaselineRoles',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::*:role/${GOVERNANCE_NAME_PREFIX}*`,
      Condition: unlessGovernance,
    },
    // The pipeline's execution roles go to CloudFormation only from the pipeline's deploy roles (docs/adr/0027).
    ...(qualifier ? [{
      Sid: 'ORGTAMPERBASELINEDenyPassingPipelineExecutionRoles',
      Effect: 'Deny' as const,
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::*:role/${pipelineBootstrapRolePattern(qualifier, 'cfn-exec')}`,
      Condition: unlessPrincipal([`arn:aws:iam::*:role/${pipelineBootstrapRolePattern(qualifier, 'deploy')}`]),
    }] : []),
    {
      // The alert rules and the audit account's alert bus, by name.
      Sid: 'ORGTAMPERBASELINEDenyAlertRoutingChanges',
      Effect: 'Deny',
      Action: [
        'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
        'events:DeleteEventBus', 'events:UpdateEventBus', 'events:PutEvents', 'events:TagResource', 'events:UntagResource',
      ],
      Resource: [`arn:aws:events:*:*:rule/${GOVERNANCE_NAME_PREFIX}*`, `arn:aws:events:*:*:event-bus/${GOVERNANCE_NAME_PREFIX}*`],
      Condition: unlessGovernance,
    },
    {
      // Resources wholly the governance's, by name: every action but reads, so an action AWS adds later is denied too.
      // Lambda functions; S3 buckets and their objects (`*` spans the `/` of object keys: configuration, objects,
      // retention, legal holds, tags, replication; Athena's query results are in a bucket of another name); SSM
      // parameters under /genai-governance/ (the workload contract, the shared sink and guardrail parameters). One
      // statement: each resource is of one service, so another service's reads in NotAction change nothing for it.
      Sid: 'ORGTAMPERBASELINEDenyNamedResourceChanges',
      Effect: 'Deny',
      NotAction: ['lambda:Get*', 'lambda:List*', 's3:Get*', 's3:List*', 'ssm:Get*', 'ssm:Describe*', 'ssm:List*'],
      Resource: [
        `arn:aws:lambda:*:*:function:${GOVERNANCE_NAME_PREFIX}*`, `arn:aws:s3:::${GOVERNANCE_NAME_PREFIX}*`,
        `arn:aws:ssm:*:*:parameter/${GOVERNANCE_PARAMETER_PATH}/*`,
      ],
      Condition: unlessGovernance,
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyGovernanceTagChanges',
      Effect: 'Deny',
      Action: [
        'ec2:CreateTags', 'ec2:DeleteTags', 'kms:TagResource', 'kms:UntagResource', 'bedrock:TagResource',
        'bedrock:UntagResource', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'sns:TagResource', 'sns:UntagResource',
        'oam:TagResource', 'oam:UntagResource',
      ],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [GOVERNANCE_TAG_KEY] }, ...unlessGovernance },
    },
  ];
}
