import { Aws } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../../policies/governance-principals';
import { ALERT_BUS_NAME, ALERT_FORWARDING_ROLE_PREFIX, governanceAlarmPattern } from '../../stacks/audit/audit-alerts-stack';

export interface AlertForwardingProps {
  readonly config: GovernanceConfig;
}

/**
 * BL-MON-1's way to the audit account: an EventBridge rule on the member's default bus that forwards every state
 * change of a `genai-governance-` alarm to the audit account's bus `genai-governance-alerts` in the home Region (a
 * cross-account, and for other governed Regions cross-Region, event-bus target), with a role that may put events on
 * that bus only. The audit account's rule turns them into notifications.
 */
export class AlertForwarding extends Construct {
  public readonly rule: Rule;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: AlertForwardingProps) {
    super(scope, id);
    const { config } = props;
    const busArn = `arn:${Aws.PARTITION}:events:${config.organization.homeRegion}:${accountIdOf(config, config.topology.audit)}:event-bus/${ALERT_BUS_NAME}`;
    this.role = new Role(this, 'Role', {
      roleName: `${ALERT_FORWARDING_ROLE_PREFIX}${Aws.REGION}`,
      description: 'BL-MON-1: EventBridge forwards governance alarm state changes to the audit account with this role',
      assumedBy: new ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    new ManagedPolicy(this, 'Policy', {
      managedPolicyName: `${ALERT_FORWARDING_ROLE_PREFIX}${Aws.REGION}`,
      roles: [this.role],
      statements: [new PolicyStatement({ sid: 'PutOnAuditAlertBus', actions: ['events:PutEvents'], resources: [busArn] })],
    });
    this.rule = new Rule(this, 'Rule', {
      ruleName: `${GOVERNANCE_NAME_PREFIX}alert-forwarding`,
      description: 'BL-MON-1: governance alarm state changes to the audit account',
      eventPattern: governanceAlarmPattern(),
    });
    // A plain target: aws-events-targets' EventBus would also write an inline grant next to the managed policy.
    this.rule.addTarget({ bind: () => ({ arn: busArn, role: this.role }) });
  }
}
