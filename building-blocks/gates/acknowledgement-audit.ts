import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { MIN_ACKNOWLEDGEMENT_REASON, ruleName } from './acknowledge';

/** One recorded acknowledgement: which finding, on which construct, why. */
export interface RecordedAcknowledgement {
  /** Construct path the acknowledgement is recorded on. */
  readonly path: string;
  /** The rule id as aws-cdk-lib recorded it (plugin-qualified, e.g. `AwsSolutions::AwsSolutions-S1`). */
  readonly ruleId: string;
  readonly reason: string;
  /** Whether it sits on a single CloudFormation resource. */
  readonly onResource: boolean;
}

/** Every acknowledgement recorded anywhere under `scope`, in construct order. */
export function listAcknowledgements(scope: IConstruct): RecordedAcknowledgement[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([ruleId, reason]) => ({
      path: c.node.path, ruleId, reason, onResource: c instanceof CfnResource,
    }))));
}

/**
 * Why an acknowledgement is too broad, or undefined when it is acceptable: it must sit on one CloudFormation resource
 * (aws-cdk-lib applies an acknowledgement to everything beneath its construct, so one on a stack silences a rule for
 * the whole stack), name one rule without wildcards, and give a reason of at least 20 characters.
 */
export function acknowledgementProblem(ack: RecordedAcknowledgement): string | undefined {
  if (!ack.onResource) return 'not on a single CloudFormation resource (a blanket acknowledgement)';
  if (ruleName(ack.ruleId).includes('*')) return 'the rule id has a wildcard';
  if (ack.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON) return `the reason is shorter than ${MIN_ACKNOWLEDGEMENT_REASON} characters`;
  return undefined;
}
