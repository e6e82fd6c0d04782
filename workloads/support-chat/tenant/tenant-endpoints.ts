import { CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupIngress } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { type EndpointGrant, endpointUrl, tenantServiceEndpoint } from './tenant-service-endpoint';
import { CONVERSATION_ACTIONS } from '../chat/handlers/lib/session-policy';

/** Properties of `TenantEndpoints`. */
export interface TenantEndpointsProps {
  /** The workload contract's VPC, subnets and Bedrock endpoint security group. */
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly bedrockEndpointSecurityGroupId: string;
  /** The conversation table: the only table its endpoint admits. */
  readonly tableArn: string;
  /** The conversation-data role: the only role its STS endpoint lets the turn assume. */
  readonly dataRoleArn: string;
  /** The tenant's AppConfig configuration (`application/<id>/environment/<id>/configuration/<id>`): the only one its data-plane endpoint serves. */
  readonly settingsConfigurationArn: string;
}

/**
 * The interface endpoints the tenant adds to the baseline VPC beyond the Bedrock ones (the baseline VPC has no route
 * out): DynamoDB for the conversation table, STS for the per-user session and AppConfig's data plane (`appconfigdata`)
 * for the settings. Private DNS stays off — another tenant
 * of the account may add the same services, and two endpoints with private DNS for one service cannot share a VPC —
 * so the turn function's SDK clients take the endpoints' DNS names (`dynamoDbUrl`, `stsUrl`, `appConfigDataUrl`). The
 * endpoint policies admit only this account's principals, on the table, the data role and the settings. The turn function's security group may send
 * HTTPS only to these endpoints and the Bedrock ones.
 */
export class TenantEndpoints extends Construct {
  /** The turn function's security group. */
  public readonly functionSecurityGroup: CfnSecurityGroup;
  public readonly dynamoDbUrl: string;
  public readonly stsUrl: string;
  public readonly appConfigDataUrl: string;

  constructor(scope: Construct, id: string, props: TenantEndpointsProps) {
    super(scope, id);
    this.functionSecurityGroup = new CfnSecurityGroup(this, 'FunctionSecurityGroup', {
      vpcId: props.vpcId,
      groupDescription: 'Support-chat turn function: HTTPS to its endpoints only',
      securityGroupEgress: [{
        ipProtocol: 'tcp', fromPort: 443, toPort: 443, destinationSecurityGroupId: props.bedrockEndpointSecurityGroupId, description: 'Bedrock endpoints',
      }],
    });
    const endpointGroup = new CfnSecurityGroup(this, 'EndpointSecurityGroup', {
      vpcId: props.vpcId,
      groupDescription: 'Support-chat DynamoDB, STS and AppConfig data endpoints: HTTPS from the turn function only',
      securityGroupEgress: [{ ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIp: '255.255.255.255/32', description: 'Matches no traffic, so the group sends nothing (as CDK writes allowAllOutbound: false)' }],
    });
    new CfnSecurityGroupIngress(this, 'EndpointFromFunction', {
      groupId: endpointGroup.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      sourceSecurityGroupId: this.functionSecurityGroup.attrGroupId,
      description: 'HTTPS from the turn function',
    });
    new CfnSecurityGroupEgress(this, 'FunctionToEndpoints', {
      groupId: this.functionSecurityGroup.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      destinationSecurityGroupId: endpointGroup.attrGroupId,
      description: 'DynamoDB, STS and AppConfig data endpoints',
    });
    const endpoint = (service: string, grant: EndpointGrant) => tenantServiceEndpoint(this, `Endpoint-${service}`, {
      vpcId: props.vpcId, subnetIds: props.subnetIds, securityGroupId: endpointGroup.attrGroupId, service, grant,
    });
    const dynamodb = endpoint('dynamodb', { sid: 'ConversationTableOnly', actions: CONVERSATION_ACTIONS, resource: props.tableArn });
    const sts = endpoint('sts', { sid: 'DataRoleOnly', actions: 'sts:AssumeRole', resource: props.dataRoleArn });
    const appConfigData = endpoint('appconfigdata', {
      sid: 'TenantSettingsOnly',
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resource: props.settingsConfigurationArn,
    });
    this.dynamoDbUrl = endpointUrl(dynamodb);
    this.stsUrl = endpointUrl(sts);
    this.appConfigDataUrl = endpointUrl(appConfigData);
  }
}
