import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectionProperties } from '../../../../dashboards/athena/tables';
import { ANALYTICS_QUERIES } from '../../../../workloads/support-chat/analytics/athena/analytics-queries';
import { analyticsTables } from '../../../../workloads/support-chat/analytics/athena/analytics-tables';
import { conversationRecord } from '../../../../workloads/support-chat/analytics/handlers/lib/conversation-record';
import { LocalAthena } from '../../../support/athena-duckdb';
import { partitionOf, renderLocation } from '../../../support/partition-projection';

// The support manager's saved queries, unchanged, in DuckDB (the local stand-in for Athena) over tables built from the
// Glue definitions and loaded with sample exports; each asserts the values the samples call for.

const BUCKET = 'support-chat-analytics-example';
const tables = new Map(analyticsTables(BUCKET).map((t) => [t.name, t]));
const queries = new Map(ANALYTICS_QUERIES.map((q) => [q.name, q]));
const sample = (file: string) => JSON.parse(readFileSync(path.join(__dirname, 'samples', file), 'utf8')) as Record<string, any>[];

let athena: LocalAthena;
const run = async (name: string) => (await athena.query(queries.get(name)!.sql)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));

beforeAll(async () => {
  athena = await LocalAthena.start();
  const conversations = sample('conversations.json');
  const dayOf = new Map(conversations.map((c) => [c.conversation_id, String(c.started_at).slice(0, 10)]));
  await athena.load(tables.get('conversations')!, conversations, (r) => ({ date: String(r.started_at).slice(0, 10) }));
  await athena.load(tables.get('conversation_turns')!, sample('conversation-turns.json'), (r) => ({ date: dayOf.get(r.conversation_id)! }));
});

test('resolution rate by day', async () => {
  expect(await run('resolution-rate')).toEqual([
    { date: '2026-12-01', conversations: 5, resolved: 3, resolution_rate_pct: 60 },
    { date: '2026-12-02', conversations: 3, resolved: 1, resolution_rate_pct: 33.3 },
  ]);
});

test('escalation rate by day, and the reasons with their shares', async () => {
  expect((await run('escalation-rate')).map((r) => [r.date, r.escalated, r.escalation_rate_pct])).toEqual([['2026-12-01', 1, 20], ['2026-12-02', 2, 66.7]]);
  expect(await run('escalation-reasons')).toEqual([
    { reason: 'human_requested', conversations: 2, share_pct: 66.7 }, { reason: 'legal_threat', conversations: 1, share_pct: 33.3 },
  ]);
});

test('cost per conversation by day: the costed conversations only', async () => {
  expect(await run('cost-per-conversation')).toEqual([
    { date: '2026-12-01', costed_conversations: 4, average_usd: 0.02125, max_usd: 0.04, total_usd: 0.085 },
    { date: '2026-12-02', costed_conversations: 3, average_usd: 0.035, max_usd: 0.05, total_usd: 0.105 },
  ]);
});

test('CSAT by language: ratings, average and the share of 4 and 5; unrated conversations (fr) are not counted', async () => {
  expect(await run('csat-by-language')).toEqual([
    { language: 'de', ratings: 2, average_score: 3.5, satisfied_pct: 50 },
    { language: 'en', ratings: 3, average_score: 4, satisfied_pct: 66.7 },
    { language: 'es', ratings: 1, average_score: 1, satisfied_pct: 0 },
  ]);
});

test('top topics: knowledge categories and tools, by conversations', async () => {
  expect((await run('top-topics')).map((r) => [r.topic, r.conversations])).toEqual([['policies', 3], ['shipping', 3], ['get_order_status', 2], ['products', 1]]);
});

test('first-token time by answering profile, answers without one left out', async () => {
  expect((await run('first-token-by-profile')).map((r) => [String(r.profile).split('.')[2], r.answers, r.average_ms, r.min_ms, r.max_ms])).toEqual([
    ['claude-haiku-4-5-20251001-v1:0', 3, 217, 180, 250], ['claude-sonnet-4-5-20250929-v1:0', 2, 750, 650, 850],
  ]);
});

test('a query that names a column the Glue table does not have fails, as in Athena (no text column exists)', async () => {
  await expect(athena.query('SELECT text FROM conversations')).rejects.toThrow(/text/);
});

test('every query is covered by a test above', () => {
  const source = readFileSync(__filename, 'utf8');
  expect([...queries.keys()].filter((name) => !source.includes(`run('${name}')`))).toEqual([]);
});

test('the export writes exactly the tables\' columns, and its keys are where the projection reads', () => {
  const built = conversationRecord('c1', 'f'.repeat(64), [
    { sk: 'CONV#c1#MSG#0001764579600000#m1#u', role: 'user', createdAt: 1_764_579_600_000, messageId: 'm1', language: 'en' },
    { sk: 'CONV#c1#MSG#0001764579601000#m1#a', role: 'assistant', createdAt: 1_764_579_601_000, messageId: 'm1', firstTokenMs: 210, profile: 'eu.x' },
  ])!;
  expect(Object.keys(built.conversation).sort()).toEqual(tables.get('conversations')!.columns.map((c) => c.name).sort());
  expect(Object.keys(built.turns[0]).sort()).toEqual(tables.get('conversation_turns')!.columns.map((c) => c.name).sort());
  expect(built.turns[0]).toMatchObject({ first_token_ms: 210, profile: 'eu.x' });
  const properties = projectionProperties(tables.get('conversations')!);
  expect(partitionOf(properties, `s3://${BUCKET}/conversations/date=2026-12-01/`)).toEqual({ date: '2026-12-01' });
  expect(renderLocation(properties, { date: '2026-12-01' })).toBe(`s3://${BUCKET}/conversations/date=2026-12-01/`);
  expect(partitionOf(properties, `s3://${BUCKET}/conversations/date=2025-12-31/`)).toBeUndefined();
});
