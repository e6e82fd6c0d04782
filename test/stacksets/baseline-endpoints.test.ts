import { Match } from 'aws-cdk-lib/assertions';
import { foundationModelArn } from '../../policies/arns';
import { runtimeEndpointPolicy, organizationOnlyEndpointPolicy } from '../../policies/vpc-endpoint-policy';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { lintPolicy } from '../support/iam-lint';
import { OrgSimulator } from '../support/org-simulator';

describe('BL-VPCE-1: Bedrock interface endpoints in a private VPC', () => {
  const config = exampleConfig();
  const member = exampleEstate().baseline.regional.template;
  const resources = member.toJSON().Resources as Record<string, any>;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties);

  test('the VPC has no way out: no internet or NAT gateway, no route beyond the VPC, no public IPs', () => {
    expect(ofType('AWS::EC2::InternetGateway')).toEqual([]);
    expect(ofType('AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType('AWS::EC2::Route')).toEqual([]);
    expect(ofType('AWS::EC2::Subnet').map((s) => s.MapPublicIpOnLaunch)).toEqual([false, false]);
    member.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.baseline.network.vpcCidr, EnableDnsHostnames: true, EnableDnsSupport: true });
  });

  test('bedrock, bedrock-runtime and bedrock-agent-runtime endpoints with private DNS', () => {
    expect(ofType('AWS::EC2::VPCEndpoint').map((e) => [e.ServiceName['Fn::Join'][1].at(-1), e.VpcEndpointType, e.PrivateDnsEnabled])).toEqual([
      ['.bedrock', 'Interface', true], ['.bedrock-runtime', 'Interface', true], ['.bedrock-agent-runtime', 'Interface', true],
    ]);
  });

  test('the endpoint security group admits only the VPC on 443 and sends nothing outside it', () => {
    const cidr = config.baseline.network.vpcCidr;
    member.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: cidr })],
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: cidr })],
    });
  });

  test('flow logs of all traffic go to an encrypted log group with the configured retention', () => {
    member.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    member.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.retention.logGroupRetentionDays, KmsKeyId: Match.anyValue() });
  });

  test('the runtime endpoint admits only the organization, and only the approved profiles and models', () => {
    const runtime = ofType('AWS::EC2::VPCEndpoint').find((e) => e.ServiceName['Fn::Join'][1].at(-1) === '.bedrock-runtime')!;
    const statements = runtime.PolicyDocument.Statement;
    expect(statements.every((s: any) => s.Condition.StringEquals['aws:PrincipalOrgID'] === config.organization.id)).toBe(true);
    const text = JSON.stringify(statements[0].Resource);
    for (const m of config.bedrock.approvedModels) expect(text).toContain(m.modelId);
    expect(text).not.toContain('claude-3-7');
  });

  describe('a call through the account\'s application inference profile arrives through the runtime endpoint (ADR 35)', () => {
    const prod = config.accounts.find((a) => a.name === 'support-chat-prod')!.id;
    const management = config.accounts.find((a) => a.name === config.topology.management)!.id;
    const simulator = new OrgSimulator(exampleEstate().assembly, config);
    const vpcEndpointPolicy = runtimeEndpointPolicy(config, prod, management);
    const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
    const own = `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/a1b2c3d4e5f6`;
    const through = (resource: string, context: Record<string, string> = {}, resourceAccount = prod) => simulator.evaluate({
      account: 'support-chat-prod',
      role: 'support-chat-app',
      action: 'bedrock:InvokeModelWithResponseStream',
      resource,
      resourceAccount,
      vpcEndpointPolicy,
      context: { 'aws:SourceVpce': 'vpce-0b1c2d3e4f5a60718', ...context },
    });

    test('allowed on the profile and on the model in a destination Region', async () => {
      expect(await through(own)).toEqual({ result: 'Allowed', deniedBy: [] });
      expect(await through(foundationModelArn('eu-west-3', SONNET), { 'bedrock:InferenceProfileArn': own })).toEqual({ result: 'Allowed', deniedBy: [] });
    });

    test('denied on another account\'s application profile', async () => {
      const foreign = `arn:aws:bedrock:eu-central-1:${management}:application-inference-profile/a1b2c3d4e5f6`;
      expect((await through(foreign, {}, management)).result).not.toBe('Allowed');
    });
  });

  test('the endpoint policies use real actions and keys', async () => {
    expect(await lintPolicy(runtimeEndpointPolicy(config, '741852096357', '318274650913'))).toEqual([]);
    expect(await lintPolicy(organizationOnlyEndpointPolicy(config, 'bedrock'))).toEqual([]);
  });

  test('every endpoint, the VPC and its subnets carry the governance tag', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroup']) {
      expect([type, Object.keys(member.findResources(type)).length > 0]).toEqual([type, true]);
      for (const r of Object.values(member.findResources(type)) as any[]) {
        expect([type, r.Properties.Tags]).toEqual([type, expect.arrayContaining([{ Key: 'genai-governance:managed', Value: 'true' }])]);
      }
    }
  });
});

describe('BL-VPCE-1 in an existing VPC named by SSM parameters (baseline.network.existingVpc)', () => {
  const base = exampleConfig();
  const config = {
    ...base,
    baseline: { ...base.baseline, network: { ...base.baseline.network, existingVpc: { vpcIdParameter: '/platform/network/vpc-id', subnetIdsParameter: '/platform/network/private-subnets', vpcCidrParameter: '/platform/network/cidr' } } },
  };
  const { built, synthesized } = synthVariant((app) => STACK_RECIPES.baseline(app, config));
  const member = synthesized(built.regional).template.toJSON();
  const parameters = member.Parameters as Record<string, { Type: string; Default: string }>;
  const idOf = (name: string) => Object.entries(parameters).find(([, p]) => p.Default === name)![0];
  const resources = Object.values(member.Resources as Record<string, any>);

  test('creates no VPC, subnets, routes or flow logs of its own', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::FlowLog']) {
      expect([type, resources.filter((r) => r.Type === type)]).toEqual([type, []]);
    }
  });

  test('reads the VPC, subnets and CIDR from SSM-typed parameters that CloudFormation resolves in each account', () => {
    expect(parameters[idOf('/platform/network/vpc-id')].Type).toBe('AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>');
    expect(parameters[idOf('/platform/network/private-subnets')].Type).toBe('AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>');
    expect(parameters[idOf('/platform/network/cidr')].Type).toBe('AWS::SSM::Parameter::Value<String>');
    const endpoints = resources.filter((r) => r.Type === 'AWS::EC2::VPCEndpoint').map((r) => r.Properties);
    expect(endpoints).toHaveLength(3);
    for (const e of endpoints) {
      expect(e).toMatchObject({ VpcId: { Ref: idOf('/platform/network/vpc-id') }, SubnetIds: { Ref: idOf('/platform/network/private-subnets') }, PrivateDnsEnabled: true });
    }
    const group = resources.find((r) => r.Type === 'AWS::EC2::SecurityGroup').Properties;
    expect(group.SecurityGroupIngress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, CidrIp: { Ref: idOf('/platform/network/cidr') } })]);
    expect(group.VpcId).toEqual({ Ref: idOf('/platform/network/vpc-id') });
  });
});
