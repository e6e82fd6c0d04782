import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Cross-account contract: the read-only role `npx projen verify` assumes in every account it reads (management, log
 * archive, audit, the baseline's accounts). The verifier reaches an account only through this role, so a change of
 * name is a change in every account.
 */
export const VERIFIER_ROLE_NAME = `${GOVERNANCE_NAME_PREFIX}verifier`;

/** The verifier role's ARN in `account`. */
export function verifierRoleArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:role/${VERIFIER_ROLE_NAME}`;
}
