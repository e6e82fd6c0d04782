import type { GovernanceConfig } from '../../config/schema';
import type { TenantModelRole } from '../../contracts/tenant-inference-profiles';
import { inferenceProfileIds } from '../../policies/approved-inference';

/**
 * The system profile each model role of the support-chat tenant is served through in `region`: the first approved
 * geography's profile of the role's model callable there (never `global.`: BR-CRI-2 denies an application profile
 * copying one). The config check (`config/semantics.ts`) guarantees one exists for every role.
 */
export function tenantProfileSources(config: GovernanceConfig, region: string): Record<TenantModelRole, string> {
  const tenant = config.workloads.supportChat;
  if (!tenant) throw new Error('the config has no workloads.supportChat tenant');
  const callable = inferenceProfileIds(config, region);
  const profile = (modelId: string) => {
    const id = callable.find((p) => p.endsWith(`.${modelId}`) && !p.startsWith('global.'));
    if (!id) throw new Error(`no approved geography's profile of ${modelId} is callable from ${region}`);
    return id;
  };
  return {
    classifier: profile(tenant.models.classifier),
    fast: profile(tenant.models.fast),
    capable: profile(tenant.models.capable),
    ...Object.fromEntries(tenant.models.fallback.map((m, i) => [`fallback-${i + 1}`, profile(m)])),
  };
}
