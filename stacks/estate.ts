import { Stage, Tags, type App, type Stack, type StackProps } from 'aws-cdk-lib';
import {
  ACCOUNT_ROLES, accountOfRole, dependenciesOf, estateEntries, fieldOf, regionsOf, stackIdOf,
  type EstateKey, type EstateTable, type HomeStackEntry, type MemberTemplatesEntry, type RegionalStackEntry,
} from './estate-table';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../contracts/governance-names';

export { STACK_SET_NAMES, homeRegionFirst, type BaselineTemplates } from './estate-table';

/** What an entry's recipe returns. */
type MadeBy<E> = E extends { readonly make: (...args: never[]) => infer S } ? S : never;

/** The `Estate` field of an entry key. */
export type FieldOf<K extends EstateKey> = EstateTable[K] extends { readonly field: infer F extends string } ? F : K;

/** What the estate holds for an entry: its one stack (home Region, member templates) or its stacks, one per Region. */
export type BuiltOf<E> = E extends { readonly regions: 'home' | 'none' } ? MadeBy<E> : readonly MadeBy<E>[];

/**
 * The stacks of one governed organization, one field per entry of the estate table (stacks/estate-table.ts): the
 * stack of a home-Region entry, the stacks of a per-Region entry (the home Region first; none where the entry's
 * condition does not hold or it has no Region), and the member baseline's templates in their Stage.
 */
export type Estate = { readonly [K in EstateKey as FieldOf<K>]: BuiltOf<EstateTable[K]> };

/** Construct ids of the estate's stacks, by entry: a stable contract, since renaming a stack replaces it. */
export const STACK_IDS = Object.fromEntries(estateEntries().map(([key, entry]) => [key, entry.id])) as {
  readonly [K in EstateKey]: EstateTable[K]['id'];
};

/** The recipe of an entry, as a function of the config (and the Region, or the entry it takes the result of). */
type RecipeOf<E> =
  E extends MemberTemplatesEntry ? (app: App, config: GovernanceConfig) => MadeBy<E>
    : E extends { readonly regions: 'home'; readonly input: infer I extends EstateKey } ? (app: App, config: GovernanceConfig, input: BuiltOf<EstateTable[I]>) => MadeBy<E>
      : E extends { readonly regions: 'home' } ? (app: App, config: GovernanceConfig) => MadeBy<E>
        : (app: App, config: GovernanceConfig, region: string) => MadeBy<E>;

/**
 * Where the deployed stacks of an estate go when not straight into the app: a pipeline puts each into the Stage of its
 * deploy wave (stacks/pipeline/estate-stages.ts).
 */
export interface EstatePlacement {
  /** The Stage a stack (by construct id) goes into. */
  readonly stageOf: (stackId: string) => Stage;
  /** Stack properties a stack (by construct id and account role) gets besides the table's: its name, its synthesizer. */
  readonly stackProps: (stackId: string, entry: HomeStackEntry<EstateKey> | RegionalStackEntry<EstateKey>) => Pick<StackProps, 'stackName' | 'synthesizer'>;
  /**
   * Whether the Stage of `before` deploys before the Stage of `after`: a dependency between stacks of two Stages is
   * kept by the order of the Stages (CloudFormation stack dependencies cannot cross Stages).
   */
  readonly deploysBefore: (before: string, after: string) => boolean;
}

/** Makes one stack of a deployed entry in a Region: account, id and description from the table; evidence tagged. */
function makeStack(
  app: App, config: GovernanceConfig, entry: HomeStackEntry<EstateKey> | RegionalStackEntry<EstateKey>, region: string, input?: unknown,
  placement?: EstatePlacement,
): Stack {
  const id = stackIdOf(entry, region);
  const description = typeof entry.description === 'function' ? entry.description(region) : entry.description;
  const props = { config, env: { account: accountOfRole(entry.account, config), region }, description, ...placement?.stackProps(id, entry) };
  const scope = placement ? placement.stageOf(id) : app;
  const stack = entry.regions === 'home' ? entry.make(scope, id, props, input as never) : entry.make(scope, id, props);
  // The SCPs apply in the accounts that hold evidence, and ORG-TAMPER-BASELINE protects keys, topics and alarms there
  // by the governance tag, as in the member baseline and the trail stack.
  if (ACCOUNT_ROLES[entry.account].holdsEvidence) Tags.of(stack).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);
  return stack;
}

