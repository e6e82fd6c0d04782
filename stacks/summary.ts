import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { APP_CONTEXT } from './app-context';
import { validationReport } from '../building-blocks/gates/validation-outcome';
import type { OrganizationLimits } from '../config/organization-limits';
import type { GovernanceConfig } from '../config/schema';
import { POLICY_TYPES, policyTypeLimits } from '../policies/compiler/compile';
import type { AuthorizationPolicyType } from '../policies/control';
import { TEMPLATE_BODY_MAX_BYTES, TEMPLATE_BYTES_METADATA, TEMPLATE_URL_MAX_BYTES } from '../stacksets/rollout/service-managed-stack-set';

/** What `organization.limits` allows one Organizations policy type: characters per document, and policies per target. */
export interface PolicyTypeBudget {
  readonly characters: number;
  readonly slots: number;
  /** Slots taken by what is always attached (`FullAWSAccess`, `RCPFullAWSAccess`) and the configured reserve. */
  readonly reserved: number;
}

/** The budget of each Organizations policy type this app writes (SCP, RCP, Bedrock policy); undefined for another. */
export function policyTypeBudget(limits: OrganizationLimits, type: string): PolicyTypeBudget | undefined {
  if (type in POLICY_TYPES) return policyTypeLimits(limits, type as AuthorizationPolicyType);
  // A Bedrock policy has no always-attached counterpart.
  if (type === 'BEDROCK_POLICY') return { characters: limits.bedrockPolicyCharacters, slots: limits.bedrockPoliciesPerTarget, reserved: 0 };
  return undefined;
}

/** One Organizations policy of the templates, with its size as it will deploy. */
export interface PolicyUsage {
  readonly name: string;
  readonly type: string;
  /** Characters: the size its stack measured with the longest identifier where the content resolves at deploy time. */
  readonly characters: number;
  readonly budget?: PolicyTypeBudget;
}

/** The policies of one type attached to one target by the templates. */
export interface TargetUsage {
  /** For people: `Root`, the OU path or `account <name>`, then the id. */
  readonly label: string;
  readonly type: string;
  readonly attached: number;
  readonly budget?: PolicyTypeBudget;
}

/**
 * Every `AWS::Organizations::Policy` among `resources` (logical id and resource, in the order given) with its size, and
 * the policies each target gets, per type, in the order targets first appear.
 */
export function organizationPolicyUsage(resources: Iterable<readonly [string, CfnResourceJson]>, config: GovernanceConfig): {
  readonly policies: PolicyUsage[];
  readonly targets: TargetUsage[];
} {
  const names = targetNames(config);
  const limits = config.organization.limits;
  const policies: PolicyUsage[] = [];
  const attached = new Map<string, { label: string; type: string; attached: number }>();
  for (const [logicalId, r] of resources) {
    if (r.Type !== 'AWS::Organizations::Policy') continue;
    const p = r.Properties ?? {};
    const type = String(p.Type);
    const characters = Number(r.Metadata?.[MEASURED_CHARACTERS_METADATA] ?? JSON.stringify(p.Content).length);
    policies.push({ name: String(p.Name ?? logicalId), type, characters, budget: policyTypeBudget(limits, type) });
    for (const t of (p.TargetIds ?? []) as string[]) {
      const key = `${type} ${t}`;
      const entry = attached.get(key) ?? { label: `${names.get(t) ?? t} ${t}`, type, attached: 0 };
      attached.set(key, { ...entry, attached: entry.attached + 1 });
    }
  }
  return { policies, targets: [...attached.values()].map((t) => ({ ...t, budget: policyTypeBudget(limits, t.type) })) };
}

/** Root, OUs and accounts of the config by id, as people name them: `Root`, the OU path, `account <name>`. */
function targetNames(config: GovernanceConfig): Map<string, string> {
  return new Map<string, string>([
    [config.organization.rootId, 'Root'],
    ...config.organizationalUnits.map((o) => [o.id, o.path] as [string, string]),
    ...config.accounts.map((a) => [a.id, `account ${a.name}`] as [string, string]),
  ]);
}

