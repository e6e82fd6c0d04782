import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnPolicy, CfnResourcePolicy } from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import { BedrockSpendAnomalies } from './bedrock-spend-anomalies';
import { DetectiveAdministrators } from './detective-administrators';
import { MacieDelegatedAdministrator } from './macie-delegated-administrator';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { ACCOUNT_PROJECTION_SYNC_NAME } from '../../contracts/audit-analytics-names';
import { compileOrganizationPolicies, type CompiledOrganizationPolicies } from '../../policies/compiler/compile';
import { organizationControls } from '../../policies/organization-controls';
import { VerifierRole } from '../../stacksets/baseline/verifier-role';

export interface ManagementStackProps extends StackProps {
  /** The validated governance config. */
  readonly config: GovernanceConfig;
}

/**
 * The management account's stack: the Organizations authorization policies (deployable only from the management
 * account or an Organizations delegated administrator). Every control of `policies/organization-controls.ts` is
 * compiled into as few SCPs and RCPs as fit the limits and each target's slot budget; synth fails with the budget table
 * when they cannot. MAC-1's registration of the audit account as Macie delegated administrator lives here too, and the
 * organization's resource-based delegation policy: it lets the audit account's account-projection function (LF-1/ATH-1)
 * list the organization's accounts, and nothing else
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html). An organization has one
 * such policy: other delegations belong in this one. DASH-1's Cost Anomaly Detection on the organization's Bedrock
 * spend (`BedrockSpendAnomalies`) is here too: the payer account sees every linked account's bill.
 */
export class ManagementStack extends Stack {
  /** The compiled policies and slot budgets, for the summary and tests. */
  public readonly compiled: CompiledOrganizationPolicies;
  /** The organization's resource-based delegation policy. */
  public readonly resourcePolicy: CfnResourcePolicy;
  /** DASH-1's Cost Anomaly Detection on Bedrock spend; none with `observability.spendAnomalies.enabled: false`. */
  public readonly spendAnomalies?: BedrockSpendAnomalies;

  constructor(scope: Construct, id: string, props: ManagementStackProps) {
    super(scope, id, props);
    // Packed to the Organizations quotas of organization.limits (AWS's defaults, or the conservative pre-2026-05 profile).
    this.compiled = compileOrganizationPolicies(props.config, organizationControls(props.config), props.config.organization.limits);
    for (const policy of this.compiled.policies) {
      new CfnPolicy(this, policy.name, {
        name: policy.name,
        description: `Generative-AI governance: ${policy.controls.join(', ')}`.slice(0, 512),
        type: policy.policyType,
        // An object: CloudFormation hands Organizations its compact JSON, the text `characters` measured.
        content: policy.document,
        targetIds: policy.targets.map((t) => t.id),
      });
    }
    // VER-1: the verifier reads the organization's policies and the organization trail here (StackSets never target the
    // management account, so the baseline's copy of the role does not reach it).
    new VerifierRole(this, 'Verifier', { config: props.config });
    new MacieDelegatedAdministrator(this, 'MacieDelegatedAdministrator', {
      adminAccountId: accountIdOf(props.config, props.config.topology.audit),
      regions: props.config.organization.governedRegions,
      logRetention: props.config.retention.logGroupRetentionDays,
    });
    const { detective } = props.config;
    // DET-SH-1, DET-CFG-1: the audit account administers Security Hub CSPM and the organization conformance pack.
    if (detective.securityHub.enabled || detective.configConformance.enabled) {
      new DetectiveAdministrators(this, 'DetectiveAdministrators', {
        adminAccountId: accountIdOf(props.config, props.config.topology.audit),
        securityHub: detective.securityHub.enabled,
        configConformance: detective.configConformance.enabled,
        logRetention: props.config.retention.logGroupRetentionDays,
      });
    }
    const spend = props.config.observability.spendAnomalies;
    // DASH-1's spend layer: Cost Anomaly Detection on the organization's Bedrock spend lives with the bill, here.
    if (spend.enabled) this.spendAnomalies = new BedrockSpendAnomalies(this, 'BedrockSpendAnomalies', spend);
    const audit = accountIdOf(props.config, props.config.topology.audit);
    this.resourcePolicy = new CfnResourcePolicy(this, 'DelegationPolicy', {
      content: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AccountProjectionSyncReadsAccounts',
          Effect: 'Allow',
          // The account as principal, held to the one role by aws:PrincipalArn: the policy does not depend on the role
          // existing yet (the audit account's stack deploys after this one).
          Principal: { AWS: `arn:${this.partition}:iam::${audit}:root` },
          Action: ['organizations:ListAccounts', 'organizations:DescribeOrganization'],
          Resource: '*',
          Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:${this.partition}:iam::${audit}:role/${ACCOUNT_PROJECTION_SYNC_NAME}` } },
        }],
      },
    });
  }
}
