import type { GovernanceConfig } from '../config/schema';

/**
 * The contract with workload teams: what the baseline publishes in every member account and governed Region as SSM
 * parameters under one prefix, for a workload's template or code to read (by name, in its own account and Region).
 * Names never change; a new entry is added, never renamed.
 */
export const WORKLOAD_CONTRACT_PREFIX = '/genai-governance/workload';

/** The parameters of the contract, by what they hold. */
export const WORKLOAD_CONTRACT = {
  /** Id of the VPC with the Bedrock interface endpoints (the baseline's private VPC, or `existingVpc`). */
  vpcId: `${WORKLOAD_CONTRACT_PREFIX}/vpc-id`,
  /** Its subnet ids (a `StringList`), where workload functions run to reach Bedrock through the endpoints. */
  subnetIds: `${WORKLOAD_CONTRACT_PREFIX}/subnet-ids`,
  /** The endpoints' security group: it admits HTTPS from the VPC's CIDR. */
  endpointSecurityGroupId: `${WORKLOAD_CONTRACT_PREFIX}/endpoint-security-group-id`,
  /** ARN of the workload permission boundary (BL-IAM-1), which every role must carry (ORG-BOUNDARY-1). */
  permissionsBoundaryArn: `${WORKLOAD_CONTRACT_PREFIX}/permissions-boundary-arn`,
  /** ARNs of the CRI-only invoke policies (a `StringList`: attach them all). */
  invokePolicyArns: `${WORKLOAD_CONTRACT_PREFIX}/invoke-policy-arns`,
  /** The approved geographies' inference-profile ids callable from this Region (a `StringList`, e.g. `eu.<model id>`). */
  inferenceProfileIds: `${WORKLOAD_CONTRACT_PREFIX}/inference-profile-ids`,
  /** ARN of the guardrail Bedrock enforces here (the organization's, or the account's with `enforcement: account`). */
  guardrailArn: `${WORKLOAD_CONTRACT_PREFIX}/guardrail-arn`,
  /** Its numeric version, to pass with every call (`guardrailConfig.guardrailVersion`). */
  guardrailVersion: `${WORKLOAD_CONTRACT_PREFIX}/guardrail-version`,
} as const;

/** An entry of the contract. */
export type WorkloadContractEntry = keyof typeof WORKLOAD_CONTRACT;

/** The entries published as a `StringList` (read them as a list: `AWS::SSM::Parameter::Value<List<String>>`); the rest are `String`s. */
export const WORKLOAD_CONTRACT_LISTS = ['subnetIds', 'invokePolicyArns', 'inferenceProfileIds'] as const satisfies readonly WorkloadContractEntry[];

/**
 * SSM parameter (advanced tier, shared with the organization through AWS RAM) in the management account holding the
 * organization guardrail's `<ARN>:<version>` in each governed Region: the member templates read it through a template
 * parameter of type `AWS::SSM::Parameter::Value<String>` whose value is this parameter's ARN, as they read the OAM sink.
 */
export const GUARDRAIL_IDENTIFIER_PARAMETER_NAME = '/genai-governance/guardrail/identifier';

/** The shared parameter's ARN in `region` (the management account's). */
export function guardrailIdentifierParameterArn(managementAccountId: string, region: string, partition = 'aws'): string {
  return `arn:${partition}:ssm:${region}:${managementAccountId}:parameter${GUARDRAIL_IDENTIFIER_PARAMETER_NAME}`;
}

/** Name of the member templates' parameter that receives the shared guardrail parameter's ARN of their Region. */
export const GUARDRAIL_TEMPLATE_PARAMETER = 'OrganizationGuardrailParameter';

/** The guardrail parameters by Region for the StackSet's per-Region overrides; none with `enforcement: account`. */
export function guardrailParameterOverrides(config: GovernanceConfig, managementAccountId: string): Record<string, Record<string, string>> {
  if (config.bedrock.guardrail.enforcement === 'account') return {};
  return Object.fromEntries(config.organization.governedRegions.map((r) => [
    r, { [GUARDRAIL_TEMPLATE_PARAMETER]: guardrailIdentifierParameterArn(managementAccountId, r) },
  ]));
}
