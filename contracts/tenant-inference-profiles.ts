import { WORKLOAD_CONTRACT_PREFIX } from './workload-contract';

/**
 * The roles a tenant's turn calls a model in, each through an application inference profile of its own that the
 * platform creates in the tenant's account (the tenant's StackSet, `stacksets/tenant-profiles/`): `classifier`,
 * `fast`, `capable`, then `fallback-1`, `fallback-2`… in the order of the tenant's fallback models.
 */
export type TenantModelRole = 'classifier' | 'fast' | 'capable' | `fallback-${number}`;

/** The path under which every tenant's application-profile ARN parameters live. */
export const APPLICATION_PROFILE_PARAMETER_PREFIX = `${WORKLOAD_CONTRACT_PREFIX}/application-inference-profiles/`;

/**
 * SSM parameter (`String`) of the workload contract, in the tenant's account and each of its Regions, holding the ARN
 * of the application inference profile of `tenant`'s `role`. Under the contract's prefix, so ORG-TAMPER-BASELINE keeps
 * anyone but the governance principals from changing it. Names never change.
 */
export function applicationProfileArnParameterName(tenant: string, role: TenantModelRole): string {
  return `${APPLICATION_PROFILE_PARAMETER_PREFIX}${tenant}/${role}-arn`;
}

/**
 * Cost-allocation tag key naming the tenant on its application profiles: the key the tenant's own stack tags its
 * resources with and its budget filters on (`workload=<tenant>`). Bedrock bills on-demand tokens with the tags of the
 * application profile they were invoked through; Budgets and Cost Explorer see a tag only once it is activated as a
 * cost-allocation tag in the payer account's Billing console.
 */
export const TENANT_TAG_KEY = 'workload';
/** Cost-allocation tag key naming the role of the profile (`TenantModelRole`), to split a tenant's spend by role. */
export const TENANT_ROLE_TAG_KEY = 'model-role';
