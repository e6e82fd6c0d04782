import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GovernanceConfig } from '../config/schema';
import { ServiceManagedStackSet } from '../stacksets/rollout/service-managed-stack-set';
import { TenantProfilesStackSet } from '../stacksets/tenant-profiles/tenant-profiles-stack-set';

/** A member template to roll out, and where. */
export interface BaselineRollout {
  readonly stackSetName: string;
  readonly description: string;
  /** Path of the synthesized member template. */
  readonly templateFile: string;
  readonly regions: readonly string[];
  /** Template parameter values by Region (the OAM sink's shared parameter, which differs per Region). */
  readonly parameterOverridesByRegion?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Template parameter values of the instances in some target OUs, by OU path (the metadata-only invocation logging):
   * those OUs get stack-instances groups of their own.
   * @default - every target OU uses the Region's values
   */
  readonly parameterOverridesByOrganizationalUnit?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface StackSetAdministrationStackProps extends StackProps {
  readonly config: GovernanceConfig;
  readonly rollouts: readonly BaselineRollout[];
  /**
   * The support-chat tenant's application inference profiles: their StackSet name and synthesized member template,
   * rolled out to the tenant's account alone (`TenantProfilesStackSet`).
   * @default - no tenant profiles StackSet
   */
  readonly tenantProfiles?: { readonly stackSetName: string; readonly templateFile: string };
}

/**
 * The StackSets of the member baseline, in the StackSets administrator account: the configured delegated
 * administrator (`CallAs: DELEGATED_ADMIN`) or the management account (`CallAs: SELF`). Every StackSet auto-deploys to
 * `baseline.targetOrganizationalUnits` (default: the workload OUs) with the configured operation preferences; with a
 * tenant, its application inference profiles go to the tenant's account alone (no auto-deployment).
 */
export class StackSetAdministrationStack extends Stack {
  public readonly stackSets: ServiceManagedStackSet[];
  /** The tenant's application inference profiles StackSet, when there is a tenant. */
  public readonly tenantProfiles?: TenantProfilesStackSet;

  constructor(scope: Construct, id: string, props: StackSetAdministrationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const ouIds = new Map(config.organizationalUnits.map((o) => [o.path, o.id]));
    const targets = config.baseline.targetOrganizationalUnits ?? config.organization.workloadOrganizationalUnits;
    this.stackSets = props.rollouts.map((r) => new ServiceManagedStackSet(this, r.stackSetName, {
      ...r,
      organizationalUnitIds: targets.filter((p) => !(p in (r.parameterOverridesByOrganizationalUnit ?? {}))).map((p) => ouIds.get(p)!),
      organizationalUnitOverrides: overrideGroups(targets, r.parameterOverridesByOrganizationalUnit ?? {}, ouIds),
      callAs: config.baseline.delegatedAdministrator ? 'DELEGATED_ADMIN' : 'SELF',
      retainStacksOnAccountRemoval: config.baseline.retainStacksOnAccountRemoval,
      operationPreferences: config.baseline.operationPreferences,
    }));
    if (props.tenantProfiles) {
      this.tenantProfiles = new TenantProfilesStackSet(this, 'TenantProfiles', { config, ...props.tenantProfiles });
    }
  }
}

/** The target OUs with overrides, those with the same values in one entry (target order). */
function overrideGroups(
  targets: readonly string[], byOu: Readonly<Record<string, Readonly<Record<string, string>>>>, ouIds: ReadonlyMap<string, string>,
): { organizationalUnitIds: string[]; parameterOverrides: Readonly<Record<string, string>> }[] {
  const groups = new Map<string, { organizationalUnitIds: string[]; parameterOverrides: Readonly<Record<string, string>> }>();
  for (const p of targets.filter((t) => t in byOu)) {
    const key = JSON.stringify(Object.entries(byOu[p]).sort());
    const group = groups.get(key) ?? { organizationalUnitIds: [], parameterOverrides: byOu[p] };
    group.organizationalUnitIds.push(ouIds.get(p)!);
    groups.set(key, group);
  }
  return [...groups.values()];
}
