import { CfnResource, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Metadata type under which acknowledgements are recorded (and, unless record-only, also applied). */
export const ACKNOWLEDGEMENT_METADATA_TYPE = 'genai-governance:acknowledgement';

/** Shortest reason accepted: a reviewer must be able to check it. */
export const MIN_ACKNOWLEDGEMENT_REASON = 20;

/** One gate finding on one resource, and why it does not apply. */
export interface FindingAcknowledgement {
  /**
   * The finding's rule id as the report's "Acknowledge with" line gives it, plugin included:
   * `AwsSolutions::AwsSolutions-S1`, `cdk-validator-cfnguard::s3_bucket_logging_enabled_check`. No wildcard in the
   * rule (a bracketed resource detail may name a wildcard resource).
   */
  readonly id: string;
  /** Why the finding does not apply to this resource; at least 20 characters a reviewer can check. */
  readonly reason: string;
}

/**
 * The rule part of a finding id, without the bracketed detail cdk-nag adds for findings about one value
 * (`AwsSolutions-IAM5[Resource::arn:aws:s3:::b/*]` → `AwsSolutions-IAM5`). The detail may hold `*` (it names a
 * wildcard resource); the rule may not.
 */
export function ruleName(id: string): string {
  const bracket = id.indexOf('[');
  return bracket < 0 ? id : id.slice(0, bracket);
}

/**
 * Acknowledges gate findings on exactly one CloudFormation resource. `resource` may be an L1 resource or an L2
 * construct whose `defaultChild` is one; anything else (a stack, a construct holding several resources) throws,
 * because acknowledgements apply to every resource beneath the construct they are recorded on.
 */
export function acknowledgeFinding(resource: IConstruct, ...acknowledgements: FindingAcknowledgement[]): void {
  const target = resource instanceof CfnResource ? resource : resource.node.defaultChild;
  if (!(target instanceof CfnResource)) {
    throw new Error(`acknowledgeFinding: ${resource.node.path} is not a CloudFormation resource and has no default child resource`);
  }
  for (const { id, reason } of acknowledgements) {
    if (!/^[\w.-]+::[A-Za-z0-9][\w.:\-[\]<>/=,@ *]*$/.test(id) || ruleName(id).includes('*')) {
      throw new Error(`acknowledgeFinding: "${id}" on ${target.node.path} must name one rule as plugin::rule, without wildcards`);
    }
    if (reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON) {
      throw new Error(`acknowledgeFinding: the reason for ${id} on ${target.node.path} must have at least ${MIN_ACKNOWLEDGEMENT_REASON} characters; found "${reason}"`);
    }
    target.node.addMetadata(ACKNOWLEDGEMENT_METADATA_TYPE, { id, reason });
    Validations.of(target).acknowledge({ id, reason });
  }
}

/**
 * The template logical id of an L2 construct's CloudFormation resource, as cdk-nag names it in a finding id
 * (`AwsSolutions-IAM5[Resource::<LogGroupF5B46931.Arn>:log-stream:*]`).
 */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/**
 * The partition of `scope`'s stack as cdk-nag names it in a finding id: the literal (`aws`) when the stack's Region is
 * known (`@aws-cdk/core:enablePartitionLiterals`), else `<AWS::Partition>`.
 */
export function partitionOf(scope: IConstruct): string {
  const partition = Stack.of(scope).partition;
  return Token.isUnresolved(partition) ? '<AWS::Partition>' : partition;
}
