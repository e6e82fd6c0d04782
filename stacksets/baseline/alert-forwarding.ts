import { Aws } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EventForwarding } from '../../building-blocks/events/event-forwarding';
import { ALERT_BUS_NAME, ALERT_FORWARDING_ROLE_PREFIX, governanceAlarmPattern } from '../../contracts/alert-bus';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';

export interface AlertForwardingProps {
  /** The audit account, whose bus `genai-governance-alerts` receives the state changes. */
  readonly auditAccountId: string;
  /** The organization's home Region, where the audit account's bus is. */
  readonly homeRegion: string;
}

/**
 * BL-MON-1's way to the audit account: an EventBridge rule on the member's default bus that forwards every state
 * change of a `genai-governance-` alarm to the audit account's bus `genai-governance-alerts` in the home Region (a
 * cross-account, and for other governed Regions cross-Region, event-bus target), with a role that may put events on
 * that bus only. The audit account's rule turns them into notifications.
 */
export class AlertForwarding extends EventForwarding {
  constructor(scope: Construct, id: string, props: AlertForwardingProps) {
    super(scope, id, {
      busArn: `arn:${Aws.PARTITION}:events:${props.homeRegion}:${props.auditAccountId}:event-bus/${ALERT_BUS_NAME}`,
      roleName: `${ALERT_FORWARDING_ROLE_PREFIX}${Aws.REGION}`,
      roleDescription: 'BL-MON-1: EventBridge forwards governance alarm state changes to the audit account with this role',
      ruleName: `${GOVERNANCE_NAME_PREFIX}alert-forwarding`,
      ruleDescription: 'BL-MON-1: governance alarm state changes to the audit account',
      eventPattern: governanceAlarmPattern(),
    });
  }
}
