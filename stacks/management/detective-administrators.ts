import * as path from 'node:path';
import { CustomResource } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnDelegatedAdmin } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { CONFIG_MULTI_ACCOUNT_PRINCIPAL, type ConfigDelegatedAdministratorProperties } from './handlers/config-delegated-administrator';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'config-delegated-administrator.ts');

/** Properties of `DetectiveAdministrators`. */
export interface DetectiveAdministratorsProps {
  /** The account to make the administrator (the audit account). */
  readonly adminAccountId: string;
  /** DET-SH-1: make it Security Hub CSPM's delegated administrator. */
  readonly securityHub: boolean;
  /** DET-CFG-1: make it AWS Config's delegated administrator for organization conformance packs. */
  readonly configConformance: boolean;
  /** How long the Config registration handler's log group keeps its events. */
  readonly logRetention: RetentionDays;
}

/**
 * The management account's part of the AWS-managed detective controls (docs/adr/0026-aws-managed-detective-controls.md):
 *
 * - `SecurityHubAdmin`, `AWS::SecurityHub::DelegatedAdmin`: the audit account administers Security Hub CSPM for the
 *   organization (created in the home Region, where the audit account's central configuration lives; the designation
 *   turns on the Organizations integration);
 * - `ConfigAdmin`, `Custom::ConfigDelegatedAdministrator`: the audit account may deploy organization conformance packs
 *   (`config-multiaccountsetup.amazonaws.com`), by a TypeScript handler (no CloudFormation resource registers it).
 */
export class DetectiveAdministrators extends Construct {
  public readonly securityHubAdmin?: CfnDelegatedAdmin;
  public readonly configAdmin?: CustomResource;

  constructor(scope: Construct, id: string, props: DetectiveAdministratorsProps) {
    super(scope, id);
    if (props.securityHub) this.securityHubAdmin = new CfnDelegatedAdmin(this, 'SecurityHubAdmin', { adminAccountId: props.adminAccountId });
    if (props.configConformance) {
      const handler = new GovernanceHandler(this, 'ConfigAdminHandler', {
        functionName: `${GOVERNANCE_NAME_PREFIX}config-administrator-registration`,
        roleDescription: 'DET-CFG-1: registers the audit account as AWS Config delegated administrator',
        description: 'DET-CFG-1: registers the AWS Config delegated administrator for organization conformance packs (CloudFormation custom resource)',
        entry: HANDLER_ENTRY,
        codeDelivery: 'asset',
        logRetention: props.logRetention,
        statements: [
          new PolicyStatement({
            sid: 'OrganizationsForConfigOnly',
            actions: ['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator', 'organizations:ListDelegatedAdministrators'],
            resources: ['*'],
            conditions: { StringEquals: { 'organizations:ServicePrincipal': CONFIG_MULTI_ACCOUNT_PRINCIPAL } },
          }),
          new PolicyStatement({
            sid: 'ConfigServiceLinkedRole',
            actions: ['iam:CreateServiceLinkedRole'],
            resources: ['*'],
            conditions: { StringEquals: { 'iam:AWSServiceName': CONFIG_MULTI_ACCOUNT_PRINCIPAL } },
          }),
        ],
        policyAcknowledgements: [{ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'The Organizations delegation actions have no resource type and are held to config-multiaccountsetup.amazonaws.com by organizations:ServicePrincipal; the service-linked role to the same service' }],
        outsideVpcReason: 'Calls only the Organizations API and the CloudFormation response URL; the management account runs no VPC for it',
        concurrencyReason: 'Runs once per stack operation; reserved concurrency would take capacity from the management account for nothing',
      });
      this.configAdmin = new CustomResource(this, 'ConfigAdmin', {
        serviceToken: handler.serviceToken,
        resourceType: 'Custom::ConfigDelegatedAdministrator',
        properties: { AdminAccountId: props.adminAccountId } satisfies ConfigDelegatedAdministratorProperties,
      });
    }
  }
}
