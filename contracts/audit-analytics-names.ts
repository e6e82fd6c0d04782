import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Cross-account contract: names the log-archive account's policies use to admit the audit account's analytics (LF-1,
 * ATH-1) and that auditors meet.
 */

/** The Athena workgroup auditors query in. */
export const AUDIT_WORKGROUP = `${GOVERNANCE_NAME_PREFIX}audit`;
/** The role Lake Formation reads the archives with (registered for both archive buckets); the archive admits it. */
export const ARCHIVE_READER_ROLE_NAME = `${GOVERNANCE_NAME_PREFIX}lakeformation-archive-reader`;
