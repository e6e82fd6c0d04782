import { GetEventSelectorsCommand, GetTrailCommand, GetTrailStatusCommand, TrailNotFoundException } from '@aws-sdk/client-cloudtrail';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';
import { normalizeSelectors, trailSettings, type EventSelector } from './facts-trail';

/** Reads a trail's settings, status and advanced event selectors; a trail that is not there is found as null. */

async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof TrailNotFoundException || (e as Error).name === 'TrailNotFoundException') return null;
    throw e;
  }
}

export function readTrailSettings(session: AccountSession, fact: Fact): Promise<unknown> {
  return orNull(async () => {
    const { Trail } = await session.cloudtrail.send(new GetTrailCommand({ Name: fact.subject }));
    return Trail ? trailSettings(Trail as Record<string, unknown>) : null;
  });
}

export function readTrailLogging(session: AccountSession, fact: Fact): Promise<unknown> {
  return orNull(async () => {
    const status = await session.cloudtrail.send(new GetTrailStatusCommand({ Name: fact.subject }));
    return { IsLogging: status.IsLogging === true };
  });
}

export function readTrailSelectors(session: AccountSession, fact: Fact): Promise<unknown> {
  return orNull(async () => {
    const answer = await session.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: fact.subject }));
    return normalizeSelectors((answer.AdvancedEventSelectors ?? []) as unknown as EventSelector[]);
  });
}
