import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { ArtifactMetadataEntryType } from 'aws-cdk-lib/cloud-assembly-schema';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
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

/** Every stack of an assembly, the member templates of its nested assemblies (StackSet Stages) included. */
export function assemblyStacks(assembly: CloudAssembly): CloudFormationStackArtifact[] {
  return [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)].flatMap((a) => a.stacks);
}

/**
 * Every acknowledgement recorded in a synthesized assembly, read from its stacks' metadata (aws-cdk-lib writes each
 * construct's acknowledged rules there, at the construct's path): what was built, without building it again. An
 * acknowledgement sits on a resource when its path carries the logical id of one of the template's resources.
 */
export function listAcknowledgements(assembly: CloudAssembly): RecordedAcknowledgement[] {
  return assemblyStacks(assembly).flatMap((stack) => {
    const resources: Record<string, unknown> = stack.template.Resources ?? {};
    const logicalIds = new Map(stack.findMetadataByType(ArtifactMetadataEntryType.LOGICAL_ID).map((e) => [e.path, e.data as string]));
    return stack.findMetadataByType(Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((e) => {
      const logicalId = logicalIds.get(e.path);
      return Object.entries(e.data as unknown as Record<string, string>).map(([ruleId, reason]) => ({
        path: e.path.replace(/^\//, ''), ruleId, reason, onResource: logicalId !== undefined && logicalId in resources,
      }));
    });
  });
}

/** A finding as `<construct path> <rule id>`, the rule id as the acknowledgement names it. */
export function findingKey(constructPath: string, ruleId: string): string {
  return `${constructPath} ${ruleId}`;
}

/**
 * The findings the gates raised at synth and an acknowledgement let pass, from the assembly's validation report
 * (`validation-report.json`, written when gates are registered): one `findingKey` per acknowledged finding. An
 * acknowledgement that is not among them no longer matches any finding.
 */
export function acknowledgedFindings(assembly: CloudAssembly): Set<string> {
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { suppressedViolations?: { acknowledgedAt: string; acknowledgedId: string }[] }[];
  };
  return new Set(report.pluginReports.flatMap((p) => p.suppressedViolations ?? []).map((v) => findingKey(v.acknowledgedAt, v.acknowledgedId)));
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
