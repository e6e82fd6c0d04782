import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { GovernanceConfig } from '../../../config/schema';
import { applicationProfileArnParameterName, type TenantModelRole } from '../../../contracts/tenant-inference-profiles';
import { SUPPORT_CHAT_TENANT } from '../../../stacksets/tenant-profiles/tenant-inference-profiles-stack';
import { tenantProfileSources } from '../../../stacksets/tenant-profiles/tenant-profile-sources';

/** The tenant's application inference profiles in one account and Region, as its template reads them. */
export interface TenantApplicationProfiles {
  /** Each role's application profile ARN, in role order (a token CloudFormation resolves from the contract). */
  readonly arns: string[];
  /**
   * The system profile each role's application profile wraps, to that ARN: what the turn gets in `APPLICATION_PROFILES`.
   * When two roles wrap the same system profile the first role wins (classifier, fast, capable, then the fallbacks in
   * order): the calls of that profile are billed to the first role's tags.
   */
  readonly bySystemProfile: Record<string, string>;
}

/**
 * Reads the ARN of each role's application profile from the workload contract (`applicationProfileArnParameterName`,
 * published by the platform's tenant-profiles StackSet, which deploys before the tenant's stacks) as a template parameter
 * of type `AWS::SSM::Parameter::Value<String>`, one per role, as `readWorkloadContract` reads the contract's values. The
 * roles and the system profiles they wrap are the StackSet's own (`tenantProfileSources`), so the keys are exactly
 * the profiles the application profiles copy.
 */
export function readTenantApplicationProfiles(scope: Construct, config: GovernanceConfig, region: string): TenantApplicationProfiles {
  const sources = Object.entries(tenantProfileSources(config, region)) as [TenantModelRole, string][];
  const arns: string[] = [];
  const bySystemProfile: Record<string, string> = {};
  for (const [role, systemProfile] of sources) {
    const arn = StringParameter.valueForStringParameter(scope, applicationProfileArnParameterName(SUPPORT_CHAT_TENANT, role));
    arns.push(arn);
    if (!(systemProfile in bySystemProfile)) bySystemProfile[systemProfile] = arn;
  }
  return { arns, bySystemProfile };
}
