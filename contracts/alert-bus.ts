import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Cross-account contract: the audit account's alert bus, the member roles that forward to it, and the event patterns
 * both sides match. Member templates (StackSets) cannot import values from the audit account's stack.
 */

/** The audit account's event bus that member accounts forward their governance alarm state changes to. */
export const ALERT_BUS_NAME = `${GOVERNANCE_NAME_PREFIX}alerts`;
/** Name prefix of the member roles EventBridge forwards with; the bus admits only them. */
export const ALERT_FORWARDING_ROLE_PREFIX = `${GOVERNANCE_NAME_PREFIX}alert-forwarding-`;
/** Name prefix of every alarm the baseline creates (BL-MON-1). */
export const GOVERNANCE_ALARM_PREFIX = GOVERNANCE_NAME_PREFIX;

/**
 * The event pattern of a governance alarm's state change, as CloudWatch puts it on the default bus. Plain EventBridge
 * pattern syntax (`[{ prefix }]`), not aws-cdk-lib's `Match`: this contract is also bundled into Lambda handlers (the
 * daily verification reads the alarm prefix), and importing aws-cdk-lib there bundled all of it.
 */
export function governanceAlarmPattern(states?: readonly string[]) {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: {
      alarmName: [{ prefix: GOVERNANCE_ALARM_PREFIX }],
      ...(states && { state: { value: [...states] } }),
    },
  };
}

/** The event pattern of a Macie finding, as Macie puts it on the default bus of its Region. */
export const MACIE_FINDING_PATTERN = { source: ['aws.macie'], detailType: ['Macie Finding'] };
