import type { GovernanceConfig } from '../../../config/schema';
import { inferenceProfileIds } from '../../../policies/approved-inference';

/** The inference profiles the tenant calls in one Region, by role: what the turn function gets in `MODELS`. */
export interface TenantModels {
  readonly classifier: string;
  readonly fast: string;
  readonly capable: string;
  /** Tried in order when the chosen profile fails; never a profile outside the approved geographies. */
  readonly fallback: readonly string[];
}

/**
 * Each configured model's system profile callable from `region` (the first approved geography with one): the turn
 * calls only these ids, so every call goes through an approved geography's profile (BR-CRI-1, BR-CRI-2). The config
 * check (`config/semantics.ts`) guarantees one exists.
 */
export function tenantModels(config: GovernanceConfig, region: string): TenantModels {
  const tenant = config.workloads.supportChat!;
  const callable = inferenceProfileIds(config, region);
  const profile = (modelId: string) => {
    const id = callable.find((p) => p.endsWith(`.${modelId}`) && !p.startsWith('global.'));
    if (!id) throw new Error(`no approved profile of ${modelId} is callable from ${region}`);
    return id;
  };
  return {
    classifier: profile(tenant.models.classifier),
    fast: profile(tenant.models.fast),
    capable: profile(tenant.models.capable),
    fallback: tenant.models.fallback.map(profile),
  };
}

/**
 * The profiles the tenant may ever call from `region`: every approved geography's system profile callable there
 * (`global.` ones excluded, as in `tenantModels`). The AppConfig validator's enum and the turn's `ALLOWED_PROFILES`: a
 * settings version naming anything else cannot deploy, and the turn would not use it.
 */
export function tenantAllowedProfiles(config: GovernanceConfig, region: string): string[] {
  return inferenceProfileIds(config, region).filter((p) => !p.startsWith('global.')).sort();
}
