import type { GovernanceConfig } from '../../../config/schema';
import { tenantProfileSources } from '../../../stacksets/tenant-profiles/tenant-profile-sources';

/** The local run's account (the one `local-resources.ts` names its table and role in). */
const LOCAL_ACCOUNT = '123456789012';

/**
 * The application inference profiles the local run pretends the platform made (ADR 35): one per model role of the
 * tenant, id `local<role>` without its dash (`localclassifier`, `localfallback1`), each wrapping the role's system
 * profile of `region` (`tenantProfileSources`, as the StackSet's template). By system profile, as the turn gets them in
 * `APPLICATION_PROFILES`: when two roles wrap the same profile the first role wins (classifier, fast, capable, fallbacks).
 */
export function localApplicationProfiles(config: GovernanceConfig, region: string): Record<string, string> {
  const bySystemProfile: Record<string, string> = {};
  for (const [role, profile] of Object.entries(tenantProfileSources(config, region))) {
    bySystemProfile[profile] ??= `arn:aws:bedrock:${region}:${LOCAL_ACCOUNT}:application-inference-profile/local${role.replace('-', '')}`;
  }
  return bySystemProfile;
}
