import * as path from 'node:path';
import { Aws, CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { MacieDelegatedAdministratorProperties } from './handlers/macie-delegated-administrator';
import { GOVERNANCE_NAME_PREFIX } from '../../policies/governance-principals';
import { customResourceFunction } from '../../stacksets/rollout/custom-resource-function';
import { acknowledgeFinding, logicalIdOf } from '../gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../kms/deny-grants-except-aws-resources';

const HANDLER_ENTRY = path.join(__dirname, 'handlers', 'macie-delegated-administrator.ts');

export interface MacieDelegatedAdministratorProps {
  /** The account to register (the audit account). */
  readonly adminAccountId: string;
  /** Retention of the handler's log group. */
  readonly logRetentionDays: number;
}

/**
 * MAC-1's registration, in the management account: a custom resource whose inline TypeScript handler makes the audit
 * account Macie's delegated administrator (idempotent; fails clearly when another account already is; leaves the
 * registration on delete).
 */
export class MacieDelegatedAdministrator extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MacieDelegatedAdministratorProps) {
    super(scope, id);
    const name = `${GOVERNANCE_NAME_PREFIX}macie-administrator-registration`;
    const key = new Key(this, 'LogKey', { description: 'Generative-AI governance: encrypts the Macie registration handler\'s logs', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    denyGrantsExceptForAwsResources(key);
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${name}`, retention: props.logRetentionDays as RetentionDays, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(this, 'Role', {
      roleName: name,
      description: 'MAC-1: registers the audit account as Macie delegated administrator',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const logsId = logicalIdOf(logs);
    const policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: name,
      roles: [role],
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
        new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.logGroupArn.replace(/:\*$/, '')}:log-stream:*`] }),
      ],
    });
    acknowledgeFinding(policy,
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'Macie\'s organization-admin actions and the Organizations calls they make have no resource type; the service-linked role is held to macie.amazonaws.com' },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logsId}.Arn>:log-stream:*]`, reason: 'Lambda names its log streams itself; the wildcard is the streams of the function\'s own log group' },
    );
    const fn = customResourceFunction(this, 'Handler', {
      functionName: name,
      description: 'MAC-1: registers the Macie delegated administrator (CloudFormation custom resource)',
      entry: HANDLER_ENTRY,
      role,
      rolePolicy: policy,
      logGroup: logs,
      outsideVpcReason: 'Calls only the Macie and Organizations APIs and the CloudFormation response URL; the management account runs no VPC for it',
      concurrencyReason: 'Runs once per stack operation; reserved concurrency would take capacity from the management account for nothing',
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::MacieDelegatedAdministrator',
      properties: { AdminAccountId: props.adminAccountId } satisfies MacieDelegatedAdministratorProperties,
    });
  }
}
