import { createHash } from 'node:crypto';
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseFactsDocument } from './facts-document';
import type { VerifyReport } from './finding';
import { renderMarkdown } from './render-markdown';
import { verify } from './verify';

/**
 * One daily verification (VER-1): the expected facts read from the archive, every fact read through the verifier
 * role of its account, the JSON and Markdown reports written back into the archive under Object Lock in compliance
 * mode, then the metrics `ControlsInDrift` and `AccountsUnreadable` put. The reports are written before the metrics,
 * so a metric datapoint means its report is in the archive; a run that fails before that (the facts unreadable, the
 * archive refusing the write, Lambda's timeout) puts no datapoint, which the alarms treat as breaching.
 */

/** The metric namespace of the daily verification. */
export const VERIFICATION_NAMESPACE = 'GenAIGovernance/Verification';
/** Distinct controls with at least one `drift` finding. */
export const CONTROLS_IN_DRIFT = 'ControlsInDrift';
/** Distinct accounts with at least one `unreadable` finding. */
export const ACCOUNTS_UNREADABLE = 'AccountsUnreadable';

export interface DailyRunOptions {
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  /** The archive bucket (facts and reports). */
  readonly bucket: string;
  /** Key of the expected facts. */
  readonly factsKey: string;
  /** Prefix of the reports (`verification/reports/`). */
  readonly reportPrefix: string;
  /** Object Lock retention of each report in compliance mode, days. */
  readonly retentionDays: number;
  /** Sessions (account × Region) read at once. */
  readonly concurrency: number;
  /** The run's time (reports are keyed by it). @default now */
  readonly now?: Date;
  /** Endpoint of every service the verifier reads (tests, `verify:local`). @default AWS's */
  readonly endpoint?: string;
}

export interface DailyRunResult {
  readonly report: VerifyReport;
  /** Keys written: the JSON report, then the Markdown report. */
  readonly keys: readonly string[];
  readonly controlsInDrift: number;
  readonly accountsUnreadable: number;
}

async function readFacts(options: DailyRunOptions): Promise<{ text: string; source: string }> {
  const answer = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: options.factsKey }));
  if (!answer.Body) throw new Error(`s3://${options.bucket}/${options.factsKey} has no body`);
  const text = await answer.Body.transformToString('utf8');
  return { text, source: `s3://${options.bucket}/${options.factsKey}${answer.VersionId ? `?versionId=${answer.VersionId}` : ''}` };
}

/** Runs one daily verification; throws (after writing nothing) when the facts cannot be read or parsed. */
export async function runDailyVerification(options: DailyRunOptions): Promise<DailyRunResult> {
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) throw new Error(`retentionDays must be a positive integer, not ${options.retentionDays}`);
  const now = options.now ?? new Date();
  const { text, source } = await readFacts(options);
  const facts = parseFactsDocument(text);
  const report = await verify(facts.facts, {
    assembly: source,
    homeRegion: facts.homeRegion,
    controlIds: facts.controlIds,
    concurrency: options.concurrency,
    endpoint: options.endpoint,
    sessionName: 'genai-governance-verify-daily',
  });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  const retainUntil = new Date(now.getTime() + options.retentionDays * 86_400_000);
  const bodies: [string, string, string][] = [
    [`${options.reportPrefix}${day}/verify-report-${stamp}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json'],
    [`${options.reportPrefix}${day}/verify-report-${stamp}.md`, renderMarkdown(report), 'text/markdown; charset=utf-8'],
  ];
  for (const [key, body, contentType] of bodies) {
    await options.s3.send(new PutObjectCommand({
      Bucket: options.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      // Object Lock refuses a PUT without an integrity checksum.
      ChecksumAlgorithm: 'SHA256',
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: retainUntil,
      Metadata: { 'facts-sha256': createHash('sha256').update(text).digest('hex') },
    }));
  }
  const controlsInDrift = new Set(report.findings.filter((f) => f.status === 'drift').map((f) => f.control)).size;
  const accountsUnreadable = new Set(report.findings.filter((f) => f.status === 'unreadable').map((f) => f.account)).size;
  await options.cloudwatch.send(new PutMetricDataCommand({
    Namespace: VERIFICATION_NAMESPACE,
    MetricData: [
      { MetricName: CONTROLS_IN_DRIFT, Value: controlsInDrift, Unit: 'Count', Timestamp: now },
      { MetricName: ACCOUNTS_UNREADABLE, Value: accountsUnreadable, Unit: 'Count', Timestamp: now },
    ],
  }));
  return { report, keys: bodies.map(([key]) => key), controlsInDrift, accountsUnreadable };
}
