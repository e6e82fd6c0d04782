import { GOVERNANCE_NAME_PREFIX } from './governance-names';
import type { GovernanceConfig } from '../config/schema';

/** Name of the audit account's OAM sink in every governed Region. */
export const SINK_NAME = `${GOVERNANCE_NAME_PREFIX}organization`;

/**
 * SSM parameter (advanced tier, shared with the organization through AWS RAM) holding the sink's ARN in each governed
 * Region. The sink's ARN ends in an id AWS chooses, so the member templates and the management account read it from
 * here: a template parameter of type `AWS::SSM::Parameter::Value<String>` whose value is this parameter's ARN (how
 * CloudFormation reads a parameter shared from another account; dynamic references cannot).
 */
export const SINK_ARN_PARAMETER_NAME = '/genai-governance/observability/sink-arn';

/** The shared parameter's ARN in `region` (the audit account's). */
export function sinkArnParameterArn(auditAccountId: string, region: string, partition = 'aws'): string {
  return `arn:${partition}:ssm:${region}:${auditAccountId}:parameter${SINK_ARN_PARAMETER_NAME}`;
}

/** Name of the member templates' parameter that receives the shared parameter's ARN of their Region. */
export const SINK_ARN_TEMPLATE_PARAMETER = 'ObservabilitySinkArnParameter';

/** What the links share: the Bedrock namespaces and the governance log groups only (data minimization). */
export const LINK_METRIC_FILTER = "Namespace IN ('AWS/Bedrock', 'AWS/Bedrock/Guardrails')";
export const LINK_LOG_GROUP_FILTER = "LogGroupName LIKE '/genai-governance/%'";
/** What the management account's link shares: the metrics this app publishes from the trail. */
export const MANAGEMENT_LINK_METRIC_FILTER = "Namespace IN ('GenAiGovernance')";

/** Resource types a link may share, and the sink accepts. */
export const SHARED_RESOURCE_TYPES = ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'];

/** The sink ARN parameters by Region, for the StackSet's per-Region parameter overrides. */
export function sinkArnParameterOverrides(config: GovernanceConfig, auditAccountId: string): Record<string, Record<string, string>> {
  return Object.fromEntries(config.organization.governedRegions.map((r) => [
    r, { [SINK_ARN_TEMPLATE_PARAMETER]: sinkArnParameterArn(auditAccountId, r) },
  ]));
}
