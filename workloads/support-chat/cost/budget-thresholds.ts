import type { CostPrices } from './handlers/lib/turn-cost';
import type { BudgetRules } from '../chat/handlers/lib/budget';

/*
 * The tenant's AWS Budgets budget, derived from what the turn enforces: the daily token budget (`dailyTokensPerTenant`)
 * and the AppConfig budget rules, whose tiers start downgrading models when the day's share left falls under a tier's
 * `below` (by default 30 % and 10 % left: 70 % and 90 % used). The budget's notifications must come before those
 * downgrades, so each fires `leadPercentagePoints` under the share used at which a tier starts.
 */

/** AWS Budgets allows at most five notifications per budget. */
export const MAX_BUDGET_NOTIFICATIONS = 5;

/** Percentage points the notifications come before each tier's downgrade. */
export const DEFAULT_LEAD_PERCENTAGE_POINTS = 10;

/**
 * The notification thresholds, percent of the budget, ascending: for each tier, the share used at which it starts
 * ((1 − below) × 100) less the lead, at least 1. A rules value without tiers gets one threshold, `100 − lead` (before the
 * tenant's budget is exhausted and turns are refused).
 */
export function budgetThresholds(rules: BudgetRules, leadPercentagePoints = DEFAULT_LEAD_PERCENTAGE_POINTS): number[] {
  if (!(leadPercentagePoints >= 0 && leadPercentagePoints < 100)) throw new Error(`the lead must be 0 to under 100 percentage points, not ${leadPercentagePoints}`);
  const starts = rules.tiers.length > 0 ? rules.tiers.map((t) => (1 - t.below) * 100) : [100];
  const thresholds = [...new Set(starts.map((s) => Math.max(1, Math.round((s - leadPercentagePoints) * 100) / 100)))].sort((a, b) => a - b);
  if (thresholds.length > MAX_BUDGET_NOTIFICATIONS) {
    throw new Error(`${thresholds.length} budget tiers need ${thresholds.length} notifications; AWS Budgets allows ${MAX_BUDGET_NOTIFICATIONS} a budget`);
  }
  return thresholds;
}

/** The turn's reservation shape: the output's share of the tokens a turn reserves (the longest answer over the whole reservation). */
export function outputShare(limits: { readonly historyTokens: number; readonly maxAnswerTokens: number }): number {
  return limits.maxAnswerTokens / (limits.historyTokens + limits.maxAnswerTokens);
}

/**
 * The month's budget in USD: the daily token budget for the days of a month (31) at the cheapest price per token the
 * tenant can pay (the cheapest of its profiles, input and output blended at the reservation's output share). A lower
 * bound of what the month's daily budgets cost, so a threshold of it is reached no later than the same share of the
 * tokens is used, whichever profiles the traffic goes to.
 */
export function monthlyBudgetUsd(dailyTokensPerTenant: number, prices: CostPrices, share: number): number {
  const perToken = Object.values(prices.profiles)
    .map((p) => (p.inputPerMillionTokens * (1 - share) + p.outputPerMillionTokens * share) / 1_000_000);
  if (perToken.length === 0) throw new Error('the budget needs the price of at least one profile');
  return Math.ceil(dailyTokensPerTenant * 31 * Math.min(...perToken) * 100) / 100;
}