/** The limits in one line, for the summary and the benches. */
export function describeLimits(limits: OrganizationLimits): string {
  return `profile ${limits.profile}: SCPs ${limits.scpCharacters} characters, ${limits.scpsPerTarget} per target (${limits.reservedScpSlots} reserved); `
    + `RCPs ${limits.rcpCharacters} characters, ${limits.rcpsPerTarget} per target (${limits.reservedRcpSlots} reserved); `
    + `Bedrock policies ${limits.bedrockPolicyCharacters} characters, ${limits.bedrockPoliciesPerTarget} per target`;
}

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** CloudFormation metadata key under which a policy whose content resolves at deploy time records its measured size. */
export const MEASURED_CHARACTERS_METADATA = 'GenAiGovernanceMeasuredCharacters';

/** How the gates that ran at synth are named in the summary, by the plugin name in `validation-report.json`. */
const GATE_NAMES: Readonly<Record<string, string>> = {
  'CloudFormation Validate': 'CloudFormation validation',
  'AwsSolutions': 'cdk-nag AwsSolutions',
  'NIST.800.53.R5': 'cdk-nag NIST 800-53 rev 5',
  'HIPAA.Security': 'cdk-nag HIPAA Security',
  'cdk-validator-cfnguard': 'cfn-guard with the Control Tower rules',
};

/** Where the summary says the other conformance tools run. */
export const CONFORMANCE_NOTE = 'cfn-lint and checkov are not run at synth: `npx projen conformance` runs them over every template';

/**
 * The gates that ran at synth, read from the `validation-report.json` aws-cdk-lib writes into the assembly (one entry
 * per validation plugin registered by `registerGates`, plus CloudFormation's own validation): each with whether it
 * passed (conclusion success and no violation). Empty when the assembly has no report.
 */
export function gatesThatRan(assembly: CloudAssembly): { readonly name: string; readonly passed: boolean }[] {
  const report = validationReport(assembly);
  if (!report) return [];
  const gates = new Map<string, boolean>();
  for (const p of report.pluginReports ?? []) {
    const passed = p.conclusion === 'success' && (p.violations ?? []).length === 0;
    gates.set(p.pluginName, (gates.get(p.pluginName) ?? true) && passed);
  }
  const strict = APP_CONTEXT['@aws-cdk/core:strictCfnValidateErrors'] ? ' in strict mode' : '';
  return [...gates].map(([plugin, passed]) => ({
    name: `${GATE_NAMES[plugin] ?? plugin}${plugin === 'CloudFormation Validate' ? strict : ''}`,
    passed,
  }));
}

/**
 * Rows as columns two spaces apart, each as wide as its widest cell (the last column is not padded), indented by two.
 */
