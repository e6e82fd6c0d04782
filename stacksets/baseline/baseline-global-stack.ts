import { Aws, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { guardrailOwner } from './account-guardrail';
import { VerifierRole } from './verifier-role';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE, WORKLOAD_BOUNDARY_NAME } from '../../contracts/governance-names';
import type { PolicyDocument } from '../../policies/policy-document';
import { criInvokePolicies, workloadPermissionBoundary } from '../../policies/workload-iam';

export interface BaselineGlobalStackProps extends StackProps {
  readonly config: GovernanceConfig;
}

/** Name of the workload permission boundary in every member account (a cross-account contract: ORG-BOUNDARY-1 keys on it). */
export { WORKLOAD_BOUNDARY_NAME };
/** Name of the n-th (1-based) CRI-only invoke managed policy in every member account. */
export const criInvokePolicyName = (n: number) => `${GOVERNANCE_NAME_PREFIX}cri-invoke-${n}`;

/**
 * The member baseline's account-wide part (IAM is global, so it goes to the home Region only), deployed to every
 * target account by a StackSet. BL-IAM-1: the workload permission boundary and the CRI-only invoke managed policies,
 * generated from the catalog in `policies/workload-iam.ts`, named with the `genai-governance-` prefix that
 * ORG-TAMPER-BASELINE protects. Workload teams attach them to their roles. VER-1: the read-only verifier role.
 */
export class BaselineGlobalStack extends Stack {
  public readonly boundary: CfnManagedPolicy;
  public readonly invokePolicies: CfnManagedPolicy[];
  /** VER-1: the role live verification reads this account through. */
  public readonly verifier: VerifierRole;

  constructor(scope: Construct, id: string, props: BaselineGlobalStackProps) {
    super(scope, id, props);
    const { config } = props;
    const guardrailAccount = guardrailOwner(config);
    this.boundary = new CfnManagedPolicy(this, 'WorkloadBoundary', {
      managedPolicyName: WORKLOAD_BOUNDARY_NAME,
      description: 'BL-IAM-1: permission boundary for workload roles (generative-AI governance)',
      policyDocument: workloadPermissionBoundary(config, Aws.ACCOUNT_ID, guardrailAccount),
    });
    this.invokePolicies = criInvokePolicies(config, Aws.ACCOUNT_ID, guardrailAccount).map((document, i) => new CfnManagedPolicy(this, `CriInvoke${i + 1}`, {
      managedPolicyName: criInvokePolicyName(i + 1),
      description: `BL-IAM-1: CRI-only Bedrock inference for workload roles, part ${i + 1} (generative-AI governance)`,
      policyDocument: document,
    }));
    this.verifier = new VerifierRole(this, 'Verifier', { config });
    Tags.of(this).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);

    const boundaryReason = 'A permission boundary is a ceiling that grants nothing by itself: "everything but IAM and Bedrock" must be NotAction on *';
    acknowledgeFinding(this.boundary,
      { id: 'CloudFormation-Validate::W2512', reason: boundaryReason },
      { id: 'cdk-validator-cfnguard::iam_managed_policy_no_statements_with_full_access_check', reason: boundaryReason },
      { id: 'AwsSolutions::AwsSolutions-IAM5', reason: boundaryReason },
    );
    for (const policy of this.invokePolicies) {
      const wildcards = new Set<string>();
      for (const statement of (policy.policyDocument as PolicyDocument).Statement) {
        const resources = typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource ?? [];
        resources.map((r) => nagResourceName(this, r)).filter((r) => r.includes('*')).forEach((r) => wildcards.add(r));
      }
      for (const resource of wildcards) {
        acknowledgeFinding(policy, {
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
          reason: resource.includes(':guardrail/')
            ? (config.bedrock.guardrail.enforcement === 'account'
              ? 'The account\'s own guardrails (BL-GR-1), one per Region, get their ids at deploy'
              : 'The organization guardrails of the management account, one per Region, get their ids at deploy; their resource policy admits only the organization')
            : resource.includes(':application-inference-profile/')
              ? 'The account\'s application inference profiles in a governed Region get their ids at creation; only the platform creates them (BR-AIP-1), over an approved geography\'s profile (BR-CRI-2)'
              : 'Region wildcard only: calls start in governed Regions (aws:RequestedRegion) and run where the profile routes them, which ORG-REGION-1 bounds',
        });
      }
    }
  }
}

/** A resource as cdk-nag names it in a finding id: intrinsic references rendered as `<AWS::AccountId>`. */
function nagResourceName(stack: Stack, value: string): string {
  const resolved = stack.resolve(value) as string | { 'Fn::Join': [string, (string | { Ref: string })[]] };
  if (typeof resolved === 'string') return resolved;
  return resolved['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join(resolved['Fn::Join'][0]);
}
