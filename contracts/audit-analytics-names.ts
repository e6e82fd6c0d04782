import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Cross-account contract: names the log-archive account's policies use to admit the audit account's analytics (LF-1,
 * ATH-1) and that auditors meet.
 */

/** The Athena workgroup auditors query in (ATH-1); the dashboards' text widgets point them to it. */
export const AUDIT_WORKGROUP = `${GOVERNANCE_NAME_PREFIX}audit`;
/** The role Lake Formation reads the archives with (registered for both archive buckets); the archive admits it. */
export const ARCHIVE_READER_ROLE_NAME = `${GOVERNANCE_NAME_PREFIX}lakeformation-archive-reader`;
/**
 * The audit account's function and role that keep the archive tables' account projection in step with the organization;
 * the management account's Organizations resource policy lets this role list the organization's accounts.
 */
export const ACCOUNT_PROJECTION_SYNC_NAME = `${GOVERNANCE_NAME_PREFIX}account-projection-sync`;
