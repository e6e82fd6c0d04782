import { Aws, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  CfnFlowLog, CfnRouteTable, CfnSecurityGroup, CfnSubnet, CfnSubnetRouteTableAssociation, CfnVPC, CfnVPCEndpoint,
} from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../building-blocks/gates/acknowledge';
import { FLOW_LOG_GROUP_NAME } from '../../contracts/governance-log-groups';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import type { PolicyDocument } from '../../policies/policy-document';

/** SSM parameters that name an existing VPC of every target account and Region. */
export interface ExistingVpcParameters {
  /** Holds the VPC id. */
  readonly vpcIdParameter: string;
  /** Holds the subnet ids (a StringList). */
  readonly subnetIdsParameter: string;
  /** Holds the VPC's CIDR, which the endpoint security group admits. */
  readonly vpcCidrParameter: string;
}

export interface BedrockEndpointsProps {
  /**
   * One interface endpoint per entry, in this order: the endpoint service name (`bedrock-runtime`) and its policy.
   * {@link ENDPOINT_IAM_PREFIXES} says which IAM service prefix each service's policy speaks.
   */
  readonly endpointPolicies: Readonly<Record<string, PolicyDocument>>;
  /**
   * An existing VPC for the endpoints, named by SSM parameters.
   * @default - a private VPC of the baseline's own, from `vpcCidr`
   */
  readonly existingVpc?: ExistingVpcParameters;
  /** CIDR of the baseline's own VPC (two subnets, one per Availability Zone); not used with `existingVpc`. */
  readonly vpcCidr: string;
  /** Encrypts the flow-log group of the baseline's own VPC. */
  readonly logKey: IKey;
  /** How long the flow logs of the baseline's own VPC are kept. */
  readonly flowLogRetention: RetentionDays;
}

/** The endpoint services every member gets, before any configured extras. */
export const DEFAULT_ENDPOINT_SERVICES = ['bedrock', 'bedrock-runtime', 'bedrock-agent-runtime'] as const;

