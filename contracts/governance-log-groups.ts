/**
 * Cross-account contract: governance log groups written in one account and seen from another. Each is under
 * `/genai-governance/`, so the OAM link of its account shares it with the audit account's sink (`LINK_LOG_GROUP_FILTER`
 * in `oam-names.ts`) and ORG-TAMPER-LOGGING protects it by name; the invocation-log group is in
 * `invocation-logging-names.ts`.
 */

/** The organization trail's log group in the management account, home Region (CT-1; the dashboards' metric filters read it). */
export const TRAIL_LOG_GROUP_NAME = '/genai-governance/cloudtrail/organization';
/** The VPC flow logs' log group of the Bedrock endpoints' VPC in every member account and governed Region (BL-VPCE-1). */
export const FLOW_LOG_GROUP_NAME = '/genai-governance/vpc/flow-logs';
