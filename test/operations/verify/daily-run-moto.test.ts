import { StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { trailArchiveBucketName } from '../../../contracts/archive-names';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { readAssembly, type Assembly } from '../../../operations/verify/assembly';
import { ACCOUNTS_UNREADABLE, CONTROLS_IN_DRIFT, runDailyVerification, VERIFICATION_NAMESPACE, type DailyRunOptions } from '../../../operations/verify/daily-run';
import { factsDocument } from '../../../operations/verify/facts-of-assembly';
import { LOCAL_BASE_CREDENTIALS, seedClients, type SeedClients } from '../../../operations/verify/local/seed-clients';
import { seedEstate } from '../../../operations/verify/local/seed-estate';
import { renderMarkdown } from '../../../operations/verify/render-markdown';
import { EXPECTED_FACTS_KEY, VERIFICATION_REPORT_PREFIX } from '../../../policies/verifier-access';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';
import { FaultProxy } from '../../support/fault-proxy';

/*
 * The daily verification's core (operations/verify/daily-run.ts, what the audit account's function runs) against moto
 * seeded with the example estate as `verify:local` seeds it (one server for the file, seeded once): it reads the
 * published facts from the trail archive, reads the estate through the verifier role of each account, writes both
 * reports into the archive with an Object Lock retention and puts its two metrics. moto stores a retention but does not
 * enforce compliance mode, and it checks no bucket policy, IAM or SCP: these tests prove what the run writes and
 * reports, never that AWS keeps it immutable or admits the write (test/stacks/daily-verification.test.ts evaluates the
 * policies for that).
 */

const config = exampleConfig();
const logArchive = '402761958314';
const audit = '527038146692';
const management = '318274650913';
const home = config.organization.homeRegion;
const bucket = trailArchiveBucketName(config);
let moto: MotoServer;
let assembly: Assembly;
let archiveClients: SeedClients;
let auditClients: SeedClients;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = LOCAL_BASE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_BASE_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  assembly = readAssembly(exampleAssemblyDirectory());
  moto = await startMoto();
  await seedEstate(moto.endpoint, assembly, config);
  archiveClients = await seedClients(moto.endpoint, logArchive, home);
  auditClients = await seedClients(moto.endpoint, audit, home);
}, 180_000);

afterAll(async () => {
  archiveClients?.destroy();
  auditClients?.destroy();
  await moto?.stop();
  for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_SESSION_TOKEN', saved.token]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function publishFacts(body: string): Promise<void> {
  await archiveClients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: EXPECTED_FACTS_KEY, Body: body, ChecksumAlgorithm: 'SHA256' }));
}

function options(now: Date): DailyRunOptions {
  return {
    s3: archiveClients.s3,
    cloudwatch: auditClients.cloudwatch,
    bucket,
    factsKey: EXPECTED_FACTS_KEY,
    reportPrefix: VERIFICATION_REPORT_PREFIX,
    retentionDays: config.retention.objectLockDays,
    concurrency: 4,
    now,
    endpoint: moto.endpoint,
  };
}

async function reportKeys(): Promise<string[]> {
  const listed = await archiveClients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: VERIFICATION_REPORT_PREFIX }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function metricMaximum(name: string, now: Date): Promise<number[]> {
  const answer = await auditClients.cloudwatch.send(new GetMetricStatisticsCommand({
    Namespace: VERIFICATION_NAMESPACE,
    MetricName: name,
    Statistics: ['Maximum'],
    Period: 60,
    StartTime: new Date(now.getTime() - 60_000),
    EndTime: new Date(now.getTime() + 60_000),
  }));
  return (answer.Datapoints ?? []).map((d) => d.Maximum!);
}

