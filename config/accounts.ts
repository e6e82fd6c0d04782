import type { GovernanceConfig } from './schema';

/**
 * The id of an account the config names. The config is validated (every name in `topology` and `baseline` refers to
 * an account), so a missing name is a programming error and throws.
 */
export function accountIdOf(config: GovernanceConfig, name: string): string {
  const account = config.accounts.find((a) => a.name === name);
  if (!account) throw new Error(`no account named "${name}" in the config`);
  return account.id;
}

/**
 * The accounts the member baseline reaches: those in an OU of `baseline.targetOrganizationalUnits` (default: the
 * workload OUs) or beneath one. Accounts that join later are governed by the StackSets all the same; this list is
 * only as complete as the config.
 */
export function baselineAccounts(config: GovernanceConfig): GovernanceConfig['accounts'] {
  const targets = config.baseline.targetOrganizationalUnits ?? config.organization.workloadOrganizationalUnits;
  return config.accounts.filter((a) => a.organizationalUnit !== undefined
    && targets.some((t) => a.organizationalUnit === t || a.organizationalUnit!.startsWith(`${t}/`)));
}
