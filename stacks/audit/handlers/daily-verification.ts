/**
 * VER-1 scheduled handler, in the audit account and home Region: the daily live verification
 * (`operations/verify/daily-run.ts`). It reads the expected facts from the trail archive (`FACTS_KEY` in
 * `ARCHIVE_BUCKET`, the latest version), assumes the verifier role in every account the facts name with this
 * function's role, writes the JSON and Markdown reports under `REPORT_PREFIX` with an Object Lock retention of
 * `RETENTION_DAYS` in compliance mode, and puts `ControlsInDrift` and `AccountsUnreadable`. One JSON log line says what
 * the run found and where the reports are; a run that cannot read the facts or write the reports fails (and puts no
 * metric, which the alarms treat as breaching).
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime, shipped as a code asset.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { queryProtocolCloudWatchClient } from '../../../operations/verify/cloudwatch-client';
import { runDailyVerification } from '../../../operations/verify/daily-run';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export async function handler(): Promise<{ controlsInDrift: number; accountsUnreadable: number; keys: readonly string[] }> {
  const region = required('AWS_REGION');
  const s3 = new S3Client({ region });
  const cloudwatch = queryProtocolCloudWatchClient({ region });
  try {
    const result = await runDailyVerification({
      s3,
      cloudwatch,
      bucket: required('ARCHIVE_BUCKET'),
      factsKey: required('FACTS_KEY'),
      reportPrefix: required('REPORT_PREFIX'),
      retentionDays: Number(required('RETENTION_DAYS')),
      concurrency: Number(required('CONCURRENCY')),
    });
    const { controlsInDrift, accountsUnreadable, keys } = result;
    console.log(JSON.stringify({ summary: result.report.summary, controlsInDrift, accountsUnreadable, keys }));
    return { controlsInDrift, accountsUnreadable, keys };
  } finally {
    s3.destroy();
    cloudwatch.destroy();
  }
}
