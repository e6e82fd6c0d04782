import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GovernanceConfig } from '../config/schema';

/** Organizations policy document limits in characters (Organizations quotas page; aws-facts.md §8). */
export const POLICY_LIMITS: Readonly<Record<string, number>> = {
  SERVICE_CONTROL_POLICY: 5120,
  RESOURCE_CONTROL_POLICY: 5120,
  DECLARATIVE_POLICY_EC2: 10000,
  TAG_POLICY: 10000,
  BACKUP_POLICY: 10000,
  AISERVICES_OPT_OUT_POLICY: 2500,
};

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);

/**
 * The main job's report, read back from the synthesized assembly (so it shows what will deploy): each stack with its
 * account, Region and resource count; each Organizations policy's size against its limit; SCP slots per target
 * (FullAWSAccess and the configured reserve included); and each StackSet's targets.
 */
export function renderSummary(assembly: CloudAssembly, config: GovernanceConfig): string {
  const lines: string[] = ['', 'Synthesized estate', ''];
  const policies: string[] = [];
  const stackSets: string[] = [];
  const attached = new Map<string, number>();

  lines.push(`  ${pad('stack', 28)}${pad('account', 14)}${pad('region', 16)}resources`);
  for (const stack of assembly.stacks) {
    const resources = Object.entries((stack.template.Resources ?? {}) as Record<string, CfnResourceJson>);
    lines.push(`  ${pad(stack.stackName, 28)}${pad(stack.environment.account, 14)}${pad(stack.environment.region, 16)}${resources.length}`);
    for (const [logicalId, r] of resources) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::Organizations::Policy') {
        const type = String(p.Type);
        const content = typeof p.Content === 'string' ? p.Content : JSON.stringify(p.Content);
        const limit = POLICY_LIMITS[type];
        const size = limit ? `${content.length} / ${limit} characters (${Math.round((100 * content.length) / limit)}%)` : `${content.length} characters (limit unverified)`;
        policies.push(`  ${pad(String(p.Name ?? logicalId), 32)}${pad(type, 26)}${size}`);
        if (type === 'SERVICE_CONTROL_POLICY') {
          for (const t of (p.TargetIds ?? []) as string[]) attached.set(t, (attached.get(t) ?? 0) + 1);
        }
      }
      if (r.Type === 'AWS::CloudFormation::StackSet') {
        const groups = (p.StackInstancesGroup ?? []) as { DeploymentTargets?: { OrganizationalUnitIds?: string[] }; Regions?: string[] }[];
        for (const g of groups) {
          stackSets.push(`  ${pad(String(p.StackSetName ?? logicalId), 32)}OUs ${(g.DeploymentTargets?.OrganizationalUnitIds ?? []).join(', ')} × Regions ${(g.Regions ?? []).join(', ')}`);
        }
      }
    }
  }

  const ouNames = new Map(config.organizationalUnits.map((o) => [o.id, o.path]));
  const { slotsPerTarget, reservedSlots } = config.scpBudget;
  lines.push('', 'Organizations policies', ...(policies.length ? policies : ['  none']));
  lines.push('', `SCP slots per target (limit ${slotsPerTarget}: FullAWSAccess + ${reservedSlots} reserved + this tool's)`);
  for (const [target, count] of attached) {
    lines.push(`  ${pad(ouNames.get(target) ?? target, 32)}${1 + reservedSlots + count} / ${slotsPerTarget}`);
  }
  lines.push('', 'StackSet targets', ...(stackSets.length ? stackSets : ['  none: the member baseline is not in this build yet']), '');
  return lines.join('\n');
}
