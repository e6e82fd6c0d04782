import { Aws, Stack } from 'aws-cdk-lib';
import { CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupIngress, CfnVPCEndpoint } from 'aws-cdk-lib/aws-ec2';
import { type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TurnEnvironment } from '../../chat/chat-wiring';
import { endpointUrl, tenantServiceEndpoint } from '../../tenant/tenant-service-endpoint';
import type { OrderLimits } from '../handlers/lib/order-tools-from-env';

/** Properties of `OrderAccess`. */
export interface OrderAccessProps {
  /** `workloads.supportChat.orders`. */
  readonly settings: {
    readonly apiBaseUrl: string;
    readonly endpointServiceName: string;
    readonly secretName: string;
    readonly authHeader: string;
  } & OrderLimits;
  /** The workload contract's VPC and the turn's subnets. */
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** The turn function's security group: the only source the endpoints admit. */
  readonly turnSecurityGroupId: string;
  /** The turn's policy: it may read the one secret. */
  readonly turnPolicy: ManagedPolicy;
}

/**
 * How the turn reaches the company's order API from the baseline VPC, which has no route out
 * (docs/adr/0022-support-chat-order-tool-through-privatelink.md): an interface endpoint to the company's PrivateLink
 * endpoint service, with private DNS so the API's own host name (and its TLS certificate) resolves to it inside the VPC;
 * a Secrets Manager interface endpoint (private DNS off, like the tenant's other endpoints) whose policy admits only
 * `GetSecretValue` on the API's secret by this account's principals; both reachable on 443 from the turn function only.
 * The turn's policy may read that one secret (`secretsmanager:GetSecretValue`; a name's ARN ends in `-` and six random
 * characters).
 */
export class OrderAccess extends Construct {
  /** The secret's ARN pattern, as the turn's policy and the endpoint's name it. */
  public readonly secretArn: string;
  /** The turn function's `ORDER_API_*` and `SECRETS_MANAGER_ENDPOINT` variables. */
  public readonly environment: Required<Pick<TurnEnvironment,
    'ORDER_API_BASE_URL' | 'ORDER_API_SECRET_NAME' | 'ORDER_API_AUTH_HEADER' | 'ORDER_API_LIMITS' | 'SECRETS_MANAGER_ENDPOINT'>>;

  constructor(scope: Construct, id: string, props: OrderAccessProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const { settings } = props;
    this.secretArn = `arn:${Aws.PARTITION}:secretsmanager:${region}:${Aws.ACCOUNT_ID}:secret:${settings.secretName}-??????`;
    const endpointGroup = new CfnSecurityGroup(this, 'EndpointSecurityGroup', {
      vpcId: props.vpcId,
      groupDescription: 'Support-chat order API and Secrets Manager endpoints: HTTPS from the turn function only',
      securityGroupEgress: [{
        ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIp: '255.255.255.255/32', description: 'Matches no traffic, so the group sends nothing (as CDK writes allowAllOutbound: false)',
      }],
    });
    new CfnSecurityGroupIngress(this, 'EndpointFromTurn', {
      groupId: endpointGroup.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      sourceSecurityGroupId: props.turnSecurityGroupId,
      description: 'HTTPS from the turn function',
    });
    new CfnSecurityGroupEgress(this, 'TurnToEndpoints', {
      groupId: props.turnSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      destinationSecurityGroupId: endpointGroup.attrGroupId,
      description: 'Order API and Secrets Manager endpoints',
    });
    // The company's service: private DNS, so the API's host name resolves to this endpoint in the VPC and its certificate
    // matches. Endpoint policies apply to AWS services' endpoints only; the company's API authorizes each call itself.
    new CfnVPCEndpoint(this, 'OrderApiEndpoint', {
      vpcId: props.vpcId,
      serviceName: settings.endpointServiceName,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: props.subnetIds,
      securityGroupIds: [endpointGroup.attrGroupId],
    });
    const secrets = tenantServiceEndpoint(this, 'SecretsManagerEndpoint', {
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      securityGroupId: endpointGroup.attrGroupId,
      service: 'secretsmanager',
      grant: { sid: 'OrderApiSecretOnly', actions: 'secretsmanager:GetSecretValue', resource: this.secretArn },
    });
    props.turnPolicy.addStatements(new PolicyStatement({ sid: 'OrderApiSecret', actions: ['secretsmanager:GetSecretValue'], resources: [this.secretArn] }));
    const { timeoutMs, maxToolRounds, credentialTtlSeconds } = settings;
    const limits: OrderLimits = { timeoutMs, maxToolRounds, credentialTtlSeconds };
    this.environment = {
      ORDER_API_BASE_URL: settings.apiBaseUrl,
      ORDER_API_SECRET_NAME: settings.secretName,
      ORDER_API_AUTH_HEADER: settings.authHeader,
      ORDER_API_LIMITS: JSON.stringify(limits),
      SECRETS_MANAGER_ENDPOINT: endpointUrl(secrets),
    };
  }
}
