import { GOVERNANCE_NAME_PREFIX } from './governance-names';
import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';

/**
 * Names that member accounts' templates use to reach the log archive. Fixed, because a StackSet member template
 * cannot import values from the log-archive account's stack.
 */

/** Alias of the archive's customer-managed key; replication names the destination key by this alias. */
export const ARCHIVE_KEY_ALIAS = `alias/${GOVERNANCE_NAME_PREFIX}archive`;

/** Name prefix of the member accounts' log-replication roles, which the archive's bucket and key policies admit. */
export const LOG_REPLICATION_ROLE_PREFIX = `${GOVERNANCE_NAME_PREFIX}log-replication-`;

/** The log-archive account and the home Region, where the archive lives. */
export function archiveLocation(config: GovernanceConfig): { account: string; region: string } {
  return { account: accountIdOf(config, config.topology.logArchive), region: config.organization.homeRegion };
}

/**
 * The Object Lock bucket that receives every member account's model-invocation logs. Without the Region (the archive
 * has one), because `genai-governance-invocation-log-archive-<account>-ap-southeast-1` would pass S3's 63 characters.
 */
export function invocationLogArchiveBucketName(config: GovernanceConfig): string {
  return `${GOVERNANCE_NAME_PREFIX}invocation-log-archive-${archiveLocation(config).account}`;
}

/** ARN of the archive key's alias (S3 replication accepts an alias ARN as the replica key). */
export function archiveKeyAliasArn(config: GovernanceConfig): string {
  const { account, region } = archiveLocation(config);
  return `arn:aws:kms:${region}:${account}:${ARCHIVE_KEY_ALIAS}`;
}

/** The Object Lock bucket that receives the organization trail. */
export function trailArchiveBucketName(config: GovernanceConfig): string {
  return `${GOVERNANCE_NAME_PREFIX}trail-archive-${archiveLocation(config).account}`;
}

/** The organization trail's ARN: created by the management account in the home Region (CT-1). */
export function organizationTrailArn(config: GovernanceConfig): string {
  return `arn:aws:cloudtrail:${config.organization.homeRegion}:${accountIdOf(config, config.topology.management)}:trail/${config.trail.name}`;
}
