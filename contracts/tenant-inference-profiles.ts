import { WORKLOAD_CONTRACT_PREFIX } from './workload-contract';

/**
 * The roles a tenant's turn calls a model in, each through an application inference profile of its own that the
 * platform creates in the tenant's account (the tenant's StackSet, `stacksets/tenant-profiles/`): `classifier`,
 * `fast`, `capable`, then `fallback-1`, `fallback-2`… in the order of the tenant's fallback models.
 */
export type TenantModelRole = 'classifier' | 'fast' | 'capable' | `fallback-${number}`;

/**
 * SSM parameter (`String`) of the workload contract, in the tenant's account and each of its Regions, holding the ARN
 * of the application inference profile of `tenant`'s `role`. Under the contract's prefix, so ORG-TAMPER-BASELINE keeps
 * anyone but the governance principals from changing it. Names never change.
 */
export function applicationProfileArnParameterName(tenant: string, role: TenantModelRole): string {
  return `${WORKLOAD_CONTRACT_PREFIX}/application-inference-profiles/${tenant}/${role}-arn`;
}

/** Cost-allocation tag key naming the tenant on its application profiles (activate it in Billing to see it in Cost Explorer). */
export const TENANT_TAG_KEY = 'genai-governance:tenant';
/** Cost-allocation tag key naming the role of the profile (`TenantModelRole`). */
export const TENANT_ROLE_TAG_KEY = 'genai-governance:tenant-role';