function makeMemberTemplates(app: App, config: GovernanceConfig, entry: MemberTemplatesEntry): unknown {
  return entry.make(app, entry.id, config, entry.members as never);
}

/**
 * How each stack of the estate is made from the config, by entry of the estate table: its account, Region, id,
 * description and evidence tag, without the dependencies between stacks, which {@link buildEstate} adds. A test of
 * one stack under a config variant builds just that stack with its recipe.
 */
export const STACK_RECIPES = Object.fromEntries(estateEntries().map(([key, entry]) => {
  switch (entry.regions) {
    case 'none': return [key, (app: App, config: GovernanceConfig) => makeMemberTemplates(app, config, entry)];
    case 'home': return [key, (app: App, config: GovernanceConfig, input?: unknown) => makeStack(app, config, entry, config.organization.homeRegion, input)];
    default: return [key, (app: App, config: GovernanceConfig, region: string) => makeStack(app, config, entry, region)];
  }
})) as { readonly [K in EstateKey]: RecipeOf<EstateTable[K]> };

/**
 * Composes the estate for a config from the estate table: each entry's stacks in table order (one in the home Region,
 * or one per Region of its scope), then every declared dependency between them. The number of stacks depends on the
 * topology, the governed Regions and the tenant's Regions, never on the number of member accounts (their baseline goes
 * out by StackSet).
 */
export function buildEstate(app: App, config: GovernanceConfig, placement?: EstatePlacement): Estate {
  const results = new Map<EstateKey, unknown>();
  const stacks = new Map<EstateKey, { readonly region: string; readonly stack: Stack }[]>();
  for (const [key, entry] of estateEntries()) {
    if (entry.regions === 'none') {
      results.set(key, makeMemberTemplates(app, config, entry));
      continue;
    }
    const input = entry.regions === 'home' && entry.input !== undefined ? builtBefore(results, key, entry.input) : undefined;
    const made = regionsOf(entry, config).map((region) => ({ region, stack: makeStack(app, config, entry, region, input, placement) }));
    stacks.set(key, made);
    results.set(key, entry.regions === 'home' ? made[0].stack : made.map((m) => m.stack));
  }
  for (const [key, entry] of estateEntries()) {
    for (const { region, stack } of stacks.get(key) ?? []) {
      for (const dependency of dependenciesOf(entry)) {
        const targets = stacks.get(dependency.on);
        if (!targets) throw new Error(`The estate table's ${key} deploys after ${dependency.on}, which is no deployed stack of the table`);
        for (const target of targets) {
          if (dependency.sameRegion && target.region !== region) continue;
          if (Stage.of(stack) === Stage.of(target.stack)) {
            stack.addStackDependency(target.stack, dependency.reason);
          } else if (dependency.cliOnly) {
            // A pipeline deploys this stack without the other, which the CLI deploys (the table's `cliOnly`).
            continue;
          } else if (!placement?.deploysBefore(target.stack.node.id, stack.node.id)) {
            throw new Error(`${stack.node.id} deploys after ${target.stack.node.id} (${dependency.reason}), but its Stage does not deploy after that stack's`);
          }
        }
      }
    }
  }
  return Object.fromEntries(estateEntries().map(([key]) => [fieldOf(key), results.get(key)])) as Estate;
}

function builtBefore(results: ReadonlyMap<EstateKey, unknown>, key: EstateKey, input: EstateKey): unknown {
  if (!results.has(input)) throw new Error(`The estate table's ${key} takes ${input}'s result: ${input} must come before it in the table`);
  return results.get(input);
}
