import * as path from 'node:path';
import { invocationLogArchiveBucketName, trailArchiveBucketName } from '../../contracts/archive-names';
import { INVOCATION_LOG_KEY_PREFIX } from '../../contracts/invocation-logging-names';
import { archiveTables, projectionProperties, type ArchiveTable } from '../../dashboards/athena/tables';
import { exampleConfig } from '../support/example-config';
import { partitionOf as resolvePartition, renderLocation } from '../support/partition-projection';

// LF-1/ATH-1: the partition projection of each table resolves the folder of every object key AWS writes, and no other.

const config = exampleConfig();
const tables = new Map(archiveTables(config).map((t) => [t.name, t]));
const pad = (n: number) => String(n).padStart(2, '0');

/** Resolves an object's folder against the table's projection (test/support/partition-projection.ts). */
const partitionOf = (table: ArchiveTable, folder: string) => resolvePartition(projectionProperties(table), folder);

/** Renders the template with partition values: the folder Athena reads for them. */
const render = (table: ArchiveTable, values: Record<string, string>) => renderLocation(projectionProperties(table), values);

const accounts = config.accounts.map((a) => a.id);
const moments = [new Date(Date.UTC(2026, 0, 1, 0, 5)), new Date(Date.UTC(2026, 10, 23, 10, 15, 42, 123)), new Date(Date.UTC(2026, 11, 31, 23, 59))];

/** Keys as CloudTrail writes an organization trail's log files (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html). */
function trailKeys(): string[] {
  return accounts.flatMap((account) => ['eu-central-1', 'us-east-1', 'ap-southeast-2'].flatMap((region) => moments.map((t) => {
    const ymd = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
    const stamp = `${ymd.replace(/\//g, '')}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z`;
    return `AWSLogs/${config.organization.id}/${account}/CloudTrail/${region}/${ymd}/${account}_CloudTrail_${region}_${stamp}_a1B2c3D4e5F6g7H8.json.gz`;
  })));
}

/** Keys as Bedrock writes invocation logs under the member prefix, kept by replication (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html). */
function invocationKeys(): string[] {
  return accounts.flatMap((account) => config.organization.governedRegions.flatMap((region) => moments.map((t) => {
    const ymdh = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
    return `${INVOCATION_LOG_KEY_PREFIX}/AWSLogs/${account}/BedrockModelInvocationLogs/${region}/${ymdh}/20261123T101542123Z_0a1b2c3d4e5f6a7b.json.gz`;
  })));
}

describe('partition projection', () => {
  test.each([
    ['cloudtrail', trailArchiveBucketName(config), trailKeys()],
    ['invocation_logs', invocationLogArchiveBucketName(config), invocationKeys()],
    ['invocation_log_bodies', invocationLogArchiveBucketName(config), invocationKeys()],
  ])('%s: every key AWS writes resolves to a projected partition whose location is its folder', (name, bucket, keys) => {
    const table = tables.get(name)!;
    expect(keys.length).toBeGreaterThanOrEqual(15);
    for (const key of keys) {
      const folder = `s3://${bucket}/${path.posix.dirname(key)}`;
      const values = partitionOf(table, folder);
      expect([key, values !== undefined]).toEqual([key, true]);
      expect(render(table, values!)).toBe(folder);
    }
  });

  test('folders of other layouts do not resolve', () => {
    const trail = tables.get('cloudtrail')!;
    const invocations = tables.get('invocation_logs')!;
    const bucket = `s3://${trailArchiveBucketName(config)}`;
    // an account trail's layout (no organization id), an unlisted account, a day before the projected range
    expect(partitionOf(trail, `${bucket}/AWSLogs/741852096357/CloudTrail/eu-central-1/2026/11/23`)).toBeUndefined();
    expect(partitionOf(trail, `${bucket}/AWSLogs/${config.organization.id}/999988887777/CloudTrail/eu-central-1/2026/11/23`)).toBeUndefined();
    expect(partitionOf(trail, `${bucket}/AWSLogs/${config.organization.id}/741852096357/CloudTrail/eu-central-1/2025/12/31`)).toBeUndefined();
    // invocation logs without the hour, and from a Region that is not governed
    const logs = `s3://${invocationLogArchiveBucketName(config)}/${INVOCATION_LOG_KEY_PREFIX}/AWSLogs/741852096357/BedrockModelInvocationLogs`;
    expect(partitionOf(invocations, `${logs}/eu-central-1/2026/11/23`)).toBeUndefined();
    expect(partitionOf(invocations, `${logs}/us-east-1/2026/11/23/10`)).toBeUndefined();
  });

  test('the projection properties Athena reads', () => {
    expect(projectionProperties(tables.get('invocation_logs')!)).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy/MM/dd/HH',
      'projection.dt.range': '2026/01/01/00,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'HOURS',
      'projection.partition_region.values': 'eu-central-1,eu-west-1',
    });
    expect(projectionProperties(tables.get('cloudtrail')!)['projection.day.format']).toBe('yyyy/MM/dd');
  });
});
