import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import type { AttachmentPoint } from '../control';

/** A root, OU or account that Organizations policies attach to. */
export interface PolicyTarget {
  /** `r-…`, `ou-…` or a 12-digit account id. */
  readonly id: string;
  /** For people: `Root`, the OU path, or `account <name>`. */
  readonly label: string;
}

/** The targets of an attachment point for a config. */
export function resolveTargets(config: GovernanceConfig, point: AttachmentPoint): PolicyTarget[] {
  switch (point) {
    case 'root':
      return [{ id: config.organization.rootId, label: 'Root' }];
    case 'workload-ous':
      return ouTargets(config, config.organization.workloadOrganizationalUnits);
    case 'vpc-endpoint-ous':
      return ouTargets(config, config.bedrock.requireVpcEndpoint);
    case 'evidence-accounts':
      return [config.topology.logArchive, config.topology.audit].map((name) => ({ id: accountIdOf(config, name), label: `account ${name}` }));
  }
}

function ouTargets(config: GovernanceConfig, paths: readonly string[]): PolicyTarget[] {
  const ids = new Map(config.organizationalUnits.map((o) => [o.path, o.id]));
  return paths.map((path) => ({ id: ids.get(path)!, label: path }));
}
