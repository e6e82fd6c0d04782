import type { GovernanceConfig } from '../../config/schema';

/**
 * The StackSet rollout model the benchmarks share (bench:baseline-rollout, bench:pipeline), from the quotas
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): 100,000 stack instances
 * per StackSet, 10,000 instance operations in progress per Region per administrator account; MaxConcurrentPercentage
 * rounds down (at least one account). The minutes per stack are the caller's assumption.
 */
export const INSTANCES_PER_STACK_SET = 100000;
export const OPERATIONS_IN_PROGRESS_PER_REGION = 10000;

/** Assumed minutes for one stack instance of each member template (replace with measured ones). */
export const ASSUMED_STACK_MINUTES: Readonly<Record<string, number>> = { Global: 2, Regional: 3 };

/** Minutes for one StackSet operation over `accounts` × `regions` with the config's operation preferences. */
export function rolloutMinutes(config: GovernanceConfig, accounts: number, regions: number, stackMinutes: number) {
  const { maxConcurrentPercentage, regionConcurrency } = config.baseline.operationPreferences;
  const concurrent = Math.min(Math.max(1, Math.floor((accounts * maxConcurrentPercentage) / 100)), OPERATIONS_IN_PROGRESS_PER_REGION);
  const waves = Math.ceil(accounts / concurrent);
  const minutes = waves * stackMinutes * (regionConcurrency === 'PARALLEL' ? 1 : regions);
  return { concurrent, waves, minutes, instances: accounts * regions };
}
