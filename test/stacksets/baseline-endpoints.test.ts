import { Match, Template } from 'aws-cdk-lib/assertions';
import { runtimeEndpointPolicy, organizationOnlyEndpointPolicy } from '../../policies/vpc-endpoint-policy';
import { synthEstate } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { lintPolicy } from '../support/iam-lint';

describe('BL-VPCE-1: Bedrock interface endpoints in a private VPC', () => {
  const config = exampleConfig();
  const member = Template.fromStack(synthEstate(config).estate.baseline.regional);
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

  test('the endpoint policies use real actions and keys', async () => {
    expect(await lintPolicy(runtimeEndpointPolicy(config, '741852096357', '318274650913'))).toEqual([]);
    expect(await lintPolicy(organizationOnlyEndpointPolicy(config, 'bedrock'))).toEqual([]);
  });

  test('every endpoint, the VPC and its subnets carry the governance tag', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroup']) {
      for (const r of Object.values(member.findResources(type)) as any[]) {
        expect([type, r.Properties.Tags]).toEqual([type, expect.arrayContaining([{ Key: 'genai-governance:managed', Value: 'true' }])]);
      }
    }
  });
});
