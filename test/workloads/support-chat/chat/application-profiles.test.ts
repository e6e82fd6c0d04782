import { invokedModelId, parseApplicationProfiles } from '../../../../workloads/support-chat/chat/handlers/lib/application-profiles';
import { turnDependencies } from '../../../../workloads/support-chat/chat/handlers/turn-dependencies';

const SONNET = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';
const MICRO = 'eu.amazon.nova-micro-v1:0';
const ALLOWED = [MICRO, SONNET];
const ARN = 'arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile/a1b2c3d4e5f6';

describe('parseApplicationProfiles', () => {
  test('a map of allowed system profiles to application profile ARNs', () => {
    expect(parseApplicationProfiles(JSON.stringify({ [SONNET]: ARN }), ALLOWED)).toEqual({ [SONNET]: ARN });
    expect(parseApplicationProfiles('{}', ALLOWED)).toEqual({});
  });

  test.each([
    ['not JSON', '{', /must be JSON/],
    ['an array', JSON.stringify([ARN]), /JSON object/],
    ['null', 'null', /JSON object/],
    ['a profile that is not allowed', JSON.stringify({ 'us.amazon.nova-micro-v1:0': ARN }), /us\.amazon\.nova-micro-v1:0, which is not an allowed profile/],
    ['a system profile ARN as value', JSON.stringify({ [SONNET]: `arn:aws:bedrock:eu-central-1:111122223333:inference-profile/${SONNET}` }), /must map to an application inference profile ARN/],
    ['an id instead of an ARN', JSON.stringify({ [SONNET]: 'a1b2c3d4e5f6' }), /must map to an application inference profile ARN/],
    ['a number', JSON.stringify({ [SONNET]: 7 }), /not 7/],
    ['an account of eleven digits', JSON.stringify({ [SONNET]: ARN.replace('111122223333', '11112222333') }), /application inference profile ARN/],
    ['an unresolved token', JSON.stringify({ [SONNET]: '${Token[TOKEN.123]}' }), /application inference profile ARN/],
  ])('refuses %s', (_name, json, message) => {
    expect(() => parseApplicationProfiles(json, ALLOWED)).toThrow(message);
  });
});

describe('invokedModelId', () => {
  const profiles = { [SONNET]: ARN };

  test('the application profile of a wrapped system profile', () => {
    expect(invokedModelId(SONNET, profiles)).toBe(ARN);
  });

  test('the system profile itself when no application profile wraps it, or without a map', () => {
    expect(invokedModelId(MICRO, profiles)).toBe(MICRO);
    expect(invokedModelId(SONNET, undefined)).toBe(SONNET);
  });

  test('a name of Object.prototype is no application profile', () => {
    expect(invokedModelId('constructor', profiles)).toBe('constructor');
  });
});

describe('the turn function\'s application profiles from its environment (turnDependencies)', () => {
  const REGION = 'eu-central-1';
  const base = {
    TABLE_NAME: 'support-chat-conversations',
    TABLE_ARN: `arn:aws:dynamodb:${REGION}:111122223333:table/support-chat-conversations`,
    DATA_ROLE_ARN: 'arn:aws:iam::111122223333:role/support-chat-conversation-data',
    GUARDRAIL_ARN: `arn:aws:bedrock:${REGION}:111122223333:guardrail/profiles001`,
    GUARDRAIL_VERSION: '1',
    MODELS: JSON.stringify({ classifier: MICRO, fast: MICRO, capable: SONNET, fallback: [] }),
    ALLOWED_PROFILES: JSON.stringify(ALLOWED),
    LIMITS: '{}',
    RETENTION_DAYS: '90',
  };

  test('APPLICATION_PROFILES becomes the dependencies\' map; without it there is none', () => {
    const deps = turnDependencies({ ...base, APPLICATION_PROFILES: JSON.stringify({ [SONNET]: ARN }) }, REGION);
    expect(deps.applicationProfiles).toEqual({ [SONNET]: ARN });
    deps.bedrock.destroy();
    const without = turnDependencies(base, REGION);
    expect(without.applicationProfiles).toBeUndefined();
    without.bedrock.destroy();
  });

  test('a malformed map fails when the function starts', () => {
    expect(() => turnDependencies({ ...base, APPLICATION_PROFILES: JSON.stringify({ [SONNET]: 'arn:aws:bedrock:eu-central-1:111122223333:inference-profile/x' }) }, REGION))
      .toThrow(/application inference profile ARN/);
    expect(() => turnDependencies({ ...base, APPLICATION_PROFILES: JSON.stringify({ 'eu.amazon.nova-pro-v1:0': ARN }) }, REGION)).toThrow(/not an allowed profile/);
  });
});
