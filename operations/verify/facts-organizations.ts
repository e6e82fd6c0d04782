import { resourcesOf, type Assembly } from './assembly';
import { GLOBAL_REGION, type Fact } from './fact';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { organizationControls } from '../../policies/organization-controls';

/**
 * ORG-* and BR-* facts: the management account's service and resource control policies (their statements per control,
 * by Sid, and their targets). Targets are compared by name (`root`, an OU path, `account:<name>`), resolved from the
 * config on one side and the live organization on the other. Bedrock policies (BR-GR-1) are not read in this slice.
 */

/** The policy types read. */
export const VERIFIED_POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const;

/** A statement of a policy's content. */
export interface Statement { readonly Sid?: string; readonly [key: string]: unknown }

/** The control whose statement a Sid is (the Sid starts with the control id without dashes). */
export function controlOfSid(sid: string, controlIds: readonly string[]): string | undefined {
  return [...controlIds].sort((a, b) => b.length - a.length).find((id) => sid.startsWith(id.replace(/-/g, '')));
}

/** A target id as a name: `root`, the OU's path, or `account:<name>`; an id the config does not know stays as it is. */
export function targetName(config: GovernanceConfig, id: string): string {
  if (id === config.organization.rootId) return 'root';
  const ou = config.organizationalUnits.find((o) => o.id === id);
  if (ou) return ou.path;
  const account = config.accounts.find((a) => a.id === id);
  return account ? `account:${account.name}` : id;
}

/** The statements of `control` in a policy's statements, sorted by Sid. */
export function statementsOf(statements: readonly Statement[], control: string, controlIds: readonly string[]): Statement[] {
  return statements.filter((s) => controlOfSid(s.Sid ?? '', controlIds) === control)
    .sort((a, b) => (a.Sid ?? '').localeCompare(b.Sid ?? ''));
}

export function organizationFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  const management = accountIdOf(config, config.topology.management);
  const controlIds = organizationControls(config).map((c) => c.controlId);
  const facts: Fact[] = [];
  for (const stack of assembly.stacks.filter((s) => s.account === management)) {
    for (const [, props] of resourcesOf(stack.template, 'AWS::Organizations::Policy')) {
      if (!(VERIFIED_POLICY_TYPES as readonly unknown[]).includes(props.Type)) continue;
      const name = String(props.Name);
      const content = (typeof props.Content === 'string' ? JSON.parse(props.Content) : props.Content) as { Statement?: Statement[] };
      const statements = content.Statement ?? [];
      const controls = [...new Set(statements.map((s) => controlOfSid(s.Sid ?? '', controlIds) ?? `unknown Sid ${s.Sid}`))];
      const base = { account: management, region: GLOBAL_REGION, clientRegion: stack.region, subject: name };
      for (const control of controls) {
        facts.push({
          ...base,
          control,
          kind: 'org-policy-statements',
          call: `organizations:DescribePolicy ${name}`,
          expected: statementsOf(statements, control, controlIds),
        });
      }
      facts.push({
        ...base,
        control: controls.join(','),
        kind: 'org-policy-targets',
        call: `organizations:ListTargetsForPolicy ${name}`,
        expected: ((props.TargetIds as string[] | undefined) ?? []).map((id) => targetName(config, id)).sort(),
      });
    }
  }
  return facts;
}
