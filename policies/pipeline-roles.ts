import { accountIdOf } from '../config/accounts';
import type { GovernanceConfig } from '../config/schema';

/**
 * The roles of the pipeline's CDK bootstrap (stacksets/bootstrap/), named as the CDK CLI's bootstrap template names
 * them (`cdk-<qualifier>-<kind>-role-<account>-<region>`) with the pipeline's own qualifier
 * (`pipeline.bootstrapQualifier`), so the stack synthesizer and CDK Pipelines find them by that qualifier alone.
 */
export type PipelineBootstrapRoleKind = 'deploy' | 'file-publishing' | 'lookup' | 'cfn-exec';

/** The name of a bootstrap role in an account and Region (IAM role names: at most 64 characters). */
export function pipelineBootstrapRoleName(qualifier: string, kind: PipelineBootstrapRoleKind, account: string, region: string): string {
  return `cdk-${qualifier}-${kind}-role-${account}-${region}`;
}

/** The name pattern of one kind of bootstrap role in every account and Region: `cdk-<qualifier>-<kind>-role-*`. */
export function pipelineBootstrapRolePattern(qualifier: string, kind: PipelineBootstrapRoleKind): string {
  return `cdk-${qualifier}-${kind}-role-*`;
}

/**
 * The accounts where CloudFormation, acting as the pipeline's execution role, deploys governance resources that the
 * root's tamper rules protect: log-archive and audit (the evidence accounts). The management account is not among
 * them: SCPs never apply there. Neither is any workload account: its stacks hold no governance resource, and its own
 * CDK roles, of any qualifier, stay non-exempt.
 */
export function pipelineGovernanceAccountIds(config: GovernanceConfig): string[] {
  if (!config.pipeline) return [];
  return [...new Set([config.topology.logArchive, config.topology.audit].map((name) => accountIdOf(config, name)))];
}

/**
 * The pipeline's CloudFormation execution roles that are governance principals: by account id and by the role name
 * with the pipeline's qualifier, in every Region (`cdk-<qualifier>-cfn-exec-role-<account>-*`); none without a
 * `pipeline` section.
 */
export function pipelineExecutionRoleArns(config: GovernanceConfig): string[] {
  const qualifier = config.pipeline?.bootstrapQualifier;
  if (!qualifier) return [];
  return pipelineGovernanceAccountIds(config).map((id) => `arn:aws:iam::${id}:role/${pipelineBootstrapRoleName(qualifier, 'cfn-exec', id, '*')}`);
}
