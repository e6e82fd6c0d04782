import type { Template } from 'aws-cdk-lib/assertions';
import { GovernanceConfigSchema, type GovernanceConfig } from '../../../../config/schema';
import { STACK_RECIPES } from '../../../../stacks/estate';
import { synthOne } from '../../../support/estate';
import { exampleConfig } from '../../../support/example-config';
import { exampleEstate } from '../../../support/example-estate';

/* Self sign-up limited to e-mail domains: the config option, and the tenant's stack with it on (every gate on). */

const DOMAINS = ['example.com', 'shop.example.org'];

/** The example config's tenant, with `identity` replaced. */
function withIdentity(identity: unknown): unknown {
  const config = structuredClone(exampleConfig()) as any;
  config.workloads.supportChat.identity = identity;
  return config;
}

describe('config: workloads.supportChat.identity.selfSignUp', () => {
  test('left out, self sign-up is off', () => {
    expect(exampleConfig().workloads.supportChat?.identity.selfSignUp).toBeUndefined();
    expect((GovernanceConfigSchema.parse(withIdentity(undefined)) as GovernanceConfig).workloads.supportChat?.identity).toEqual({});
  });

  test('on with an allow-list of domains', () => {
    const parsed = GovernanceConfigSchema.parse(withIdentity({ selfSignUp: { allowedEmailDomains: DOMAINS } }));
    expect(parsed.workloads.supportChat?.identity.selfSignUp?.allowedEmailDomains).toEqual(DOMAINS);
  });

  test.each([
    ['an empty list', { selfSignUp: { allowedEmailDomains: [] } }],
    ['no list', { selfSignUp: {} }],
    ['an address, not a domain', { selfSignUp: { allowedEmailDomains: ['ana@example.com'] } }],
    ['a trailing dot', { selfSignUp: { allowedEmailDomains: ['example.com.'] } }],
    ['upper case', { selfSignUp: { allowedEmailDomains: ['Example.com'] } }],
    ['a single label', { selfSignUp: { allowedEmailDomains: ['localhost'] } }],
    ['a wildcard', { selfSignUp: { allowedEmailDomains: ['*.example.com'] } }],
    ['a leading dot', { selfSignUp: { allowedEmailDomains: ['.example.com'] } }],
    ['a domain twice', { selfSignUp: { allowedEmailDomains: ['example.com', 'example.com'] } }],
    ['an unknown key', { selfSignUp: { allowedEmailDomains: DOMAINS, autoConfirm: true } }],
    ['an unknown key of identity', { signUp: true }],
  ])('refuses %s', (_what, identity) => {
    expect(GovernanceConfigSchema.safeParse(withIdentity(identity)).success).toBe(false);
  });
});

describe('the tenant\'s user pool with self sign-up on', () => {
  const config = GovernanceConfigSchema.parse(withIdentity({ selfSignUp: { allowedEmailDomains: DOMAINS } }));
  const region = config.workloads.supportChat!.regions[0];
  // Synthesized with every gate on: a finding would throw here.
  const template: Template = synthOne((app) => STACK_RECIPES.supportChat(app, config, region));
  const [pool] = Object.values(template.findResources('AWS::Cognito::UserPool')) as any[];
  const functions = template.findResources('AWS::Lambda::Function');
  const idOf = (name: string) => Object.entries(functions).find(([, f]) => (f as any).Properties.FunctionName === name)![0];

  test('visitors may sign up, and the triggers are the tenant\'s two functions', () => {
    expect(pool.Properties.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: false });
    expect(pool.Properties.LambdaConfig).toEqual({
      PreSignUp: { 'Fn::GetAtt': [idOf('support-chat-pre-sign-up'), 'Arn'] },
      PostConfirmation: { 'Fn::GetAtt': [idOf('support-chat-post-confirmation'), 'Arn'] },
    });
  });

  test('both functions have the allowed domains in their environment', () => {
    for (const name of ['support-chat-pre-sign-up', 'support-chat-post-confirmation']) {
      expect((functions[idOf(name)] as any).Properties.Environment.Variables.ALLOWED_EMAIL_DOMAINS).toBe(JSON.stringify(DOMAINS));
    }
  });

  test('only Cognito, for this pool, may invoke them', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as any[];
    for (const name of ['support-chat-pre-sign-up', 'support-chat-post-confirmation']) {
      const mine = permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(idOf(name)));
      expect(mine).toHaveLength(1);
      expect(mine[0].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'cognito-idp.amazonaws.com' });
      expect(JSON.stringify(mine[0].Properties.SourceArn)).toContain(Object.keys(template.findResources('AWS::Cognito::UserPool'))[0]);
    }
  });

  test('the post confirmation role may add users to groups of this pool and nothing else of Cognito; the pre sign-up role has no Cognito permission', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const poolId = Object.keys(template.findResources('AWS::Cognito::UserPool'))[0];
    const cognitoStatements = policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('cognito-idp:')))
      .map((s) => ({ policy: p.Properties.ManagedPolicyName, statement: s })));
    expect(cognitoStatements).toHaveLength(1);
    expect(cognitoStatements[0].statement).toEqual({
      Sid: 'AddUsersOfThisPoolToGroups', Effect: 'Allow', Action: 'cognito-idp:AdminAddUserToGroup', Resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
    const addToGroup = policies.find((p) => p.Properties.ManagedPolicyName === cognitoStatements[0].policy);
    const postRole = (functions[idOf('support-chat-post-confirmation')] as any).Properties.Role['Fn::GetAtt'][0];
    const preRole = (functions[idOf('support-chat-pre-sign-up')] as any).Properties.Role['Fn::GetAtt'][0];
    expect(addToGroup.Properties.Roles).toEqual([{ Ref: postRole }]);
    expect(preRole).not.toBe(postRole);
  });
});

describe('with self sign-up left out (the example estate)', () => {
  test('no pool has a trigger and no sign-up function exists', () => {
    const stacks = exampleEstate().supportChat;
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) {
      for (const pool of Object.values(s.template.findResources('AWS::Cognito::UserPool')) as any[]) expect(pool.Properties.LambdaConfig).toBeUndefined();
      const names = (Object.values(s.template.findResources('AWS::Lambda::Function')) as any[]).map((f) => f.Properties.FunctionName);
      expect(names).not.toContain('support-chat-pre-sign-up');
      expect(names).not.toContain('support-chat-post-confirmation');
    }
  });
});
