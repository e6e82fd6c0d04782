import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../contracts/governance-names';
import { VERIFIER_ROLE_NAME } from '../contracts/verifier-role';

/**
 * VER-1: who may read the estate through the verifier role `genai-governance-verifier`, and what that role may read.
 * The role exists in every account the verifier reads; it trusts only two roles of the audit account, by ARN, and may
 * make exactly the read calls `operations/verify` sends (test/operations/verify/verifier-permissions.test.ts derives
 * them from its SDK commands and fails on a difference). Its name carries the governance prefix, so ORG-TAMPER-BASELINE
 * keeps everyone but the governance principals from changing, deleting or re-trusting it.
 */

export { VERIFIER_ROLE_NAME };

/** The daily verification function in the audit account, and its execution role (one name for both). */
export const VERIFY_DAILY_NAME = `${GOVERNANCE_NAME_PREFIX}verify-daily`;
/** The role people in the audit account assume to run `npx projen verify` and publish the expected facts. */
export const VERIFY_OPERATOR_ROLE_NAME = `${GOVERNANCE_NAME_PREFIX}verify-operator`;

/**
 * Every call `operations/verify` makes in an account it reads, as IAM actions, sorted. One list for every account:
 * a call the account cannot answer (Organizations outside the management account) grants nothing there, and the same
 * role can come from the baseline or from the log-archive and audit stacks without two definitions.
 */
export const VERIFIER_READ_ACTIONS: readonly string[] = [
  'bedrock:GetGuardrail',
  'bedrock:GetModelInvocationLoggingConfiguration',
  'bedrock:ListGuardrails',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:GetTrail',
  'cloudtrail:GetTrailStatus',
  'cloudwatch:DescribeAlarms',
  'config:DescribeConfigurationRecorderStatus',
  'config:DescribeConfigurationRecorders',
  'config:DescribeOrganizationConformancePackStatuses',
  'config:GetOrganizationConformancePackDetailedStatus',
  'glue:GetTable',
  'lakeformation:GetDataLakeSettings',
  'lakeformation:GetLFTag',
  'lakeformation:GetResourceLFTags',
  'lakeformation:ListPermissions',
  'macie2:DescribeClassificationJob',
  'macie2:DescribeOrganizationConfiguration',
  'macie2:GetAutomatedDiscoveryConfiguration',
  'macie2:ListClassificationJobs',
  'macie2:ListOrganizationAdminAccounts',
  'organizations:DescribeOrganizationalUnit',
  'organizations:DescribePolicy',
  'organizations:ListParents',
  'organizations:ListPolicies',
  'organizations:ListTargetsForPolicy',
  's3:GetBucketObjectLockConfiguration',
  'securityhub:GetEnabledStandards',
  'securityhub:GetFindings',
  'ssm:GetParameters',
];

/** The audit-account roles the verifier role trusts: the daily function's and the operators'. */
export function verifierPrincipalArns(config: GovernanceConfig): string[] {
  const audit = accountIdOf(config, config.topology.audit);
  return [`arn:aws:iam::${audit}:role/${VERIFY_DAILY_NAME}`, `arn:aws:iam::${audit}:role/${VERIFY_OPERATOR_ROLE_NAME}`];
}

/**
 * The verifier role's trust policy: the audit account as principal, and of its principals only the two roles, by
 * `aws:PrincipalArn`. Naming the account rather than the roles lets the role be created before the audit account's
 * roles exist (IAM rejects a trust policy naming a role that does not exist) and survives their re-creation (a role
 * principal is stored as the role's unique id); only governance principals can create a `genai-governance-*` role
 * there (ORG-TAMPER-BASELINE).
 */
export function verifierTrustPolicy(config: GovernanceConfig): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'AuditVerifiersOnly',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountIdOf(config, config.topology.audit)}:root` },
      Action: 'sts:AssumeRole',
      Condition: { ArnEquals: { 'aws:PrincipalArn': verifierPrincipalArns(config) } },
    }],
  };
}

/** A role's trust policy (an IAM resource policy with an AWS principal). */
export interface TrustPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: 'Allow';
    readonly Principal: { readonly AWS: string };
    readonly Action: string;
    readonly Condition: Record<string, Record<string, readonly string[]>>;
  }[];
}

/**
 * Where verification keeps its evidence in the trail archive (ARC-1, Object Lock): the expected facts the operators
 * publish (one key, a new version per publication) and the daily reports, by date.
 */
export const EXPECTED_FACTS_KEY = 'verification/expected-facts.json';
export const VERIFICATION_REPORT_PREFIX = 'verification/reports/';
