import type { SidePolicy } from './policy-sets';

/** A statement of an SCP or RCP, keyed by its Sid (statements without one by their JSON). */
export interface StatementRef {
  readonly key: string;
  readonly policy: string;
  readonly statement: unknown;
}

/** What changes at one target for one policy type, among this tool's policies. */
export interface TargetDiff {
  readonly targetId: string;
  readonly policyType: string;
  /** Policies of this tool attached by the change, and detached. */
  readonly attached: string[];
  readonly detached: string[];
  /** SCP/RCP statements by Sid; for a Bedrock policy, each changed leaf (`bedrock.guardrail_inference.eu-west-1…`). */
  readonly added: StatementRef[];
  readonly removed: StatementRef[];
  readonly changed: { readonly key: string; readonly policy: string; readonly before: unknown; readonly after: unknown }[];
}

/** JSON with object keys sorted, so two equal statements compare equal whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function statementsOf(policies: readonly SidePolicy[]): Map<string, StatementRef> {
  const out = new Map<string, StatementRef>();
  for (const p of policies) {
    const raw = (p.content as { Statement?: unknown }).Statement;
    for (const s of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
      const sid = (s as { Sid?: unknown }).Sid;
      const key = typeof sid === 'string' && sid !== '' ? sid : canonical(s);
      out.set(key, { key, policy: p.name, statement: s });
    }
  }
  return out;
}

/** The leaves of a JSON value by dotted path (arrays whole: a Bedrock policy's lists are values). */
function leaves(value: unknown, path: string, out: Map<string, unknown>, policy: string): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out, policy);
  } else {
    out.set(`${policy}: ${path}`, value);
  }
  return out;
}

function compare<T>(before: Map<string, T>, after: Map<string, T>, policyOf: (v: T) => string, valueOf: (v: T) => unknown) {
  const added: StatementRef[] = [];
  const removed: StatementRef[] = [];
  const changed: TargetDiff['changed'] = [];
  for (const [key, a] of after) {
    const b = before.get(key);
    if (b === undefined) added.push({ key, policy: policyOf(a), statement: valueOf(a) });
    else if (canonical(valueOf(b)) !== canonical(valueOf(a))) changed.push({ key, policy: policyOf(a), before: valueOf(b), after: valueOf(a) });
  }
  for (const [key, b] of before) if (!after.has(key)) removed.push({ key, policy: policyOf(b), statement: valueOf(b) });
  return { added, removed, changed };
}

/**
 * Deployed against proposed, this tool's policies only (others are the same on both sides): per target and policy type,
 * the policies attached and detached, and the statements added, removed and changed, keyed by Sid (a statement that
 * moves between two of this tool's policies at the same target is not a change). Bedrock policies are compared leaf
 * by leaf. Targets without a change are left out; sorted by target, then type.
 */
export function diffPolicies(deployed: readonly SidePolicy[], proposed: readonly SidePolicy[]): TargetDiff[] {
  const ours = (side: readonly SidePolicy[]) => side.filter((p) => p.ours);
  const keys = new Set<string>();
  for (const p of [...ours(deployed), ...ours(proposed)]) for (const t of p.targetIds) keys.add(`${t}\u0000${p.type}`);
  const diffs: TargetDiff[] = [];
  for (const key of [...keys].sort()) {
    const [targetId, policyType] = key.split('\u0000');
    const at = (side: readonly SidePolicy[]) => ours(side).filter((p) => p.type === policyType && p.targetIds.includes(targetId));
    const before = at(deployed);
    const after = at(proposed);
    const beforeNames = new Set(before.map((p) => p.name));
    const afterNames = new Set(after.map((p) => p.name));
    const statements = policyType === 'BEDROCK_POLICY'
      ? compare(new Map(before.flatMap((p) => [...leaves(p.content, '', new Map(), p.name)].map(([k, v]) => [k, { p: p.name, v }] as const))),
        new Map(after.flatMap((p) => [...leaves(p.content, '', new Map(), p.name)].map(([k, v]) => [k, { p: p.name, v }] as const))),
        (x) => x.p, (x) => x.v)
      : compare(statementsOf(before), statementsOf(after), (x) => x.policy, (x) => x.statement);
    const diff: TargetDiff = {
      targetId,
      policyType,
      attached: [...afterNames].filter((n) => !beforeNames.has(n)).sort(),
      detached: [...beforeNames].filter((n) => !afterNames.has(n)).sort(),
      ...statements,
    };
    if (diff.attached.length + diff.detached.length + diff.added.length + diff.removed.length + diff.changed.length > 0) diffs.push(diff);
  }
  return diffs;
}
