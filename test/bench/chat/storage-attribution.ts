import type { ClientTurn } from './clients-protocol';
import type { HttpCall } from './moto-requests';
import { dist } from './stats';

/**
 * The moto requests (`calls`, timed by `moto-requests.ts`) of each chat turn, as intervals: a request that names a user's
 * items belongs to that user's session's turn in flight (a session has one at a time); a tenant-counter request to the
 * turn whose user request ended last before it (the turn awaits its own counter, then sends the tenant's, with no I/O in
 * between: `turn-core.ts` reserve and settle).
 */
export function storageOfTurns(turns: readonly ClientTurn[], subs: ReadonlyMap<string, string>, calls: readonly HttpCall[]) {
  const conversationOf = new Map([...subs].map(([conversationId, sub]) => [sub, conversationId]));
  const byConversation = new Map<string, ClientTurn[]>();
  for (const t of turns) byConversation.set(t.conversationId, [...(byConversation.get(t.conversationId) ?? []), t]);
  const turnAt = (conversationId: string | undefined, atMs: number) =>
    byConversation.get(conversationId ?? '')?.find((t) => t.sentMs <= atMs && atMs <= (t.endMs ?? Infinity));
  const intervals = new Map<string, [number, number][]>();
  const add = (t: ClientTurn, c: HttpCall) => intervals.set(t.tag, [...(intervals.get(t.tag) ?? []), [c.startMs, c.endMs ?? t.endMs!]]);
  const userEnds: { endSeq: number; turn: ClientTurn }[] = [];
  for (const c of calls) {
    const turn = c.sub ? turnAt(conversationOf.get(c.sub), c.startMs) : undefined;
    if (!turn) continue;
    add(turn, c);
    if (c.endSeq !== undefined) userEnds.push({ endSeq: c.endSeq, turn });
  }
  userEnds.sort((a, b) => a.endSeq - b.endSeq);
  const runFrom = Math.min(...turns.map((t) => t.sentMs));
  const runTo = Math.max(...turns.map((t) => t.endMs ?? t.sentMs));
  let tenantCalls = 0;
  let tenantAttributed = 0;
  for (const c of calls.filter((call) => call.tenant && !call.sub)) {
    let lo = 0;
    let hi = userEnds.length - 1;
    let found: ClientTurn | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1; // eslint-disable-line no-bitwise
      if (userEnds[mid].endSeq < c.seq) {
        found = userEnds[mid].turn;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const inWindow = found && found.sentMs <= c.startMs && c.startMs <= (found.endMs ?? Infinity);
    if (c.startMs >= runFrom && c.startMs <= runTo) tenantCalls++;
    if (found && inWindow) {
      add(found, c);
      tenantAttributed++;
    }
  }
  const userCalls = calls.filter((c) => c.sub && turnAt(conversationOf.get(c.sub), c.startMs)).length;
  return { intervals, userCalls, tenantCalls, tenantAttributed, latencyMs: dist(calls.filter((c) => c.endMs).map((c) => c.endMs! - c.startMs)) };
}