describe('daily verification on moto (verify:local\'s seed)', () => {
  test('writes the JSON and Markdown reports into the trail archive with a compliance-mode retention of retention.objectLockDays '
    + '(moto stores the retention; it does not prove AWS enforces it) and puts ControlsInDrift 0 and AccountsUnreadable 0', async () => {
    const facts = factsDocument(assembly, config);
    await publishFacts(JSON.stringify(facts));
    const now = new Date(Date.UTC(2026, 11, 7, 5, 0, 0));
    const result = await runDailyVerification(options(now));

    expect(result.report.summary).toEqual({ pass: facts.facts.length, drift: 0, unreadable: 0 });
    expect(result.report.assembly).toMatch(new RegExp(`^s3://${bucket}/${EXPECTED_FACTS_KEY}\\?versionId=.+`));
    expect(result.keys).toEqual([
      `${VERIFICATION_REPORT_PREFIX}2026/12/07/verify-report-2026-12-07T05-00-00-000Z.json`,
      `${VERIFICATION_REPORT_PREFIX}2026/12/07/verify-report-2026-12-07T05-00-00-000Z.md`,
    ]);
    const json = await archiveClients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: result.keys[0] }));
    expect(JSON.parse(await json.Body!.transformToString())).toEqual(JSON.parse(JSON.stringify(result.report)));
    const markdown = await archiveClients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: result.keys[1] }));
    expect(await markdown.Body!.transformToString()).toBe(renderMarkdown(result.report));
    const retainUntil = new Date(now.getTime() + config.retention.objectLockDays * 86_400_000).toISOString();
    for (const key of result.keys) {
      // HeadObject's Object Lock headers (moto's GetObjectRetention answer is XML the SDK cannot parse).
      const head = await archiveClients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate?.toISOString()]).toEqual(['COMPLIANCE', retainUntil]);
    }
    expect([result.controlsInDrift, result.accountsUnreadable]).toEqual([0, 0]);
    expect(await metricMaximum(CONTROLS_IN_DRIFT, now)).toEqual([0]);
    expect(await metricMaximum(ACCOUNTS_UNREADABLE, now)).toEqual([0]);
  }, 120_000);

  test('a stopped trail is one control in drift, in the report and in ControlsInDrift', async () => {
    const trail = await seedClients(moto.endpoint, management, home);
    await trail.cloudtrail.send(new StopLoggingCommand({ Name: config.trail.name }));
    const now = new Date(Date.UTC(2026, 11, 8, 5, 0, 0));
    try {
      const result = await runDailyVerification(options(now));
      expect(result.report.findings.filter((f) => f.status !== 'pass').map((f) => [f.control, f.status, f.call]))
        .toEqual([['CT-1', 'drift', `cloudtrail:GetTrailStatus ${config.trail.name}`]]);
      expect([result.controlsInDrift, result.accountsUnreadable]).toEqual([1, 0]);
      expect(await metricMaximum(CONTROLS_IN_DRIFT, now)).toEqual([1]);
    } finally {
      await trail.cloudtrail.send(new StartLoggingCommand({ Name: config.trail.name }));
      trail.destroy();
    }
  }, 120_000);

  test.each([
    ['not JSON', '{"schema":'],
    ['another schema', JSON.stringify({ schema: 'genai-governance/verify-facts/v0', facts: [] })],
    ['a fact of a kind this verifier does not read', () => {
      const facts = factsDocument(assembly, config);
      return JSON.stringify({ ...facts, facts: [{ ...facts.facts[0], kind: 'guessed-kind' }] });
    }],
    ['a fact naming no account', () => {
      const facts = factsDocument(assembly, config);
      return JSON.stringify({ ...facts, facts: [{ ...facts.facts[0], account: 'management' }] });
    }],
  ])('facts that are %s: the run fails, writes no report and puts no metric', async (_, body) => {
    await publishFacts(typeof body === 'function' ? body() : body);
    const before = await reportKeys();
    const now = new Date(Date.UTC(2026, 11, 9, 5, 0, 0));
    await expect(runDailyVerification(options(now))).rejects.toThrow(/^expected facts: /);
    expect(await reportKeys()).toEqual(before);
    expect(await metricMaximum(CONTROLS_IN_DRIFT, now)).toEqual([]);
  });

  test.each([
    ['refuses the first report (503 on every attempt)', 1, []],
    ['accepts the JSON report and refuses the Markdown one', 2, ['json']],
  ])('an archive that %s: the run fails and puts no metric; what was written stays (the JSON report, the record, goes first)', async (_, forward, written) => {
    await publishFacts(JSON.stringify(factsDocument(assembly, config)));
    const proxy = new FaultProxy(moto.endpoint, { status: 503, errorType: 'ServiceUnavailable', message: 'Please reduce your request rate.' }, 0);
    await proxy.start();
    const viaProxy = await seedClients(proxy.endpoint, logArchive, home);
    const now = new Date(Date.UTC(2026, 11, 10 + forward, 5, 0, 0));
    try {
      // Forward the facts' GetObject (and the JSON report's PutObject), then refuse every request.
      proxy.failAfter(forward, Infinity);
      await expect(runDailyVerification({ ...options(now), s3: viaProxy.s3 })).rejects.toThrow();
      const day = `${VERIFICATION_REPORT_PREFIX}${now.toISOString().slice(0, 10).replace(/-/g, '/')}/`;
      expect((await reportKeys()).filter((k) => k.startsWith(day)).map((k) => k.split('.').pop())).toEqual(written);
      expect(await metricMaximum(CONTROLS_IN_DRIFT, now)).toEqual([]);
    } finally {
      viaProxy.destroy();
      await proxy.stop();
    }
  }, 120_000);
});
