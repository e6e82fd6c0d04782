import {
  AdminCreateUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient, CreateGroupCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { startMoto, type MotoServer } from '../../../../emulators/moto/moto-server';
import { allowedDomains, emailDomain, isAllowedEmail } from '../../../../workloads/support-chat/chat/handlers/lib/sign-up-domain';
import { postConfirmation, SIGN_UP_GROUP } from '../../../../workloads/support-chat/chat/handlers/post-confirmation';
import { preSignUp, REFUSED } from '../../../../workloads/support-chat/chat/handlers/pre-sign-up';

/* The self sign-up triggers: the pre sign-up trigger refuses other domains; the post confirmation trigger makes customers. */

const DOMAINS = ['example.com', 'shop.example.org'];
const POOL_ID = 'eu-central-1_AbCdEfGhI';

/** A pre sign-up event as Cognito sends it for SignUp (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html). */
function preSignUpEvent(email: string, triggerSource: PreSignUpTriggerEvent['triggerSource'] = 'PreSignUp_SignUp'): PreSignUpTriggerEvent {
  return {
    version: '1',
    region: 'eu-central-1',
    userPoolId: POOL_ID,
    userName: '3f1a3b5e-8b1c-4c6e-9a57-1f2d3e4c5b6a',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    triggerSource,
    request: { userAttributes: { email }, validationData: {}, clientMetadata: {} },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  } as PreSignUpTriggerEvent;
}

describe('pre sign-up: exact domain, case-insensitive', () => {
  test.each([
    'ana@example.com',
    'Ana.Maria+orders@EXAMPLE.COM',
    'bo@shop.example.org',
  ])('admits %s', (email) => {
    const event = preSignUpEvent(email);
    expect(preSignUp(event, DOMAINS)).toBe(event);
    expect(event.response).toEqual({ autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
  });

  test.each([
    ['a subdomain built on an allowed name', 'eve@evil.com.example.com'],
    ['an allowed name as a subdomain of another', 'eve@example.com.evil.com'],
    ['a subdomain of an allowed domain', 'eve@mail.example.com'],
    ['a parent of an allowed domain', 'eve@example.org'],
    ['a second "@"', 'user@example.com@evil.com'],
    ['a quoted local part with "@"', '"eve@example.com"@evil.com'],
    ['a trailing dot', 'eve@example.com.'],
    ['a trailing space', 'eve@example.com '],
    ['a look-alike suffix', 'eve@notexample.com'],
    ['no domain', 'eve@'],
    ['no local part', '@example.com'],
    ['no "@"', 'example.com'],
    ['an empty address', ''],
  ])('refuses %s (%s)', (_what, email) => {
    expect(() => preSignUp(preSignUpEvent(email), DOMAINS)).toThrow(REFUSED);
  });

  test('refuses a sign-up with no e-mail attribute', () => {
    const event = preSignUpEvent('x');
    event.request.userAttributes = {};
    expect(() => preSignUp(event, DOMAINS)).toThrow(REFUSED);
  });

  test('users an administrator creates and federated users are not its to refuse', () => {
    for (const source of ['PreSignUp_AdminCreateUser', 'PreSignUp_ExternalProvider'] as const) {
      const event = preSignUpEvent('agent@partner.net', source);
      expect(preSignUp(event, DOMAINS)).toBe(event);
    }
  });

  test('the domain check on its own', () => {
    expect(emailDomain('A@Example.COM')).toBe('example.com');
    expect(emailDomain(42)).toBeUndefined();
    expect(isAllowedEmail('a@example.com', DOMAINS)).toBe(true);
    expect(isAllowedEmail('a@example.co', DOMAINS)).toBe(false);
  });

  test.each([undefined, '', '[]', '"example.com"', '[1]', '[""]', 'not json'])('a malformed ALLOWED_EMAIL_DOMAINS (%p) admits nobody: it throws', (value) => {
    expect(() => allowedDomains({ ALLOWED_EMAIL_DOMAINS: value })).toThrow();
  });

  test('the environment list is read in lower case', () => {
    expect(allowedDomains({ ALLOWED_EMAIL_DOMAINS: '["Example.COM"]' })).toEqual(['example.com']);
  });
});

describe('post confirmation against moto\'s cognito-idp', () => {
  let moto: MotoServer;
  let cognito: CognitoIdentityProviderClient;
  let poolId: string;

  beforeAll(async () => {
    moto = await startMoto();
    cognito = new CognitoIdentityProviderClient({ endpoint: moto.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'support-chat' }))).UserPool!.Id!;
    for (const group of ['customer', 'agent', 'admin']) await cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
  }, 120_000);
  afterAll(async () => moto?.stop());

  /** A user in moto's pool and the post confirmation event Cognito would send for them. */
  async function confirmed(email: string, triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp'): Promise<PostConfirmationTriggerEvent> {
    const userName = `user-${Math.random().toString(36).slice(2)}`;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: userName, UserAttributes: [{ Name: 'email', Value: email }], MessageAction: 'SUPPRESS' }));
    return {
      version: '1',
      region: 'eu-central-1',
      userPoolId: poolId,
      userName,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
      triggerSource,
      request: { userAttributes: { 'sub': '3f1a3b5e-8b1c-4c6e-9a57-1f2d3e4c5b6a', email, 'email_verified': 'true', 'cognito:user_status': 'CONFIRMED' } },
      response: {},
    } as PostConfirmationTriggerEvent;
  }
  const groupsOf = async (userName: string) =>
    ((await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: userName }))).Groups ?? []).map((g) => g.GroupName);

  test('a confirmed sign-up of an allowed domain ends up in the customer group, and only there', async () => {
    const event = await confirmed('Ana@Example.com');
    expect(await postConfirmation(event, DOMAINS, cognito)).toBe(event);
    expect(await groupsOf(event.userName)).toEqual([SIGN_UP_GROUP]);
  });

  test('a retried confirmation leaves the user in the group once', async () => {
    const event = await confirmed('bo@shop.example.org');
    await postConfirmation(event, DOMAINS, cognito);
    await postConfirmation(event, DOMAINS, cognito);
    expect(await groupsOf(event.userName)).toEqual([SIGN_UP_GROUP]);
  });

  test('another domain, and a forgotten-password confirmation, change no group', async () => {
    const foreign = await confirmed('eve@evil.com.example.com');
    await postConfirmation(foreign, DOMAINS, cognito);
    expect(await groupsOf(foreign.userName)).toEqual([]);
    const reset = await confirmed('cy@example.com', 'PostConfirmation_ConfirmForgotPassword');
    await postConfirmation(reset, DOMAINS, cognito);
    expect(await groupsOf(reset.userName)).toEqual([]);
  });

  test('the entry points read the allowed domains from their environment; the post confirmation one with its module\'s client (endpoint from AWS_ENDPOINT_URL: moto)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      ALLOWED_EMAIL_DOMAINS: JSON.stringify(DOMAINS),
      AWS_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    try {
      let entries: { pre: typeof import('../../../../workloads/support-chat/chat/handlers/pre-sign-up'); post: typeof import('../../../../workloads/support-chat/chat/handlers/post-confirmation') } | undefined;
      // A fresh copy of each module, so the post confirmation client is created with this environment.
      jest.isolateModules(() => {
        entries = {
          pre: jest.requireActual('../../../../workloads/support-chat/chat/handlers/pre-sign-up'),
          post: jest.requireActual('../../../../workloads/support-chat/chat/handlers/post-confirmation'),
        };
      });
      await expect(entries!.pre.handler(preSignUpEvent('eve@example.com.evil.com'))).rejects.toThrow(REFUSED);
      const event = await confirmed('fay@shop.example.org');
      await entries!.post.handler(event);
      expect(await groupsOf(event.userName)).toEqual([SIGN_UP_GROUP]);
    } finally {
      process.env = saved;
    }
  });

  test('a user the pool does not have: the trigger throws (its error is the confirmation call\'s answer)', async () => {
    const event = await confirmed('dee@example.com');
    await expect(postConfirmation({ ...event, userName: 'nobody-here' }, DOMAINS, cognito)).rejects.toThrow(/not exist|not found/i);
  });
});
