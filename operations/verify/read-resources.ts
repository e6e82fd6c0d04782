import { paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { GetTableCommand } from '@aws-sdk/client-glue';
import { GetLFTagCommand } from '@aws-sdk/client-lakeformation';
import { GetObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';
import { projectionProperties } from './facts-analytics';
import { objectLock } from './facts-archive';
import { GOVERNANCE_ALARM_PREFIX } from '../../contracts/alert-bus';

/**
 * Reads of one account × Region's resources: a bucket's Object Lock, the governance alarms (one DescribeAlarms for
 * all of them), the contract's parameters (GetParameters, ten at a time), a table's projection, an LF-tag. A resource
 * that is not there is found as null (drift); any other error makes the fact unreadable.
 */

const NOT_FOUND = new Set(['NoSuchBucket', 'ObjectLockConfigurationNotFoundError', 'EntityNotFoundException']);

async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (NOT_FOUND.has((e as Error).name)) return null;
    throw e;
  }
}

export function readObjectLock(session: AccountSession, fact: Fact): Promise<unknown> {
  return orNull(async () => {
    const answer = await session.s3.send(new GetObjectLockConfigurationCommand({ Bucket: fact.subject }));
    return objectLock(answer.ObjectLockConfiguration as Parameters<typeof objectLock>[0]);
  });
}

export async function readAlarm(session: AccountSession, fact: Fact): Promise<unknown> {
  const alarms = await session.once('cloudwatch:DescribeAlarms', async () => {
    const types = new Map<string, string>();
    const pages = paginateDescribeAlarms({ client: session.cloudwatch },
      { AlarmNamePrefix: GOVERNANCE_ALARM_PREFIX, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    for await (const page of pages) {
      for (const a of page.MetricAlarms ?? []) if (a.AlarmName) types.set(a.AlarmName, 'MetricAlarm');
      for (const a of page.CompositeAlarms ?? []) if (a.AlarmName) types.set(a.AlarmName, 'CompositeAlarm');
    }
    return types;
  });
  const type = alarms.get(fact.subject);
  return type ? { AlarmType: type } : null;
}

/** GetParameters answers at most ten names a call: the session's contract facts' names are read in batches. */
export async function readContractParameter(session: AccountSession, fact: Fact, names: readonly string[]): Promise<unknown> {
  const types = await session.once('ssm:GetParameters', async () => {
    const found = new Map<string, string>();
    for (let i = 0; i < names.length; i += 10) {
      const answer = await session.ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
      for (const p of answer.Parameters ?? []) if (p.Name && p.Type) found.set(p.Name, p.Type);
    }
    return found;
  });
  const type = types.get(fact.subject);
  return type ? { Type: type } : null;
}

export function readTableProjection(session: AccountSession, fact: Fact): Promise<unknown> {
  const [database, table] = fact.subject.split('.');
  return orNull(async () => {
    const answer = await session.glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
    return projectionProperties(answer.Table?.Parameters);
  });
}

export function readLfTag(session: AccountSession, fact: Fact): Promise<unknown> {
  return orNull(async () => {
    const answer = await session.lakeformation.send(new GetLFTagCommand({ CatalogId: fact.account, TagKey: fact.subject }));
    return { TagValues: [...answer.TagValues ?? []].sort() };
  });
}
