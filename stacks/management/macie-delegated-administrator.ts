import * as path from 'node:path';
import { CustomResource } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { MacieDelegatedAdministratorProperties } from './handlers/macie-delegated-administrator';
import { governanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'macie-delegated-administrator.ts');

export interface MacieDelegatedAdministratorProps {
  /** The account to register (the audit account). */
  readonly adminAccountId: string;
  /** The Regions to register it in: Macie's delegated administrator is per Region. */
  readonly regions: readonly string[];
  /** Retention of the handler's log group. */
  readonly logRetentionDays: number;
}

/**
 * MAC-1's registration, in the management account: a custom resource whose inline TypeScript handler makes the audit
 * account Macie's delegated administrator in every governed Region (idempotent; fails clearly when another account
 * already is; leaves the registration on delete). Designation also turns Macie on in the audit account in that Region.
 */
export class MacieDelegatedAdministrator extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MacieDelegatedAdministratorProps) {
    super(scope, id);
    const fn = governanceHandler(this, {
      name: `${GOVERNANCE_NAME_PREFIX}macie-administrator-registration`,
      roleDescription: 'MAC-1: registers the audit account as Macie delegated administrator',
      functionDescription: 'MAC-1: registers the Macie delegated administrator (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      logRetentionDays: props.logRetentionDays,
      statements: [
        new PolicyStatement({ sid: 'RegisterMacieAdministrator', actions: ['macie2:EnableOrganizationAdminAccount', 'macie2:ListOrganizationAdminAccounts'], resources: ['*'] }),
        new PolicyStatement({
          sid: 'OrganizationsForMacieOnly',
          actions: ['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator'],
          resources: ['*'],
          conditions: { StringEquals: { 'organizations:ServicePrincipal': 'macie.amazonaws.com' } },
        }),
        new PolicyStatement({
          sid: 'ReadOrganization',
          actions: ['organizations:ListDelegatedAdministrators', 'organizations:ListAWSServiceAccessForOrganization', 'organizations:DescribeOrganization'],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'MacieServiceLinkedRole',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: ['*'],
          conditions: { StringEquals: { 'iam:AWSServiceName': 'macie.amazonaws.com' } },
        }),
      ],
      policyAcknowledgements: [{ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'Macie\'s organization-admin actions and the Organizations calls they make have no resource type; the service-linked role is held to macie.amazonaws.com' }],
      outsideVpcReason: 'Calls only the Macie and Organizations APIs and the CloudFormation response URL; the management account runs no VPC for it',
      concurrencyReason: 'Runs once per stack operation; reserved concurrency would take capacity from the management account for nothing',
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::MacieDelegatedAdministrator',
      properties: { AdminAccountId: props.adminAccountId, Regions: [...props.regions] } satisfies MacieDelegatedAdministratorProperties,
    });
  }
}
