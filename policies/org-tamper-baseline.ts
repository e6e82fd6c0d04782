import { governancePrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../contracts/governance-names';

/**
 * ORG-TAMPER-BASELINE: nobody but the governance principals changes or deletes what the baseline deploys: its Bedrock
 * VPC endpoints with their VPC, subnets, security group and flow logs, KMS keys, log groups, alarms and alert topics (by the `genai-governance:managed=true` tag), its IAM roles and policies, S3 buckets
 * and Lambda functions (by the `genai-governance-` name prefix, because S3 bucket actions take no resource-tag
 * condition), nor adds or removes the tag anywhere (so nobody can mark their own resource as governed, or unmark a
 * governed one). The exemption itself is guarded: nobody else creates or changes a role with an exempt name
 * (`stacksets-exec-*`, the platform and break-glass roles, `genai-governance-*`), passes a `genai-governance-*` role to
 * a service (a function of their own would run with it), or changes or invokes a `genai-governance-*` function (the
 * logging handler would put whatever configuration it is sent). The alert-forwarding EventBridge rule is protected by
 * name as well.
 */
export function orgTamperBaselineStatements(config: GovernanceConfig): PolicyStatement[] {
  const unlessGovernance = unlessPrincipal(governancePrincipalArns(config));
  return [
    {
      Sid: 'ORGTAMPERBASELINEDenyTaggedResourceChanges',
      Effect: 'Deny',
      Action: [
        'ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint', 'kms:ScheduleKeyDeletion', 'kms:DisableKey',
        'kms:PutKeyPolicy', 'kms:DisableKeyRotation', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions',
        'cloudwatch:PutMetricAlarm', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:RemovePermission',
        'ec2:DeleteVpc', 'ec2:DeleteSubnet', 'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress',
        'ec2:DeleteFlowLogs', 'logs:DeleteLogGroup',
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
        'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:TagRole', 'iam:UntagRole', 'iam:CreatePolicyVersion',
        'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion',
      ],
      Resource: [
        `arn:aws:iam::*:role/${GOVERNANCE_NAME_PREFIX}*`, `arn:aws:iam::*:policy/${GOVERNANCE_NAME_PREFIX}*`,
        'arn:aws:iam::*:role/stacksets-exec-*', `arn:aws:iam::*:role/${config.principals.platformRoleName}`,
        `arn:aws:iam::*:role/${config.principals.breakGlassRoleName}`,
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
    {
      Sid: 'ORGTAMPERBASELINEDenyAlertRuleChanges',
      Effect: 'Deny',
      Action: ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'],
      Resource: `arn:aws:events:*:*:rule/${GOVERNANCE_NAME_PREFIX}*`,
      Condition: unlessGovernance,
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyFunctionChanges',
      Effect: 'Deny',
      Action: [
        'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:DeleteFunction', 'lambda:InvokeFunction',
        'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:PublishVersion', 'lambda:CreateAlias', 'lambda:UpdateAlias',
        'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:CreateFunctionUrlConfig',
      ],
      Resource: `arn:aws:lambda:*:*:function:${GOVERNANCE_NAME_PREFIX}*`,
      Condition: unlessGovernance,
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyBucketChanges',
      Effect: 'Deny',
      Action: [
        's3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy', 's3:PutEncryptionConfiguration',
        's3:PutLifecycleConfiguration', 's3:PutReplicationConfiguration', 's3:PutBucketVersioning',
        's3:PutBucketPublicAccessBlock', 's3:PutBucketLogging', 's3:PutBucketOwnershipControls',
      ],
      Resource: `arn:aws:s3:::${GOVERNANCE_NAME_PREFIX}*`,
      Condition: unlessGovernance,
    },
    {
      Sid: 'ORGTAMPERBASELINEDenyGovernanceTagChanges',
      Effect: 'Deny',
      Action: [
        'ec2:CreateTags', 'ec2:DeleteTags', 'kms:TagResource', 'kms:UntagResource', 'bedrock:TagResource',
        'bedrock:UntagResource', 'iam:TagRole', 'iam:UntagRole', 'cloudwatch:TagResource', 'cloudwatch:UntagResource',
        'sns:TagResource', 'sns:UntagResource',
      ],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [GOVERNANCE_TAG_KEY] }, ...unlessGovernance },
    },
  ];
}
