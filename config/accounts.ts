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
