import { Aws } from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import type { GovernanceConfig } from '../../config/schema';
import { WORKLOAD_CONTRACT_PREFIX } from '../../contracts/workload-contract';
import { VERIFIER_READ_ACTIONS, VERIFIER_ROLE_NAME, verifierTrustPolicy } from '../../policies/verifier-access';

/**
 * The one verifier read that returns values a principal could take out of the account: GetParameters (with
 * WithDecryption it returns SecureString values under the account's aws/ssm key). The verifier reads only the workload
 * contract's parameters (operations/verify/facts-contract.ts), so it is granted on those only.
 */
export const VERIFIER_CONTRACT_PARAMETER_ACTIONS: readonly string[] = ['ssm:GetParameters'];

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
    const contractParameters = `arn:${Aws.PARTITION}:ssm:*:${Aws.ACCOUNT_ID}:parameter${WORKLOAD_CONTRACT_PREFIX}/*`;
    this.policy = new CfnManagedPolicy(this, 'Policy', {
      managedPolicyName: VERIFIER_ROLE_NAME,
      description: 'VER-1: the read calls of the governance verifier, nothing else',
      roles: [this.role.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'VerifierReads', Effect: 'Allow', Action: VERIFIER_READ_ACTIONS.filter((a) => !VERIFIER_CONTRACT_PARAMETER_ACTIONS.includes(a)), Resource: '*' },
          { Sid: 'VerifierReadsContract', Effect: 'Allow', Action: [...VERIFIER_CONTRACT_PARAMETER_ACTIONS], Resource: contractParameters },
        ],
      },
    });
    acknowledgeFinding(this.policy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Read calls only (Describe/Get/List), several without a resource type (ListPolicies, DescribeAlarms); the verifier must read what it expects and what is there instead, so it cannot be narrowed to the resources it expects',
    }, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter${WORKLOAD_CONTRACT_PREFIX}/*]`,
      reason: 'ssm:GetParameters on the workload contract\'s parameters of this account only, in every Region the verifier reads',
    });
  }
}