function table(rows: readonly (readonly (string | number)[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, String(cell).length); });
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i]))).join('  ')}`);
}

/** Share of a limit below which headroom is flagged. */
export const HEADROOM_FLAG = 0.2;

/** `; under 20 % headroom` when `used` leaves less than that share of `limit`. */
function flag(used: number, limit: number): string {
  return limit - used < HEADROOM_FLAG * limit ? `; under ${100 * HEADROOM_FLAG} % headroom` : '';
}

/** Plain code-unit order, the same on every machine (no locale). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The main job's report, read back from the synthesized assembly (so it shows what will deploy): the config it was
 * built from; each stack with its account, Region and resource count; each Organizations policy's size against its
 * limit; the SCP and RCP slots used per target (the always-attached policy and the configured reserve included); each
 * StackSet's targets; and the gates that ran at synth and whether they passed.
 *
 * Stacks are listed by account, in the order management, log archive, audit, then the other accounts by name, and
 * within an account by stack name (plain character order), so the same config always prints the same report.
 * Policies and StackSets follow that order. Column widths come from the content.
 *
 * A Bedrock policy's identifier is resolved only at deploy time: its stack records the size measured with the longest
 * identifier in the resource's metadata, and that is what is shown.
 *
 * @param configSource which config file the estate was built from, in words (`org.yaml (-c config=org.yaml)`)
 * @param stageIds the Stages whose stacks are deployed too (a pipeline's deploy waves, stacks/pipeline/); default none
 */
export function renderSummary(assembly: CloudAssembly, config: GovernanceConfig, configSource?: string, stageIds: readonly string[] = []): string {
  const lines: string[] = ['', 'Synthesized estate', ''];
  if (configSource !== undefined) lines.push(`  config: ${configSource}`, '');
  const limits = config.organization.limits;
  const stackSets: string[] = [];
  const names = targetNames(config);
  const accountNames = new Map(config.accounts.map((a) => [a.id, a.name]));
  const roleOrder = [config.topology.management, config.topology.logArchive, config.topology.audit];
  /** management 0, log archive 1, audit 2, any other account 3, an account not in the config last. */
  const rank = (name: string | undefined) => {
    if (name === undefined) return roleOrder.length + 1;
    return roleOrder.includes(name) ? roleOrder.indexOf(name) : roleOrder.length;
  };
  const staged = assembly.nestedAssemblies.filter((n) => stageIds.some((id) => n.id === `assembly-${id}`)).flatMap((n) => n.nestedAssembly.stacks);
  const stacks = [...assembly.stacks, ...staged].map((stack) => ({ stack, accountName: accountNames.get(stack.environment.account) })).sort((a, b) =>
    rank(a.accountName) - rank(b.accountName)
    || byText(a.accountName ?? a.stack.environment.account, b.accountName ?? b.stack.environment.account)
    || byText(a.stack.stackName, b.stack.stackName));

  const stackRows: (string | number)[][] = [['account', 'stack', 'account id', 'region', 'resources']];
  const allResources: [string, CfnResourceJson][] = [];
  for (const { stack, accountName } of stacks) {
    const resources = Object.entries((stack.template.Resources ?? {}) as Record<string, CfnResourceJson>);
    allResources.push(...resources);
    stackRows.push([accountName ?? '?', stack.stackName, stack.environment.account, stack.environment.region, resources.length]);
    for (const [logicalId, r] of resources) {
      const p = r.Properties ?? {};
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
  lines.push('Stacks (by account: management, log archive, audit, then the others by name; then by stack name)', ...table(stackRows));

  const usage = organizationPolicyUsage(allResources, config);
  const policies = usage.policies.map(({ name, type, characters, budget }) => [name, type, budget
    ? `${characters} / ${budget.characters} characters (${Math.round((100 * characters) / budget.characters)}%)${flag(characters, budget.characters)}`
    : `${characters} characters`]);
  lines.push('', `Organizations policies (organization.limits, ${describeLimits(limits)})`, ...(policies.length ? table(policies) : ['  none']));
  lines.push('', 'Slots per target (this tool\'s policies + FullAWSAccess/RCPFullAWSAccess + reserved / limit; Bedrock policies have no always-attached one)');
  const slots = usage.targets.flatMap(({ label, type, attached, budget }) => (budget
    ? [[label, type, `${attached} + ${budget.reserved} / ${budget.slots}${flag(attached + budget.reserved, budget.slots)}`]]
    : []));
  lines.push(...(slots.length ? table(slots) : ['  none']));
  lines.push('', 'StackSet targets', ...(stackSets.length ? stackSets : ['  none']));

  const gates = gatesThatRan(assembly);
  const failed = gates.filter((g) => !g.passed);
  lines.push('', 'Gates');
  if (gates.length === 0) {
    lines.push('  no validation report in the assembly: no gate ran');
  } else {
    lines.push(`  ran at synth, ${failed.length === 0 ? 'all passed' : `failed: ${failed.map((g) => g.name).join(', ')}`}: ${gates.map((g) => g.name).join('; ')}`);
  }
  lines.push(`  ${CONFORMANCE_NOTE}`, '');
  return lines.join('\n');
}
