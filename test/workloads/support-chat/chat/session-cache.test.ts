import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { SessionCache } from '../../../../workloads/support-chat/chat/handlers/lib/session-cache';
import { DEFAULT_USER_SESSIONS, turnDependencies } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';

/*
 * The turn's per-user sessions (assumed-role credentials and the DynamoDB client made with them) are kept in a bounded
 * LRU cache: at most `maxEntries`, the least recently used evicted (and its client destroyed), and none used within
 * `refreshMarginMs` of its credentials' expiry.
 */

describe('SessionCache', () => {
  let clock = 1_000_000;
  const closed: string[] = [];
  const cache = (maxEntries = 2) => new SessionCache<string>({
    maxEntries, refreshMarginMs: 300_000, now: () => clock, dispose: (value) => closed.push(value),
  });

  beforeEach(() => {
    closed.length = 0;
  });

  test('keeps at most maxEntries, evicting the least recently used and disposing of it', () => {
    const c = cache(2);
    c.set('a', 'A', clock + 900_000);
    c.set('b', 'B', clock + 900_000);
    expect(c.get('a')).toBe('A'); // a is now the most recently used
    c.set('c', 'C', clock + 900_000);
    expect(c.size).toBe(2);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('A');
    expect(c.get('c')).toBe('C');
    expect(closed).toEqual(['B']);
  });

  test('an entry within the refresh margin of its expiry is gone (and disposed of), not served', () => {
    const c = cache(5);
    c.set('a', 'A', clock + 900_000);
    clock += 600_000 - 1;
    expect(c.get('a')).toBe('A');
    clock += 1;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
    expect(closed).toEqual(['A']);
  });

  test('setting a key again replaces and disposes of the old value', () => {
    const c = cache(5);
    c.set('a', 'A1', clock + 900_000);
    c.set('a', 'A2', clock + 900_000);
    expect(c.get('a')).toBe('A2');
    expect(closed).toEqual(['A1']);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(() => cache(maxEntries)).toThrow(/maxEntries/);
  });
});

describe('the turn\'s sessions through turnDependencies, AssumeRole on moto', () => {
  let moto: MotoServer;
  const users = ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7', '16fd2706-8baf-433b-82eb-8c7fada847da'];
  const env = (sessions?: string) => ({
    TABLE_NAME: 't',
    TABLE_ARN: 'arn:aws:dynamodb:eu-central-1:123456789012:table/t',
    DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/d',
    STS_ENDPOINT: moto.endpoint,
    GUARDRAIL_ARN: 'arn:aws:bedrock:eu-central-1:123456789012:guardrail/g',
    GUARDRAIL_VERSION: '1',
    RETENTION_DAYS: '90',
    MODELS: JSON.stringify({ classifier: 'eu.a', fast: 'eu.a', capable: 'eu.b', fallback: [] }),
    ALLOWED_PROFILES: JSON.stringify(['eu.a', 'eu.b']),
    LIMITS: JSON.stringify({}),
    ...(sessions === undefined ? {} : { USER_SESSIONS_CACHED: sessions }),
  });

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    await new STSClient({ region: 'eu-central-1', endpoint: moto.endpoint }).send(new GetCallerIdentityCommand({}));
  });

  afterAll(async () => moto?.stop());

  test('USER_SESSIONS_CACHED bounds the users kept: the least recently used user assumes the role again', async () => {
    const deps = turnDependencies(env('2'), 'eu-central-1');
    const [a1, b1] = [await deps.forUser(users[0]), await deps.forUser(users[1])];
    expect(await deps.forUser(users[0])).toBe(a1);
    const c1 = await deps.forUser(users[2]);
    expect(await deps.forUser(users[0])).toBe(a1);
    expect(await deps.forUser(users[2])).toBe(c1);
    expect(await deps.forUser(users[1])).not.toBe(b1);
    deps.bedrock.destroy();
  });

  test('the default bound, and a bad value refused at start', () => {
    expect(DEFAULT_USER_SESSIONS).toBeGreaterThan(0);
    expect(() => turnDependencies(env('0'), 'eu-central-1')).toThrow(/USER_SESSIONS_CACHED/);
    expect(() => turnDependencies(env('many'), 'eu-central-1')).toThrow(/USER_SESSIONS_CACHED/);
  });
});
