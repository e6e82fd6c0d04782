import { pipelineExecutionRoleArns } from './pipeline-roles';
import type { ConditionBlock, PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../contracts/governance-names';

/**
 * The service-managed StackSets execution roles AWS creates in every member account (trusted by the management
 * account's StackSets service-linked role), by `aws:PrincipalArn` pattern.
 */
export const STACKSETS_EXECUTION_ROLES = 'arn:aws:iam::*:role/stacksets-exec-*';

/**
 * Principals that may change governance resources: the platform (pipeline) role, the break-glass role, the
 * service-managed StackSets execution roles that deploy the baseline (`stacksets-exec-*`, trusted only by the management
 * account's StackSets service-linked role), the baseline's own roles (`genai-governance-*`, which nobody else may
 * create or change: ORG-TAMPER-BASELINE) and, with a pipeline, its CloudFormation execution roles in the log-archive and
 * audit accounts, by account id (policies/pipeline-roles.ts).
 */
export function governancePrincipalArns(config: GovernanceConfig): string[] {
  return [
    `arn:aws:iam::*:role/${config.principals.platformRoleName}`,
    `arn:aws:iam::*:role/${config.principals.breakGlassRoleName}`,
    STACKSETS_EXECUTION_ROLES,
    `arn:aws:iam::*:role/${GOVERNANCE_NAME_PREFIX}*`,
    ...pipelineExecutionRoleArns(config),
  ];
}

/** Only the platform and break-glass roles: for actions even the baseline never takes (creating model capacity). */
export function platformPrincipalArns(config: GovernanceConfig): string[] {
  return [`arn:aws:iam::*:role/${config.principals.platformRoleName}`, `arn:aws:iam::*:role/${config.principals.breakGlassRoleName}`];
}

/**
 * Principals that may create and change roles and users without the workload boundary (ORG-BOUNDARY-1): the platform
 * and break-glass roles, the StackSets execution roles (which create the baseline's own `genai-governance-*` roles) and
 * `principals.boundaryExemptRoleNamePatterns` (by default the CDK bootstrap CloudFormation execution roles). Not the
 * baseline's `genai-governance-*` roles: none of them creates IAM principals.
 */
export function boundaryExemptPrincipalArns(config: GovernanceConfig): string[] {
  return [
    ...platformPrincipalArns(config),
    STACKSETS_EXECUTION_ROLES,
    ...config.principals.boundaryExemptRoleNamePatterns.map((pattern) => `arn:aws:iam::*:role/${pattern}`),
  ];
}

/** Condition that exempts the given principals from a Deny. */
export function unlessPrincipal(arns: readonly string[]): ConditionBlock {
  return { ArnNotLike: { 'aws:PrincipalArn': arns } };
}

/** A Deny of `actions` on every resource, for everyone but the governance principals. */
export function denyUnlessGovernance(config: GovernanceConfig, sid: string, actions: readonly string[]): PolicyStatement {
  return { Sid: sid, Effect: 'Deny', Action: [...actions], Resource: '*', Condition: unlessPrincipal(governancePrincipalArns(config)) };
}
