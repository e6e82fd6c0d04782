import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GovernanceConfig } from '../config/schema';
import { BEDROCK_POLICY_MAX_CHARACTERS } from '../policies/br-gr-1';
import { POLICY_TYPE_LIMITS, slotBudget } from '../policies/compiler/compile';
import type { AuthorizationPolicyType } from '../policies/control';
import { TEMPLATE_BODY_MAX_BYTES, TEMPLATE_BYTES_METADATA, TEMPLATE_URL_MAX_BYTES } from '../stacksets/rollout/service-managed-stack-set';

/** Organizations policy document limits in characters (Organizations quotas page; aws-facts.md §8). */
export const POLICY_LIMITS: Readonly<Record<string, number>> = {
  SERVICE_CONTROL_POLICY: POLICY_TYPE_LIMITS.SERVICE_CONTROL_POLICY.characters,
  RESOURCE_CONTROL_POLICY: POLICY_TYPE_LIMITS.RESOURCE_CONTROL_POLICY.characters,
  BEDROCK_POLICY: BEDROCK_POLICY_MAX_CHARACTERS,
};

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** CloudFormation metadata key under which a policy whose content resolves at deploy time records its measured size. */
export const MEASURED_CHARACTERS_METADATA = 'GenAiGovernanceMeasuredCharacters';

const pad = (s: string | number, n: number) => String(s).padEnd(n);

/**
 * The main job's report, read back from the synthesized assembly (so it shows what will deploy): each stack with its
 * account, Region and resource count; each Organizations policy's size against its limit; the SCP and RCP slots used
 * per target (the always-attached policy and the configured reserve included); and each StackSet's targets.
 * A Bedrock policy's identifier is resolved only at deploy time: its stack records the size measured with the longest
 * identifier in the resource's metadata, and that is what is shown.
 */
export function renderSummary(assembly: CloudAssembly, config: GovernanceConfig): string {
  const lines: string[] = ['', 'Synthesized estate', ''];
  const policies: string[] = [];
  const stackSets: string[] = [];
  const attached = new Map<string, number>();

  const names = new Map<string, string>([
    [config.organization.rootId, 'Root'],
    ...config.organizationalUnits.map((o) => [o.id, o.path] as [string, string]),
    ...config.accounts.map((a) => [a.id, `account ${a.name}`] as [string, string]),
  ]);
  lines.push(`  ${pad('stack', 36)}${pad('account', 14)}${pad('region', 16)}resources`);
  for (const stack of assembly.stacks) {
    const resources = Object.entries((stack.template.Resources ?? {}) as Record<string, CfnResourceJson>);
    lines.push(`  ${pad(stack.stackName, 36)}${pad(stack.environment.account, 14)}${pad(stack.environment.region, 16)}${resources.length}`);
    for (const [logicalId, r] of resources) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::Organizations::Policy') {
        const type = String(p.Type);
        const characters = Number(r.Metadata?.[MEASURED_CHARACTERS_METADATA] ?? JSON.stringify(p.Content).length);
        const limit = POLICY_LIMITS[type];
        const size = limit ? `${characters} / ${limit} characters (${Math.round((100 * characters) / limit)}%)` : `${characters} characters`;
        policies.push(`  ${pad(String(p.Name ?? logicalId), 48)}${pad(type, 26)}${size}`);
        for (const t of (p.TargetIds ?? []) as string[]) attached.set(`${type} ${t}`, (attached.get(`${type} ${t}`) ?? 0) + 1);
      }
      if (r.Type === 'AWS::CloudFormation::StackSet') {
        const groups = (p.StackInstancesGroup ?? []) as {
          DeploymentTargets?: { OrganizationalUnitIds?: string[] }; Regions?: string[]; ParameterOverrides?: { ParameterKey: string }[];
        }[];
        const bytes = Number(r.Metadata?.[TEMPLATE_BYTES_METADATA] ?? Buffer.byteLength(String(p.TemplateBody ?? ''), 'utf8'));
        const delivery = p.TemplateBody !== undefined ? `TemplateBody, ${bytes} / ${TEMPLATE_BODY_MAX_BYTES}` : `TemplateURL, ${bytes} / ${TEMPLATE_URL_MAX_BYTES}`;
        for (const g of groups) {
          const ous = (g.DeploymentTargets?.OrganizationalUnitIds ?? []).map((id) => `${names.get(id) ?? id} (${id})`).join(', ');
          const overrides = (g.ParameterOverrides ?? []).map((o) => o.ParameterKey);
          stackSets.push(`  ${String(p.StackSetName ?? logicalId)}: auto-deployed to OUs ${ous} × Regions ${(g.Regions ?? []).join(', ')}; `
            + `${p.CallAs}; template by ${delivery} bytes${overrides.length > 0 ? `; Region's own ${overrides.join(', ')}` : ''}`);
        }
      }
    }
  }

  lines.push('', 'Organizations policies', ...(policies.length ? policies : ['  none']));
  lines.push('', 'Slots per target (this tool\'s policies + FullAWSAccess/RCPFullAWSAccess + reserved / limit)');
  for (const [key, count] of attached) {
    const [type, target] = key.split(' ');
    if (!(type in POLICY_TYPE_LIMITS)) continue;
    const { limit, reserved } = slotBudget(config, type as AuthorizationPolicyType);
    lines.push(`  ${pad(`${names.get(target) ?? target} ${target}`, 48)}${pad(type, 26)}${count} + ${reserved} / ${limit}`);
  }
  lines.push('', 'StackSet targets', ...(stackSets.length ? stackSets : ['  none']), '');
  return lines.join('\n');
}
