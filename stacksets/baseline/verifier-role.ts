import { CfnManagedPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import type { GovernanceConfig } from '../../config/schema';
import { VERIFIER_READ_ACTIONS, VERIFIER_ROLE_NAME, verifierTrustPolicy } from '../../policies/verifier-access';

/** Properties of a `VerifierRole`. */
export interface VerifierRoleProps {
  /** The governance config: the audit account the role trusts. */
  readonly config: GovernanceConfig;
}

/**
 * VER-1: the read-only role `genai-governance-verifier` that live verification assumes in this account
 * (docs/verification.md): trusted only by the audit account's daily verification role and its verify operator role
 * (`policies/verifier-access.ts`), allowed exactly the read calls the verifier makes, through one managed policy of the
 * same name. The governance name prefix puts both under ORG-TAMPER-BASELINE. The baseline's global member stack
 * creates it in every target account; the log-archive and audit stacks in theirs.
 *
 * Children: `Role`, `Policy`.
 */
export class VerifierRole extends Construct {
  public readonly role: CfnRole;
  public readonly policy: CfnManagedPolicy;

  constructor(scope: Construct, id: string, props: VerifierRoleProps) {
    super(scope, id);
    this.role = new CfnRole(this, 'Role', {
      roleName: VERIFIER_ROLE_NAME,
      description: 'VER-1: read-only role of the governance verifier (assumed from the audit account only)',
      assumeRolePolicyDocument: verifierTrustPolicy(props.config),
      maxSessionDuration: 3600,
    });
    this.policy = new CfnManagedPolicy(this, 'Policy', {
      managedPolicyName: VERIFIER_ROLE_NAME,
      description: 'VER-1: the read calls of the governance verifier, nothing else',
      roles: [this.role.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'VerifierReads', Effect: 'Allow', Action: [...VERIFIER_READ_ACTIONS], Resource: '*' }],
      },
    });
    acknowledgeFinding(this.policy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Read calls only (Describe/Get/List), several without a resource type (ListPolicies, DescribeAlarms, GetParameters by name); the verifier must read what it expects and what is there instead, so it cannot be narrowed to the resources it expects',
    });
  }
}
