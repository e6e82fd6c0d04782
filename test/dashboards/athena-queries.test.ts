import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { namedQueries, type NamedQuery } from '../../dashboards/athena/named-queries';
import { archiveTables } from '../../dashboards/athena/tables';
import { LocalAthena } from '../support/athena-duckdb';
import { exampleConfig } from '../support/example-config';

// ATH-1: every named query runs, unchanged, against sample records shaped like AWS's documented CloudTrail and
// model-invocation-log examples, in tables built from the Glue definitions; each must return the rows the samples call for.

const config = exampleConfig();
const tables = new Map(archiveTables(config).map((t) => [t.name, t]));
const queries = new Map(namedQueries(config).map((q) => [q.name, q]));
const sample = (file: string) => JSON.parse(readFileSync(path.join(__dirname, 'samples', file), 'utf8')) as Record<string, any>[];

let athena: LocalAthena;
const run = (name: string) => athena.query(queries.get(name)!.sql);

beforeAll(async () => {
  athena = await LocalAthena.start();
  const day = (iso: string) => iso.slice(0, 10).replace(/-/g, '/');
  await athena.load(tables.get('cloudtrail')!, sample('cloudtrail.json'), (r) => ({ account: String(r.recipientAccountId), region: String(r.awsRegion), day: day(String(r.eventTime)) }));
  const invocations = sample('invocation-logs.json');
  const partition = (r: Record<string, any>) => ({ account: r.accountId, partition_region: r.region, dt: `${day(r.timestamp)}/${r.timestamp.slice(11, 13)}` });
  await athena.load(tables.get('invocation_logs')!, invocations, partition);
  await athena.load(tables.get('invocation_log_bodies')!, invocations, partition);
});

test('at least 10 queries, each with a title, the audit question it answers and the role that runs it', () => {
  expect(queries.size).toBeGreaterThanOrEqual(10);
  for (const q of queries.values()) expect([q.name, q.title.length > 5, q.question.endsWith('?')]).toEqual([q.name, true, true]);
});

test('denied Bedrock calls: the direct call and the out-of-Region call, newest first', async () => {
  const rows = await run('denied-bedrock-invocations');
  expect(rows.map((r) => [r.region, r.errorcode])).toEqual([['eu-central-1', 'AccessDenied'], ['us-east-1', 'AccessDeniedException'], ['eu-central-1', 'AccessDenied']]);
  expect(rows.map((r) => r.eventname)).toEqual(['DeleteModelInvocationLoggingConfiguration', 'Converse', 'InvokeModel']);
});

test('invocations and tokens by account, model and day', async () => {
  const rows = await run('invocations-by-account-model-day');
  expect(rows.map((r) => [r.account, String(r.model).split('/').pop(), r.day, Number(r.invocations), Number(r.input_tokens), Number(r.output_tokens)])).toEqual([
    ['741852096357', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', '2026-11-22', 1, 120, 30],
    ['741852096357', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', '2026-11-23', 1, 200, 0],
    ['853069217446', 'eu.amazon.nova-lite-v1:0', '2026-11-23', 2, 130, 20],
  ]);
});

test('Regions that served CRI calls: the inference Region of each successful call', async () => {
  const rows = await run('cri-serving-regions');
  expect(rows.map((r) => [r.source_region, r.inference_region, Number(r.calls)]).sort()).toEqual([
    ['eu-central-1', 'eu-west-3', 1], ['eu-west-1', 'eu-central-1', 1],
  ]);
});

test('guardrail interventions: the InvokeModel intervention and the Converse one, from the bodies', async () => {
  const rows = await run('guardrail-interventions');
  expect(rows.map((r) => r.requestid)).toEqual(['inv-3', 'inv-2']);
  expect(queries.get('guardrail-interventions')!.role).toBe('investigator');
});

test('guardrail changes: the platform role\'s update', async () => {
  expect((await run('guardrail-changes')).map((r) => [r.eventname, r.principal])).toEqual([
    ['UpdateGuardrail', 'arn:aws:sts::318274650913:assumed-role/governance-pipeline-deploy/deploy'],
  ]);
});

test('invocation-logging changes: the denied delete and the handler\'s put', async () => {
  expect((await run('invocation-logging-changes')).map((r) => [r.eventname, r.errorcode ?? null])).toEqual([
    ['DeleteModelInvocationLoggingConfiguration', 'AccessDenied'], ['PutModelInvocationLoggingConfiguration', null],
  ]);
});

test('trail changes: the denied StopLogging, with the trail it named', async () => {
  expect((await run('trail-changes')).map((r) => [r.eventname, r.trail, r.errorcode])).toEqual([
    ['StopLogging', 'arn:aws:cloudtrail:eu-central-1:318274650913:trail/genai-governance-organization-trail', 'AccessDenied'],
  ]);
});

test('Organizations policy changes: the update, not the read', async () => {
  expect((await run('organization-policy-changes')).map((r) => [r.eventname, r.policy])).toEqual([['UpdatePolicy', 'p-examplescp1']]);
});

test('Bedrock API-key attempts: the Bedrock credential, not the CodeCommit one', async () => {
  expect((await run('bedrock-api-key-attempts')).map((r) => [r.iam_user, r.errorcode])).toEqual([['bedrock-key-user', 'AccessDenied']]);
});

test('top principals by tokens', async () => {
  expect((await run('top-principals-by-tokens')).map((r) => [String(r.principal).split('/').pop(), Number(r.tokens), Number(r.invocations), Number(r.models)])).toEqual([
    ['chat', 350, 2, 1], ['dev', 150, 2, 1],
  ]);
});

test('root and break-glass activity: the root sign-in and the break-glass bucket-policy change', async () => {
  expect((await run('root-and-break-glass-activity')).map((r) => [r.identity_type, r.eventname])).toEqual([
    ['AssumedRole', 'PutBucketPolicy'], ['Root', 'ConsoleLogin'],
  ]);
  expect(queries.get('root-and-break-glass-activity')!.sql).toContain(`:role/${config.principals.breakGlassRoleName}'`);
});

test('a query that names a column the Glue table does not have fails, as in Athena', async () => {
  await expect(athena.query('SELECT promptbody FROM invocation_logs')).rejects.toThrow(/promptbody/);
});

test('every query is covered by a test above', () => {
  const source = readFileSync(__filename, 'utf8');
  const untested = [...queries.values()].filter((q: NamedQuery) => !source.includes(`run('${q.name}')`)).map((q) => q.name);
  expect(untested).toEqual([]);
});

test('the auditor guide names every saved query', () => {
  const section = readFileSync(path.join(__dirname, '..', '..', 'docs', 'auditor-guide.md'), 'utf8');
  expect([...queries.keys()].filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
});
