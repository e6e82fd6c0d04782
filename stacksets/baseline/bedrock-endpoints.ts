import { Aws, Fn, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  CfnFlowLog, CfnRouteTable, CfnSecurityGroup, CfnSubnet, CfnSubnetRouteTableAssociation, CfnVPC, CfnVPCEndpoint,
} from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../../policies/governance-principals';
import { organizationOnlyEndpointPolicy, runtimeEndpointPolicy } from '../../policies/vpc-endpoint-policy';
import { acknowledgeFinding } from '../../stacks/gates/acknowledge';

export interface BedrockEndpointsProps {
  readonly config: GovernanceConfig;
  /** Encrypts the VPC flow-log group. */
  readonly logKey: Key;
}

/** Bedrock interface endpoints every member gets, and the IAM service prefix their policies speak. */
const ENDPOINTS: Record<string, string> = {
  'bedrock': 'bedrock', 'bedrock-runtime': 'bedrock', 'bedrock-agent-runtime': 'bedrock', 'bedrock-agent': 'bedrock', 'bedrock-mantle': 'bedrock-mantle',
};

/**
 * BL-VPCE-1: a private VPC without internet egress (no internet or NAT gateway, two subnets in two Availability Zones,
 * flow logs to an encrypted log group) with interface endpoints for `bedrock`, `bedrock-runtime`,
 * `bedrock-agent-runtime` and the configured extras, private DNS on, a security group that admits only the VPC on 443
 * and sends nothing out, and endpoint policies that admit only the organization's principals — on `bedrock-runtime`
 * only for the approved profiles and models. Written with CloudFormation resources directly: the L2 VPC would add a
 * custom-resource Lambda (to close the default security group) that a StackSet template cannot carry.
 */
export class BedrockEndpoints extends Construct {
  public readonly vpc: CfnVPC;
  public readonly endpoints: CfnVPCEndpoint[] = [];

  constructor(scope: Construct, id: string, props: BedrockEndpointsProps) {
    super(scope, id);
    const { config } = props;
    const cidr = config.baseline.network.vpcCidr;
    this.vpc = new CfnVPC(this, 'Vpc', { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true });
    const defaultGroupReason = 'Only the endpoints live in this VPC, in their own group; closing the default group takes a '
      + 'custom-resource Lambda that a StackSet template cannot carry';
    acknowledgeFinding(this.vpc,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed', reason: defaultGroupReason },
      { id: 'HIPAA.Security::HIPAA.Security-VPCDefaultSecurityGroupClosed', reason: defaultGroupReason },
    );

    const subnets = [0, 1].map((i) => {
      const subnet = new CfnSubnet(this, `Subnet${i}`, {
        vpcId: this.vpc.ref,
        availabilityZone: Fn.select(i, Fn.getAzs()),
        cidrBlock: Fn.select(i, Fn.cidr(cidr, 2, String(32 - Number(cidr.split('/')[1]) - 1))),
        mapPublicIpOnLaunch: false,
      });
      const routes = new CfnRouteTable(this, `Routes${i}`, { vpcId: this.vpc.ref });
      new CfnSubnetRouteTableAssociation(this, `RoutesOf${i}`, { subnetId: subnet.ref, routeTableId: routes.ref });
      return subnet;
    });

    const flowLogs = new LogGroup(this, 'FlowLogs', {
      encryptionKey: props.logKey,
      retention: config.retention.logGroupRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const flowLogRole = new Role(this, 'FlowLogRole', {
      roleName: `${GOVERNANCE_NAME_PREFIX}flow-logs-${Aws.REGION}`,
      assumedBy: new ServicePrincipal('vpc-flow-logs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    new ManagedPolicy(this, 'FlowLogPolicy', {
      managedPolicyName: `${GOVERNANCE_NAME_PREFIX}flow-logs-${Aws.REGION}`,
      roles: [flowLogRole],
      statements: [new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [flowLogs.logGroupArn],
      })],
    });
    new CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.ref,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: flowLogs.logGroupName,
      deliverLogsPermissionArn: flowLogRole.roleArn,
    });

    const securityGroup = new CfnSecurityGroup(this, 'EndpointSecurityGroup', {
      vpcId: this.vpc.ref,
      groupDescription: 'Bedrock interface endpoints: HTTPS from the VPC only',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: cidr, description: 'HTTPS from the VPC' }],
      // No rule would mean "all out"; one to the VPC itself on 443 keeps the endpoints from sending anywhere else.
      securityGroupEgress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: cidr, description: 'Nothing leaves the VPC' }],
    });

    const management = accountIdOf(config, config.topology.management);
    for (const service of ['bedrock', 'bedrock-runtime', 'bedrock-agent-runtime', ...config.baseline.network.additionalEndpoints]) {
      this.endpoints.push(new CfnVPCEndpoint(this, `Endpoint-${service}`, {
        vpcId: this.vpc.ref,
        serviceName: `com.amazonaws.${(scope as Stack).region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: subnets.map((s) => s.ref),
        securityGroupIds: [securityGroup.attrGroupId],
        policyDocument: service === 'bedrock-runtime'
          ? runtimeEndpointPolicy(config, Aws.ACCOUNT_ID, management)
          : organizationOnlyEndpointPolicy(config, ENDPOINTS[service]),
      }));
    }
  }
}
