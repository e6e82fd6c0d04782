import { Aws, CfnMapping, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnApplicationInferenceProfile } from 'aws-cdk-lib/aws-bedrock';
import { CfnParameter as CfnSsmParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { tenantProfileSources } from './tenant-profile-sources';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../../contracts/governance-names';
import {
  applicationProfileArnParameterName, TENANT_ROLE_TAG_KEY, TENANT_TAG_KEY, type TenantModelRole,
} from '../../contracts/tenant-inference-profiles';

/** The tenant these profiles are made for (its name in tags, profile and parameter names). */
export const SUPPORT_CHAT_TENANT = 'support-chat';

export interface TenantInferenceProfilesStackProps extends StackProps {
  readonly config: GovernanceConfig;
}

/**
 * The support-chat tenant's application inference profiles, one per model role, in the tenant's account and each of
 * its Regions, deployed by a service-managed StackSet (its execution role `stacksets-exec-*` is the one principal
 * besides the platform and break-glass roles that BR-AIP-1 lets create an application profile; the tenant's own
 * CloudFormation role may not). Each copies the role's approved system profile of the Region
 * (`arn:aws:bedrock:<region>:<account>:inference-profile/eu.<model>`: BR-CRI-2 admits no other source), carries the
 * tenant and role as cost-allocation tags, and its ARN is published as a workload-contract parameter
 * (`applicationProfileArnParameterName`) for the tenant's stack to read.
 */
export class TenantInferenceProfilesStack extends Stack {
  /** The profiles, by role. */
  public readonly profiles: Record<string, CfnApplicationInferenceProfile> = {};
  /** The contract parameters with their ARNs, by role. */
  public readonly parameters: Record<string, CfnSsmParameter> = {};

  constructor(scope: Construct, id: string, props: TenantInferenceProfilesStackProps) {
    super(scope, id, props);
    const tenant = props.config.workloads.supportChat;
    if (!tenant) throw new Error('TenantInferenceProfilesStack: the config has no workloads.supportChat tenant');
    const byRegion = Object.fromEntries(tenant.regions.map((region) => [region, tenantProfileSources(props.config, region)]));
    const roles = Object.keys(byRegion[tenant.regions[0]]) as TenantModelRole[];
    const sources = new CfnMapping(this, 'SourceProfiles', {
      // Mapping keys are alphanumeric: the role's `fallback-1` becomes `fallback1`.
      mapping: Object.fromEntries(Object.entries(byRegion)
        .map(([region, ids]) => [region, Object.fromEntries(roles.map((r) => [mappingKey(r), ids[r]]))])),
    });
    for (const role of roles) {
      const logicalId = pascal(role);
      const profile = new CfnApplicationInferenceProfile(this, `${logicalId}Profile`, {
        inferenceProfileName: `${SUPPORT_CHAT_TENANT}-${role}`,
        // The description admits letters, digits, `:` `.` and single ` ` `_` `-` between them only.
        description: `Tenant ${SUPPORT_CHAT_TENANT} ${role} model calls for cost allocation by generative-AI governance`,
        modelSource: {
          copyFrom: `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:inference-profile/${sources.findInMap(Aws.REGION, mappingKey(role))}`,
        },
        tags: [{ key: TENANT_TAG_KEY, value: SUPPORT_CHAT_TENANT }, { key: TENANT_ROLE_TAG_KEY, value: role }],
      });
      this.profiles[role] = profile;
      this.parameters[role] = new CfnSsmParameter(this, `${logicalId}ProfileArn`, {
        name: applicationProfileArnParameterName(SUPPORT_CHAT_TENANT, role),
        type: 'String',
        value: profile.attrInferenceProfileArn,
        description: `Workload contract: the ${SUPPORT_CHAT_TENANT} tenant's application inference profile for its ${role} calls`,
      });
    }
    Tags.of(this).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);
  }
}

const mappingKey = (role: string) => role.replace(/[^A-Za-z0-9]/g, '');
const pascal = (role: string) => role.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
