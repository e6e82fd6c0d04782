import type { MemberDeployment } from './assembly';
import type { GovernanceConfig } from '../../config/schema';

/** One stack instance: its account, Region and the parameter values its group overrides. */
export interface MemberTarget {
  readonly account: string;
  readonly region: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * Where a StackSet's instances are: every account the config places in one of its groups' OUs (or beneath one) × the
 * group's Regions, with the group's parameter overrides, narrowed by the group's account filter (`INTERSECTION`: only
 * the listed accounts of those OUs; `DIFFERENCE`: all but the listed; `UNION`: the listed accounts of the config too).
 * Accounts that join later get instances too (with auto-deployment); the verifier reads only the accounts the config names.
 */
export function memberTargets(member: MemberDeployment, config: GovernanceConfig): MemberTarget[] {
  const seen = new Set<string>();
  const targets: MemberTarget[] = [];
  for (const group of member.groups) {
    const paths = group.organizationalUnitIds.map((id) => config.organizationalUnits.find((o) => o.id === id)?.path)
      .filter((p): p is string => p !== undefined);
    const inOus = (a: GovernanceConfig['accounts'][number]) => a.organizationalUnit !== undefined
      && paths.some((p) => a.organizationalUnit === p || a.organizationalUnit!.startsWith(`${p}/`));
    const listed = (a: GovernanceConfig['accounts'][number]) => group.accounts.includes(a.id);
    const accounts = config.accounts.filter((a) => {
      switch (group.accountFilterType) {
        case 'INTERSECTION': return inOus(a) && listed(a);
        case 'DIFFERENCE': return inOus(a) && !listed(a);
        case 'UNION': return inOus(a) || listed(a);
        default: return inOus(a);
      }
    });
    for (const account of accounts) {
      for (const region of group.regions) {
        const key = `${account.id}/${region}`;
        if (!seen.has(key)) targets.push({ account: account.id, region, parameters: group.parameterOverrides });
        seen.add(key);
      }
    }
  }
  return targets;
}
