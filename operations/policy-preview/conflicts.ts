import { guardrailIdentifiersIn, type SidePolicy } from './policy-sets';
import type { GovernanceConfig } from '../../config/schema';
import { INVOKE_ACTIONS } from '../../policies/bedrock-resources';
import { criDestinationRegions } from '../../policies/org-region-1';

/** A policy attached outside this tool that works against the config. */
export interface Conflict {
  readonly kind: 'region-deny-blocks-cri' | 'foreign-guardrail';
  readonly policy: string;
  readonly targetIds: readonly string[];
  readonly detail: string;
}

/** Whether an IAM action pattern (`bedrock:Invoke*`, `*`) matches an action. */
function matches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** The Regions a statement's Region condition lets through (`StringNotEquals`/`StringNotLike` on aws:RequestedRegion), if it has one. */
function allowedRegions(condition: Record<string, Record<string, unknown>> | undefined): string[] | undefined {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (!/^(ForAnyValue:|ForAllValues:)?StringNot(Equals|Like)(IgnoreCase)?(IfExists)?$/.test(operator)) continue;
    const entry = Object.entries(keys ?? {}).find(([k]) => k.toLowerCase() === 'aws:requestedregion');
    if (entry) return list(entry[1]);
  }
  return undefined;
}

/**
 * SCPs attached outside this tool with a Region deny (a `Deny` whose condition lets only listed Regions through, over
 * `NotAction` or `Action`) that reaches Bedrock inference and leaves out a CRI destination Region of the approved
 * profiles: such a policy breaks cross-Region inference (AWS Control Tower's Region deny control is the known case,
 * https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html). And Bedrock policies attached outside this
 * tool that name a guardrail this tool's Bedrock policies do not.
 */
export function findConflicts(config: GovernanceConfig, deployed: readonly SidePolicy[], proposed: readonly SidePolicy[]): Conflict[] {
  const conflicts: Conflict[] = [];
  const destinations = criDestinationRegions(config);
  for (const p of deployed.filter((x) => !x.ours && x.type === 'SERVICE_CONTROL_POLICY')) {
    const raw = (p.content as { Statement?: unknown }).Statement;
    for (const s of (Array.isArray(raw) ? raw : [raw]) as Record<string, any>[]) {
      if (s?.Effect !== 'Deny') continue;
      const regions = allowedRegions(s.Condition);
      if (!regions) continue;
      const reachesInference = INVOKE_ACTIONS.some((a) => (s.NotAction !== undefined
        ? !list(s.NotAction).some((n) => matches(n, a)) : list(s.Action).some((n) => matches(n, a))));
      if (!reachesInference) continue;
      const blocked = destinations.filter((d) => !regions.some((r) => matches(r, d)));
      if (blocked.length === 0) continue;
      conflicts.push({
        kind: 'region-deny-blocks-cri',
        policy: p.name,
        targetIds: p.targetIds,
        detail: `statement ${s.Sid ?? '(no Sid)'} denies Bedrock inference outside ${regions.join(', ')}: the CRI destination Regions `
          + `${blocked.join(', ')} of the approved profiles are blocked (cross-Region inference fails where those Regions are chosen)`,
      });
    }
  }
  const ourGuardrails = new Set([...deployed, ...proposed].filter((x) => x.ours && x.type === 'BEDROCK_POLICY').flatMap((x) => guardrailIdentifiersIn(x.content)));
  for (const p of deployed.filter((x) => !x.ours && x.type === 'BEDROCK_POLICY')) {
    const foreign = guardrailIdentifiersIn(p.content).filter((id) => !ourGuardrails.has(id));
    if (foreign.length > 0) {
      conflicts.push({
        kind: 'foreign-guardrail',
        policy: p.name,
        targetIds: p.targetIds,
        detail: `names guardrail ${foreign.join(', ')}, which the config's BR-GR-1 policies (guardrail ${config.bedrock.guardrail.name}) do not`,
      });
    }
  }
  return conflicts;
}
