import * as path from 'node:path';
import { CustomResource } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { MacieDelegatedAdministratorProperties } from './handlers/macie-delegated-administrator';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'macie-delegated-administrator.ts');

/** Properties of a `MacieDelegatedAdministrator`. */
export interface MacieDelegatedAdministratorProps {
  /** The account to register (the audit account). */
  readonly adminAccountId: string;
  /** The Regions to register it in: Macie's delegated administrator is per Region. */
  readonly regions: readonly string[];
  /** How long the handler's log group keeps its events. */
  readonly logRetention: RetentionDays;
}

/**
 * MAC-1's registration, in the management account: a custom resource whose TypeScript handler (a Lambda code asset,
 * bundled by esbuild at synth) makes the audit account Macie's delegated administrator in every governed Region
 * (idempotent; fails clearly when another account already is; leaves the registration on delete). Designation also
 * turns Macie on in the audit account in that Region.
 *
 * Children: `Default`, the handler (`GovernanceHandler`, whose resources keep the logical ids they had when they were
 * children of this construct: `Default` is left out of logical ids), and `Resource`, the custom resource.
 */
export class MacieDelegatedAdministrator extends Construct {
  /** The handler: its function, role, log group and key. */
  public readonly handler: GovernanceHandler;
  /** The `Custom::MacieDelegatedAdministrator` resource. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MacieDelegatedAdministratorProps) {
    super(scope, id);
    this.handler = new GovernanceHandler(this, 'Default', {
      functionName: `${GOVERNANCE_NAME_PREFIX}macie-administrator-registration`,
      roleDescription: 'MAC-1: registers the audit account as Macie delegated administrator',
      description: 'MAC-1: registers the Macie delegated administrator (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      codeDelivery: 'asset',
      logRetention: props.logRetention,
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
      serviceToken: this.handler.serviceToken,
      resourceType: 'Custom::MacieDelegatedAdministrator',
      properties: { AdminAccountId: props.adminAccountId, Regions: [...props.regions] } satisfies MacieDelegatedAdministratorProperties,
    });
    // Both `Default` and `Resource` are children: name the default child rather than leave it ambiguous.
    this.node.defaultChild = this.resource;
  }
}
