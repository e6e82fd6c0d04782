import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Cross-account contract: where every member account writes its model-invocation logs (BL-LOG-1); the archive's
 * tables, dashboards and tamper rules name them.
 */

/** Log group every member account's invocation logs go to, in each governed Region (dashboards and queries name it). */
export const INVOCATION_LOG_GROUP_NAME = '/genai-governance/bedrock/model-invocations';
/** Key prefixes in the member bucket: Bedrock appends `AWSLogs/<account>/BedrockModelInvocationLogs/...`. */
export const INVOCATION_LOG_KEY_PREFIX = 'model-invocations';
export const LARGE_DATA_KEY_PREFIX = 'model-invocations-large-data';
/** Name of the handler function (fixed, so ORG-TAMPER-BASELINE can name it). */
export const INVOCATION_LOGGING_FUNCTION_NAME = `${GOVERNANCE_NAME_PREFIX}invocation-logging`;
