/**
 * Cross-account contract: the tag and the name prefix every governance resource carries, in every account. Tamper
 * protection (ORG-TAMPER-*), bucket and key policies and the member templates key on them, so they never change.
 */

/** Tag the baseline puts on every resource it creates; tamper protection keys on it. */
export const GOVERNANCE_TAG_KEY = 'genai-governance:managed';
export const GOVERNANCE_TAG_VALUE = 'true';
/** Name prefix of the baseline's IAM roles and S3 buckets (S3 bucket actions cannot be conditioned on tags reliably). */
export const GOVERNANCE_NAME_PREFIX = 'genai-governance-';
/**
 * Name of the workload permission boundary (BL-IAM-1) the baseline creates in every member account; ORG-BOUNDARY-1
 * requires it on every role and user the workload accounts create.
 */
export const WORKLOAD_BOUNDARY_NAME = `${GOVERNANCE_NAME_PREFIX}workload-boundary`;
