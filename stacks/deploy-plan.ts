import { accountOfRole, dependenciesOf, estateEntries, regionsOf, stackIdOf, type AccountRole, type EstateEntry, type EstateKey } from './estate-table';
import type { GovernanceConfig } from '../config/schema';

/** One stack the CDK CLI deploys for a config, with what it deploys after. */
export interface PlannedStack {
  readonly key: EstateKey;
  readonly entry: EstateEntry<EstateKey>;
  /** Construct id, which is also the CloudFormation stack name. */
  readonly id: string;
  readonly account: AccountRole;
  readonly accountId: string;
  readonly region: string;
  /** The stacks it deploys after (the estate table's dependencies for this config), with why. */
  readonly after: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Every stack the CLI deploys for a config (the member templates go out by StackSet), in the order of the estate table,
 * each with the stacks it deploys after: the same dependencies `buildEstate` adds.
 */
export function plannedStacks(config: GovernanceConfig): PlannedStack[] {
  const deployed = estateEntries().filter(([, entry]) => entry.regions !== 'none');
  const idsByKey = new Map(deployed.map(([key, entry]) => [key, regionsOf(entry, config)
    .map((region) => ({ region, id: stackIdOf(entry, region) }))]));
  return deployed.flatMap(([key, entry]) => regionsOf(entry, config).map((region) => ({
    key,
    entry,
    id: stackIdOf(entry, region),
    account: entry.account as AccountRole,
    accountId: accountOfRole(entry.account as AccountRole, config),
    region,
    after: dependenciesOf(entry).flatMap((d) => (idsByKey.get(d.on) ?? [])
      .filter((target) => !d.sameRegion || target.region === region)
      .map((target) => ({ id: target.id, reason: d.reason }))),
  })));
}

/**
 * The deploy order as waves: a topological sort of the stacks by their dependencies, each stack in the first wave after
 * every stack it depends on (so the stacks of one wave may deploy in parallel). Within a wave, the input order. Throws
 * on a dependency cycle or a dependency on a stack that is not planned.
 */
export function deployWaves(stacks: readonly PlannedStack[]): PlannedStack[][] {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const wave = new Map<string, number>();
  const visiting: string[] = [];
  const waveOf = (stack: PlannedStack): number => {
    const known = wave.get(stack.id);
    if (known !== undefined) return known;
    if (visiting.includes(stack.id)) throw new Error(`The estate's dependencies form a cycle: ${[...visiting.slice(visiting.indexOf(stack.id)), stack.id].join(' → ')}`);
    visiting.push(stack.id);
    const after = stack.after.map((a) => {
      const target = byId.get(a.id);
      if (!target) throw new Error(`${stack.id} deploys after ${a.id}, which is not deployed with this config`);
      return waveOf(target);
    });
    visiting.pop();
    const w = Math.max(-1, ...after) + 1;
    wave.set(stack.id, w);
    return w;
  };
  const waves: PlannedStack[][] = [];
  for (const stack of stacks) (waves[waveOf(stack)] ??= []).push(stack);
  return waves;
}
