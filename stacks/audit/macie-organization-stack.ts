import * as path from 'node:path';
import { CustomResource, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { MacieClassificationJobProperties } from './handlers/macie-classification-job';
import type { MacieOrganizationProperties } from './handlers/macie-organization';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { EventForwarding } from '../../building-blocks/events/event-forwarding';
import { partitionOf } from '../../building-blocks/gates/acknowledge';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { ALERT_BUS_NAME, MACIE_FINDING_PATTERN } from '../../contracts/alert-bus';
import { invocationLogArchiveBucketName } from '../../contracts/archive-names';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { concreteRegion } from '../stack-region';

const HANDLERS = path.join(__dirname, 'handlers');
const OUTSIDE_VPC = 'Calls only the Macie and Organizations APIs and the CloudFormation response URL; the audit account runs no VPC for it';
const CONCURRENCY = 'Runs once per stack operation; reserved concurrency would take capacity from the audit account for nothing';

export interface MacieOrganizationStackProps extends StackProps {
  /** The governance configuration. */
  readonly config: GovernanceConfig;
}

/**
 * MAC-1 in the audit account, one stack per governed Region (Macie is Regional), the Region of its `env`. The
 * management stack has made this account the delegated Macie administrator there, which also turns Macie on for it, so
 * no `AWS::Macie::Session` is declared (it would collide with the session designation created). Here:
 *
 * - `Custom::MacieOrganization`: auto-enable for accounts that join, every existing active account added as a member,
 *   automated sensitive-data discovery for all members (`audit.macie.automatedDiscovery`);
 * - every Macie finding of the Region forwarded to the home Region's alert bus (`genai-governance-alerts`), where the
 *   audit-alerts stack publishes it to the alert topic;
 * - in the home Region only, `Custom::MacieClassificationJob`: a scheduled job over the log-archive account's
 *   invocation-log archive (that bucket is in the home Region, and a job analyses buckets of its own Region only).
 */
export class MacieOrganizationStack extends Stack {
  public readonly organization: CustomResource;
  public readonly classificationJob?: CustomResource;

  constructor(scope: Construct, id: string, props: MacieOrganizationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const region = concreteRegion(this);
    const audit = accountIdOf(config, config.topology.audit);
    const logRetention: RetentionDays = config.retention.logGroupRetentionDays;

    const organizationHandler = new GovernanceHandler(this, 'OrganizationHandler', {
      functionName: `${GOVERNANCE_NAME_PREFIX}macie-organization-${region}`.slice(0, 64),
      roleDescription: 'MAC-1: configures the Macie organization (auto-enable, members, automated discovery)',
      description: 'MAC-1: configures the Macie organization from the delegated administrator (CloudFormation custom resource)',
      entry: path.join(HANDLERS, 'macie-organization.ts'),
      codeDelivery: 'asset',
      logRetention,
      statements: [
        new PolicyStatement({
          sid: 'ConfigureMacieOrganization',
          actions: ['macie2:UpdateOrganizationConfiguration', 'macie2:UpdateAutomatedDiscoveryConfiguration', 'macie2:ListMembers', 'organizations:ListAccounts'],
          resources: ['*'],
        }),
        new PolicyStatement({ sid: 'AddMembers', actions: ['macie2:CreateMember'], resources: [`arn:${this.partition}:macie2:${this.region}:${this.account}:member/*`] }),
      ],
      policyAcknowledgements: [
        { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'UpdateOrganizationConfiguration, UpdateAutomatedDiscoveryConfiguration, ListMembers and organizations:ListAccounts have no resource type' },
        { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(this)}:macie2:${region}:${audit}:member/*]`, reason: 'Members are named by the accounts of the organization, which the handler reads at run time; the wildcard is this account\'s Macie members in this Region' },
      ],
      outsideVpcReason: OUTSIDE_VPC,
      concurrencyReason: CONCURRENCY,
    });
    this.organization = new CustomResource(this, 'MacieOrganization', {
      serviceToken: organizationHandler.serviceToken,
      resourceType: 'Custom::MacieOrganization',
      properties: {
        AdminAccountId: audit,
        AutomatedDiscovery: config.audit.macie.automatedDiscovery ? 'ENABLED' : 'DISABLED',
        AutoEnableOrganizationMembers: 'ALL',
      } satisfies MacieOrganizationProperties,
    });

    new EventForwarding(this, 'MacieFindings', {
      busArn: `arn:${this.partition}:events:${config.organization.homeRegion}:${this.account}:event-bus/${ALERT_BUS_NAME}`,
      roleName: `${GOVERNANCE_NAME_PREFIX}macie-findings-${region}`,
      roleDescription: 'MAC-1: EventBridge forwards Macie findings to the audit alert bus with this role',
      ruleName: `${GOVERNANCE_NAME_PREFIX}macie-findings-forwarding`,
      ruleDescription: `MAC-1: Macie findings of the organization in ${region}, to the audit account's alert bus`,
      eventPattern: MACIE_FINDING_PATTERN,
    });

    if (region === config.organization.homeRegion) this.classificationJob = this.invocationLogJob(config, logRetention);
  }

  private invocationLogJob(config: GovernanceConfig, logRetention: RetentionDays): CustomResource {
    const logArchive = accountIdOf(config, config.topology.logArchive);
    const jobs = `arn:${this.partition}:macie2:${this.region}:${this.account}:classification-job/*`;
    const jobHandler = new GovernanceHandler(this, 'ClassificationJobHandler', {
      functionName: `${GOVERNANCE_NAME_PREFIX}macie-classification-job`,
      roleDescription: 'MAC-1: creates and cancels the classification job over the invocation-log archive',
      description: 'MAC-1: Macie classification job over the invocation-log archive (CloudFormation custom resource)',
      entry: path.join(HANDLERS, 'macie-classification-job.ts'),
      codeDelivery: 'asset',
      logRetention,
      statements: [new PolicyStatement({
        sid: 'ManageClassificationJobs',
        actions: ['macie2:CreateClassificationJob', 'macie2:DescribeClassificationJob', 'macie2:UpdateClassificationJob'],
        resources: [jobs],
      })],
      policyAcknowledgements: [{
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(this)}:macie2:${this.region}:${this.account}:classification-job/*]`,
        reason: 'Macie picks the job id at creation; the wildcard is this account\'s classification jobs in this Region',
      }],
      outsideVpcReason: OUTSIDE_VPC,
      concurrencyReason: CONCURRENCY,
    });
    const job = new CustomResource(this, 'InvocationLogClassificationJob', {
      serviceToken: jobHandler.serviceToken,
      resourceType: 'Custom::MacieClassificationJob',
      properties: {
        Name: `${GOVERNANCE_NAME_PREFIX}invocation-log-archive`,
        Description: 'MAC-1: sensitive data (personal data in prompts and responses) in the Bedrock invocation-log archive',
        BucketAccountId: logArchive,
        BucketName: invocationLogArchiveBucketName(config),
        Schedule: config.audit.macie.classificationJobSchedule.toUpperCase(),
        SamplingPercentage: String(config.audit.macie.classificationJobSamplingPercentage),
      } satisfies MacieClassificationJobProperties,
    });
    // The archive's account must be a Macie member before a job may analyse its buckets.
    job.node.addDependency(this.organization);
    return job;
  }
}
