import { boundaryExemptPrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';
import { WORKLOAD_BOUNDARY_NAME } from '../contracts/governance-names';

/**
 * The workload boundary (BL-IAM-1) in the account of the caller. IAM creates roles and users only in the caller's own
 * account, so `${aws:PrincipalAccount}` is the account of the role or user too; IAM resolves the policy variable in the
 * condition value (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
export const WORKLOAD_BOUNDARY_ARN_OF_CALLER = `arn:aws:iam::\${aws:PrincipalAccount}:policy/${WORKLOAD_BOUNDARY_NAME}`;

/**
 * ORG-BOUNDARY-1: roles and users in the workload OUs cannot shed the workload boundary. AWS's pattern for delegating
 * permissions management with a boundary
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html),
 * as an SCP so it holds for every principal of the account, not only the ones whose policies say so:
 * - a role or user is created, or gets a boundary, only with the workload boundary (`iam:PermissionsBoundary`);
 * - nobody removes a boundary;
 * - the policies and the trust policy of a role, and the policies of a user, change only while it carries the workload
 *   boundary (for these actions `iam:PermissionsBoundary` is the boundary the role or user already has). So a role or
 *   user that predates this control, or that an exempt principal created without the boundary, cannot be widened,
 *   nor a role's trust changed so that someone else assumes it (an exempt role among them).
 * Users are in scope because a user without the boundary is the same escape as a role, with long-term keys on top.
 * The boundary policy itself is protected by ORG-TAMPER-BASELINE (its `genai-governance-` name), not repeated here.
 * Exempt: the platform, break-glass and StackSets execution roles and `principals.boundaryExemptRoleNamePatterns`.
 */
export function orgBoundary1Statements(config: GovernanceConfig): PolicyStatement[] {
  const unlessExempt = unlessPrincipal(boundaryExemptPrincipalArns(config));
  // A String operator, as in AWS's examples: an ARN operator splits the value at `:`, the variable's own included.
  const withoutWorkloadBoundary = { StringNotEquals: { 'iam:PermissionsBoundary': WORKLOAD_BOUNDARY_ARN_OF_CALLER } };
  return [
    {
      // One statement for creating and for changing: the same condition, so one copy of the exempt principals.
      Sid: 'ORGBOUNDARY1DenyWithoutWorkloadBoundary',
      Effect: 'Deny',
      Action: [
        'iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy',
        'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:CreateUser', 'iam:PutUserPermissionsBoundary',
        'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy',
      ],
      Resource: '*',
      Condition: { ...withoutWorkloadBoundary, ...unlessExempt },
    },
    {
      Sid: 'ORGBOUNDARY1DenyRemovingBoundary',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      Resource: '*',
      Condition: unlessExempt,
    },
  ];
}
