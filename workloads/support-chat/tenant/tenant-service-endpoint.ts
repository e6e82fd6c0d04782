import { Aws, Fn, Stack } from 'aws-cdk-lib';
import { CfnVPCEndpoint } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

/** `https://<first DNS name of an interface endpoint>` (its entries are `<hosted zone id>:<name>`), for an SDK client's `endpoint`. */
export function endpointUrl(endpoint: CfnVPCEndpoint): string {
  return `https://${Fn.select(1, Fn.split(':', Fn.select(0, endpoint.attrDnsEntries)))}`;
}

/** One statement of a tenant endpoint's policy: what the endpoint admits, for this account's principals only. */
export interface EndpointGrant {
  readonly sid: string;
  readonly actions: string | readonly string[];
  readonly resource: string;
}

/** Where a tenant's interface endpoint goes. */
export interface TenantServiceEndpointProps {
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** The endpoint's security group (HTTPS from the tenant's function only). */
  readonly securityGroupId: string;
  /** The AWS service's endpoint name in the Region (`sts`, `secretsmanager`, `events`, …). */
  readonly service: string;
  readonly grant: EndpointGrant;
}

/**
 * An interface endpoint of an AWS service in the baseline VPC, private DNS off (another tenant of the account may add
 * the same service, and two endpoints with private DNS for one service cannot share a VPC: the tenant's SDK clients take
 * the endpoint's DNS name, `endpointUrl`), whose policy admits one grant to this account's principals and nothing else.
 */
export function tenantServiceEndpoint(scope: Construct, id: string, props: TenantServiceEndpointProps): CfnVPCEndpoint {
  const { grant } = props;
  return new CfnVPCEndpoint(scope, id, {
    vpcId: props.vpcId,
    serviceName: `com.amazonaws.${Stack.of(scope).region}.${props.service}`,
    vpcEndpointType: 'Interface',
    privateDnsEnabled: false,
    subnetIds: props.subnetIds,
    securityGroupIds: [props.securityGroupId],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Sid: grant.sid,
        Effect: 'Allow',
        Principal: '*',
        Action: typeof grant.actions === 'string' ? grant.actions : [...grant.actions],
        Resource: grant.resource,
        Condition: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
      }],
    },
  });
}