/** The Bedrock endpoint services this construct knows, and the IAM service prefix their policies speak. */
export const ENDPOINT_IAM_PREFIXES: Readonly<Record<string, string>> = {
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
  /** The VPC the baseline created; undefined with `baseline.network.existingVpc`. */
  public readonly vpc?: CfnVPC;
  /** The id of the VPC the endpoints are in (a reference to the created VPC or to the SSM-typed parameter). */
  public readonly vpcId: string;
  /** The subnets the endpoints are in. */
  public readonly subnetIds: string[];
  /** The endpoints' security group: HTTPS from the VPC's CIDR. */
  public readonly securityGroupId: string;
  public readonly endpoints: CfnVPCEndpoint[] = [];

  constructor(scope: Construct, id: string, props: BedrockEndpointsProps) {
    super(scope, id);
    const network = props.existingVpc ? this.existingVpc(props.existingVpc) : this.privateVpc(props);
    this.vpc = network.vpc;
    this.vpcId = network.vpcId;
    const { cidr, subnetIds } = network;
    this.subnetIds = subnetIds;

    const securityGroup = new CfnSecurityGroup(this, 'EndpointSecurityGroup', {
      vpcId: this.vpcId,
      groupDescription: 'Bedrock interface endpoints: HTTPS from the VPC only',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: cidr, description: 'HTTPS from the VPC' }],
      // No rule would mean "all out"; one to the VPC itself on 443 keeps the endpoints from sending anywhere else.
      securityGroupEgress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: cidr, description: 'Nothing leaves the VPC' }],
    });
    this.securityGroupId = securityGroup.attrGroupId;

    if (!this.vpc) {
      const reason = 'In an existing VPC the only source is that VPC\'s CIDR, read from SSM at deploy so the rule cannot evaluate it; the group admits 443 only (no SSH, no other port)';
      acknowledgeFinding(securityGroup, ...[
        'AwsSolutions::AwsSolutions-EC23', 'NIST.800.53.R5::NIST.800.53.R5-EC2RestrictedCommonPorts', 'NIST.800.53.R5::NIST.800.53.R5-EC2RestrictedSSH',
        'HIPAA.Security::HIPAA.Security-EC2RestrictedCommonPorts', 'HIPAA.Security::HIPAA.Security-EC2RestrictedSSH',
      ].map((rule) => ({ id: rule, reason })));
    }

    for (const [service, policyDocument] of Object.entries(props.endpointPolicies)) {
      this.endpoints.push(new CfnVPCEndpoint(this, `Endpoint-${service}`, {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${Stack.of(this).region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds,
        securityGroupIds: [securityGroup.attrGroupId],
        policyDocument,
      }));
    }
  }

  /**
   * The endpoints' own VPC: no internet or NAT gateway, two subnets in two Availability Zones with their own route
   * tables, flow logs of all traffic to an encrypted log group.
   */
  private privateVpc(props: BedrockEndpointsProps): { vpc: CfnVPC; vpcId: string; cidr: string; subnetIds: string[] } {
    const cidr = props.vpcCidr;
    const vpc = new CfnVPC(this, 'Vpc', { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true });
    const defaultGroupReason = 'Only the endpoints live in this VPC, in their own group; closing the default group takes a '
      + 'custom-resource Lambda that a StackSet template cannot carry';
    acknowledgeFinding(vpc,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed', reason: defaultGroupReason },
      { id: 'HIPAA.Security::HIPAA.Security-VPCDefaultSecurityGroupClosed', reason: defaultGroupReason },
    );

    const subnets = [0, 1].map((i) => {
      const subnet = new CfnSubnet(this, `Subnet${i}`, {
        vpcId: vpc.ref,
        availabilityZone: Fn.select(i, Fn.getAzs()),
        cidrBlock: Fn.select(i, Fn.cidr(cidr, 2, String(32 - Number(cidr.split('/')[1]) - 1))),
        mapPublicIpOnLaunch: false,
      });
      const routes = new CfnRouteTable(this, `Routes${i}`, { vpcId: vpc.ref });
      new CfnSubnetRouteTableAssociation(this, `RoutesOf${i}`, { subnetId: subnet.ref, routeTableId: routes.ref });
      return subnet;
    });

    const flowLogs = new LogGroup(this, 'FlowLogs', {
      // Named under the governance prefix, like every governance log group: ORG-TAMPER-LOGGING protects them by name.
      logGroupName: FLOW_LOG_GROUP_NAME,
      encryptionKey: props.logKey,
      retention: props.flowLogRetention,
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
      resourceId: vpc.ref,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: flowLogs.logGroupName,
      deliverLogsPermissionArn: flowLogRole.roleArn,
    });
    return { vpc, vpcId: vpc.ref, cidr, subnetIds: subnets.map((s) => s.ref) };
  }

  /**
   * An existing VPC of each account, named by SSM parameters that every target account × Region holds (member templates
   * are the same everywhere, so ids cannot be written into them): CloudFormation resolves them at deploy. The VPC must
   * have DNS support and DNS hostnames on, and no Bedrock endpoint with private DNS of its own; its flow logs are its
   * owner's.
   */
  private existingVpc(names: ExistingVpcParameters) {
    const parameter = (id: string, type: string, name: string, description: string) =>
      new CfnParameter(this, id, { type, default: name, description });
    const vpcId = parameter('VpcId', 'AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>', names.vpcIdParameter, 'BL-VPCE-1: SSM parameter with the id of the VPC for the Bedrock endpoints');
    const subnets = parameter('SubnetIds', 'AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>', names.subnetIdsParameter, 'BL-VPCE-1: SSM parameter with the subnet ids for the Bedrock endpoints');
    const cidr = parameter('VpcCidr', 'AWS::SSM::Parameter::Value<String>', names.vpcCidrParameter, 'BL-VPCE-1: SSM parameter with the CIDR of that VPC');
    return { vpc: undefined, vpcId: vpcId.valueAsString, cidr: cidr.valueAsString, subnetIds: subnets.valueAsList };
  }
}
