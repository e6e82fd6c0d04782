import type { QuestionClass } from './router';

/**
 * The token-budget decision before a model call: which model role a turn may use, given what is left of the user's and
 * the tenant's daily token quotas, or a refusal with `budget_exhausted`. The rules come from configuration (AppConfig);
 * the counters that produce the fractions are the caller's (an atomic counter per user and per tenant).
 */

/** The model roles a turn can use: the fast (small, cheap) model or the capable one. */
export type ModelRole = 'fast' | 'capable';

/** Which role each question class gets. */
export interface RoleByClass {
  /** Simple questions (order status, FAQ). */
  readonly simple: ModelRole;
  /** Complex questions (complaints, policy, technical, unclassified). */
  readonly complex: ModelRole;
}

/** A downgrade tier: applies when the fraction left is strictly under `below`, and caps each class's role. */
export interface BudgetTier extends RoleByClass {
  /** The threshold, a fraction of the quota in (0, 1]. */
  readonly below: number;
}

/** The budget rules: the routing with budget to spare, and the downgrade tiers, thresholds descending. */
export interface BudgetRules {
  /** The role of each class while no tier applies. */
  readonly routing: RoleByClass;
  /** The tiers, thresholds strictly descending; the lowest tier the fraction is under applies. */
  readonly tiers: readonly BudgetTier[];
}

/**
 * The default rules: simple questions to the fast model and complex ones to the capable one; under 30 % left the capable
 * model only for complex questions; under 10 % the fast model only; nothing left: refused.
 */
export const DEFAULT_BUDGET_RULES: BudgetRules = {
  routing: { simple: 'fast', complex: 'capable' },
  tiers: [
    { below: 0.3, simple: 'fast', complex: 'capable' },
    { below: 0.1, simple: 'fast', complex: 'fast' },
  ],
};

/** What is left of the daily quotas, as fractions (remaining ÷ quota). */
export interface BudgetRemaining {
  /** The user's fraction left. */
  readonly user: number;
  /** The tenant's fraction left. */
  readonly tenant: number;
}

/** The decision: a model role, or a refusal. */
export type BudgetDecision =
  | {
    readonly kind: 'model';
    /** The role to call. */
    readonly role: ModelRole;
    /** The threshold of the tier that applied, or `undefined` when none did. */
    readonly tier: number | undefined;
    /** The fraction that decided: the smaller of the two. */
    readonly remaining: number;
    /** Whose quota is the tighter. */
    readonly limitedBy: 'user' | 'tenant';
  }
  | {
    readonly kind: 'refuse';
    /** The frame's error code. */
    readonly code: 'budget_exhausted';
    /** Whose quota is used up. */
    readonly limitedBy: 'user' | 'tenant';
  };

const RANK: Record<ModelRole, number> = { fast: 0, capable: 1 };
const ROLES: readonly ModelRole[] = ['fast', 'capable'];

/** The smaller role of two: tiers only ever downgrade. */
function cap(a: ModelRole, b: ModelRole): ModelRole {
  return RANK[a] <= RANK[b] ? a : b;
}

/** A fraction made safe: not a number counts as nothing left (fail closed), and the rest is clamped to [0, 1]. */
function clampFraction(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/**
 * Decides the model role of a turn. The tighter of the user's and the tenant's fractions decides; at 0 (or below, after
 * concurrent turns overspent) the turn is refused with `budget_exhausted`; otherwise the routing's role for the class,
 * capped by the lowest tier whose threshold the fraction is strictly under (at exactly 30 % the 30 % tier does not apply).
 */
export function decideBudget(remaining: BudgetRemaining, questionClass: QuestionClass, rules: BudgetRules = DEFAULT_BUDGET_RULES): BudgetDecision {
  const user = clampFraction(remaining.user);
  const tenant = clampFraction(remaining.tenant);
  const limitedBy = user <= tenant ? 'user' : 'tenant';
  const left = Math.min(user, tenant);
  if (left <= 0) return { kind: 'refuse', code: 'budget_exhausted', limitedBy };
  let role = rules.routing[questionClass];
  let tier: number | undefined;
  for (const t of rules.tiers) {
    if (left < t.below) {
      tier = t.below;
      role = cap(role, t[questionClass]);
    }
  }
  return { kind: 'model', role, tier, remaining: left, limitedBy };
}

/**
 * The problems of a rules value (from configuration, so unknown): no unknown keys; roles must be `fast` or `capable`;
 * thresholds numbers in (0, 1], strictly descending; a lower tier never allows a larger role than the tier above it.
 * Empty when valid.
 */
export function validateBudgetRules(value: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const checkKeys = (v: Record<string, unknown>, allowed: readonly string[], where: string) => {
    for (const key of Object.keys(v)) if (!allowed.includes(key)) problems.push(`${where} has an unknown key ${JSON.stringify(key)}`);
  };
  const checkRoles = (v: Record<string, unknown>, where: string) => {
    for (const cls of ['simple', 'complex'] as const) {
      if (!ROLES.includes(v[cls] as ModelRole)) problems.push(`${where}.${cls} must be fast or capable, not ${JSON.stringify(v[cls])}`);
    }
  };
  if (!isObject(value)) return ['budget rules must be an object'];
  checkKeys(value, ['routing', 'tiers'], 'budget rules');
  if (!isObject(value.routing)) {
    problems.push('routing must be an object');
  } else {
    checkKeys(value.routing, ['simple', 'complex'], 'routing');
    checkRoles(value.routing, 'routing');
  }
  if (!Array.isArray(value.tiers)) return [...problems, 'tiers must be an array'];
  let previous: Record<string, unknown> | undefined;
  value.tiers.forEach((tier: unknown, i: number) => {
    const where = `tiers[${i}]`;
    if (!isObject(tier)) {
      problems.push(`${where} must be an object`);
      return;
    }
    checkKeys(tier, ['below', 'simple', 'complex'], where);
    checkRoles(tier, where);
    const below = tier.below;
    if (typeof below !== 'number' || !(below > 0 && below <= 1)) problems.push(`${where}.below must be a number in (0, 1], not ${JSON.stringify(below)}`);
    if (previous && typeof previous.below === 'number' && typeof below === 'number' && !(below < previous.below)) {
      problems.push(`${where}.below (${below}) must be under the tier before (${previous.below}): thresholds descend`);
    }
    for (const cls of ['simple', 'complex'] as const) {
      const mine = tier[cls] as ModelRole;
      const above = previous?.[cls] as ModelRole | undefined;
      if (above && ROLES.includes(above) && ROLES.includes(mine) && RANK[mine] > RANK[above]) {
        problems.push(`${where}.${cls} (${mine}) must not exceed the tier before (${above}): less budget never upgrades`);
      }
    }
    previous = tier;
  });
  return problems;
}

/** The rules from a configuration value, or an error listing every problem. */
export function parseBudgetRules(value: unknown): BudgetRules {
  const problems = validateBudgetRules(value);
  if (problems.length > 0) throw new Error(`invalid budget rules: ${problems.join('; ')}`);
  return value as BudgetRules;
}
