import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Names of DASH-1's Cost Anomaly Detection on Bedrock spend in the management account (`stacks/management/`), which
 * the audit account's usage dashboard names as the layer that watches the bill.
 */
export const SPEND_ANOMALY_NAMES = {
  /** The cost category whose one value, `BEDROCK_SPEND_VALUE`, is the organization's Bedrock spend (50 characters at most). */
  costCategory: `${GOVERNANCE_NAME_PREFIX}bedrock-spend`,
  /** The customer managed anomaly monitor over that value. */
  monitor: `${GOVERNANCE_NAME_PREFIX}bedrock-spend`,
  /** Its alert subscription (individual alerts, SNS). */
  subscription: `${GOVERNANCE_NAME_PREFIX}bedrock-spend-anomalies`,
  /** The KMS-encrypted topic Cost Anomaly Detection publishes individual alerts to, in the management account's home Region. */
  topic: `${GOVERNANCE_NAME_PREFIX}alerts-spend`,
} as const;

/** The cost category value of Bedrock spend. */
export const BEDROCK_SPEND_VALUE = 'bedrock';
