import { mapEvent, type UnmappedReason } from './cloudtrail-actions';
import type { LoadedRecord } from './cloudtrail-files';
import type { ControlIds } from './control-ids';
import { outcome, sameAttachments } from './decision-flips';
import type { OrgEvaluator, OrgRequest } from './org-evaluator';
import { canonical } from './policy-diff';
import type { GovernanceConfig } from '../../config/schema';

/** Distinct calls: the records that share principal, action, resources, Region and context are evaluated once. */
export interface ReplayedCall {
  readonly principal: string;
  readonly accountId: string;
  readonly action: string;
  readonly resources: readonly string[];
  readonly region: string;
  readonly context: Readonly<Record<string, string>>;
  /** CloudTrail `eventID`s of the records reduced to this call. */
  readonly eventIds: string[];
}

/** A recorded call the deployed policies allowed and the proposed ones deny. */
export interface BlockedCall extends ReplayedCall {
  readonly deniedBy: string[];
  readonly controls: string[];
}

export interface ActivityReplay {
  readonly files: string[];
  readonly records: number;
  /** Distinct calls evaluated. */
  readonly calls: number;
  readonly blocked: BlockedCall[];
  /** Records of blocked calls, and the distinct principals that made them. */
  readonly blockedRecords: number;
  readonly blockedPrincipals: number;
  /** Records not replayed, by reason and by `eventSource eventName`: counted, never dropped silently. */
  readonly unmapped: { readonly total: number; readonly byReason: Record<string, number>; readonly byEvent: Record<string, number> };
}

type Skip = UnmappedReason | 'account not in the config';

/** The principal AWS evaluates: an assumed role's role ARN (its session issuer), else the identity's ARN. */
function principalOf(record: LoadedRecord['record']): string | undefined {
  const u = record.userIdentity;
  return u.type === 'AssumedRole' ? u.sessionContext?.sessionIssuer?.arn ?? u.arn : u.arn;
}

/**
 * Replays recorded activity: each record mapped to its IAM action, resources and context (`mapEvent`), reduced to
 * distinct calls, each evaluated with the deployed and the proposed policies; the calls allowed before and denied
 * after are returned with their records' eventIDs and the denying controls. Records of accounts the config does not
 * list are counted, not evaluated (the evaluator places accounts by the config).
 */
export async function replayActivity(
  config: GovernanceConfig, files: readonly string[], records: readonly LoadedRecord[],
  before: OrgEvaluator, after: OrgEvaluator, controls: ControlIds,
): Promise<ActivityReplay> {
  const calls = new Map<string, ReplayedCall>();
  const byReason: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  const skip = (r: LoadedRecord, reason: Skip) => {
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    const event = `${r.record.eventSource} ${r.record.eventName}`;
    byEvent[event] = (byEvent[event] ?? 0) + 1;
  };
  const known = new Set(config.accounts.map((a) => a.id));
  for (const r of records) {
    const mapped = await mapEvent(r.record);
    if (!mapped.mapped) {
      skip(r, mapped.reason);
      continue;
    }
    const principal = principalOf(r.record);
    const accountId = r.record.userIdentity.accountId ?? principal?.split(':')[4];
    if (!principal || !accountId) {
      skip(r, 'no principal');
      continue;
    }
    if (!known.has(accountId)) {
      skip(r, 'account not in the config');
      continue;
    }
    const call = { principal, accountId, action: mapped.action, resources: mapped.resources, region: r.record.awsRegion, context: mapped.context };
    const key = canonical(call);
    const existing = calls.get(key);
    if (existing) existing.eventIds.push(r.record.eventID);
    else calls.set(key, { ...call, eventIds: [r.record.eventID] });
  }

  const blocked: BlockedCall[] = [];
  for (const call of calls.values()) {
    const requests = call.resources.map((resource): OrgRequest => ({
      accountId: call.accountId,
      principalArn: call.principal,
      action: call.action,
      resource,
      resourceAccount: resource.split(':')[4] || call.accountId,
      context: call.context,
    }));
    if (sameAttachments(before, after, requests)) continue;
    const b = await outcome(before, requests, controls);
    if (!b.allowed) continue;
    const a = await outcome(after, requests, controls);
    if (!a.allowed) blocked.push({ ...call, deniedBy: a.deniedBy, controls: a.controls });
  }
  const total = Object.values(byReason).reduce((s, n) => s + n, 0);
  return {
    files: [...files],
    records: records.length,
    calls: calls.size,
    blocked,
    blockedRecords: blocked.reduce((s, c) => s + c.eventIds.length, 0),
    blockedPrincipals: new Set(blocked.map((c) => c.principal)).size,
    unmapped: { total, byReason, byEvent },
  };
}
