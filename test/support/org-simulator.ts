import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GovernanceConfig } from '../../config/schema';
import { OrgEvaluator, type AttachedPolicy } from '../../operations/policy-preview/org-evaluator';

export type { OrgRequest } from '../../operations/policy-preview/org-evaluator';

/** An Organizations policy as synthesized: read back from the templates, not from the functions that build it. */
export type SynthesizedPolicy = AttachedPolicy;

/** Every `AWS::Organizations::Policy` in the assembly. */
export function synthesizedPolicies(assembly: CloudAssembly): SynthesizedPolicy[] {
  return assembly.stacks.flatMap((s) => Object.values(s.template.Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::Organizations::Policy')
    .map((r) => ({ name: r.Properties.Name, type: r.Properties.Type, targetIds: r.Properties.TargetIds, content: r.Properties.Content })));
}

/**
 * The organization evaluator (operations/policy-preview/org-evaluator.ts) with the SCPs and RCPs read back from the
 * synthesized templates, attached where their `TargetIds` say.
 */
export class OrgSimulator extends OrgEvaluator {
  constructor(assembly: CloudAssembly, config: GovernanceConfig) {
    super(config, synthesizedPolicies(assembly));
  }
}
