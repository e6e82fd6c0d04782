import type { ControlIds } from './control-ids';
import type { DecisionCase } from './decision-cases';
import type { OrgEvaluator, OrgRequest } from './org-evaluator';

/** A case's outcome on one side: allowed when every request is allowed; else the Sids and controls that deny. */
export interface CaseOutcome {
  readonly allowed: boolean;
  readonly deniedBy: string[];
  readonly controls: string[];
}

/** A case whose outcome differs between the deployed and the proposed policies. */
export interface Flip {
  readonly case: string;
  readonly kind: DecisionCase['kind'];
  readonly direction: 'allowed-to-denied' | 'denied-to-allowed';
  readonly before: CaseOutcome;
  readonly after: CaseOutcome;
}

/** Evaluates the requests of one call: allowed only if AWS would authorize each of them. */
export async function outcome(evaluator: OrgEvaluator, requests: readonly OrgRequest[], controls: ControlIds): Promise<CaseOutcome> {
  const deniedBy = new Set<string>();
  let allowed = true;
  for (const request of requests) {
    const r = await evaluator.evaluate(request);
    if (r.result !== 'Allowed') {
      allowed = false;
      r.deniedBy.forEach((s) => deniedBy.add(s));
    }
  }
  const sids = [...deniedBy].sort();
  return { allowed, deniedBy: sids, controls: controls.ofAll(sids) };
}

/** Whether both evaluators attach the same policies for every request of a call, so they cannot decide it differently. */
export function sameAttachments(before: OrgEvaluator, after: OrgEvaluator, requests: readonly OrgRequest[]): boolean {
  return requests.every((r) => before.attachmentKey(r) === after.attachmentKey(r));
}

/** Every case evaluated on both sides (skipped where both attach the same policies: it cannot flip); the flips, in case order. */
export async function findFlips(cases: readonly DecisionCase[], before: OrgEvaluator, after: OrgEvaluator, controls: ControlIds): Promise<Flip[]> {
  const flips: Flip[] = [];
  for (const c of cases) {
    if (sameAttachments(before, after, c.requests)) continue;
    const b = await outcome(before, c.requests, controls);
    const a = await outcome(after, c.requests, controls);
    if (b.allowed !== a.allowed) {
      flips.push({ case: c.id, kind: c.kind, direction: b.allowed ? 'allowed-to-denied' : 'denied-to-allowed', before: b, after: a });
    }
  }
  return flips;
}
