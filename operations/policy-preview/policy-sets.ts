import type { AttachedPolicy } from './org-evaluator';
import type { Snapshot, SnapshotPolicy } from './snapshot-schema';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { bedrockPolicyContent, bedrockPolicyName, placeholderGuardrailIdentifier } from '../../policies/br-gr-1';
import { compileOrganizationPolicies } from '../../policies/compiler/compile';
import { organizationControls } from '../../policies/organization-controls';

/** A policy of one side of the comparison (deployed or proposed), with the controls it holds where known. */
export interface SidePolicy extends AttachedPolicy {
  /** Whether this tool writes it (a `genai-governance-` name, not AWS managed). */
  readonly ours: boolean;
  /** An AWS managed policy (`FullAWSAccess`, `RCPFullAWSAccess`): the evaluator assumes them at every level instead. */
  readonly awsManaged?: boolean;
  /** Control ids, for the compiled policies. */
  readonly controls?: readonly string[];
}

/** Whether a deployed policy is one this tool writes: its name carries the governance prefix. */
export function isOurs(p: Pick<SnapshotPolicy, 'name' | 'awsManaged'>): boolean {
  return !p.awsManaged && p.name.startsWith(GOVERNANCE_NAME_PREFIX);
}

/** The guardrail identifier (`<ARN>:<version>`) a BR-GR-1 Bedrock policy names for `region`, if any. */
export function guardrailIdentifierOf(content: unknown, region: string): string | undefined {
  const id = (content as any)?.bedrock?.guardrail_inference?.[region]?.config_1?.identifier?.['@@assign'];
  return typeof id === 'string' ? id : undefined;
}

/** Every guardrail identifier a Bedrock policy names, in any Region and configuration. */
export function guardrailIdentifiersIn(content: unknown): string[] {
  const regions = (content as any)?.bedrock?.guardrail_inference;
  if (!regions || typeof regions !== 'object') return [];
  return Object.values(regions as Record<string, Record<string, any>>).flatMap((configs) => Object.values(configs ?? {}))
    .map((c) => c?.identifier?.['@@assign']).filter((id): id is string => typeof id === 'string');
}

/** The deployed side: every SCP, RCP and Bedrock policy of the snapshot as attached. */
export function deployedSide(snapshot: Snapshot): SidePolicy[] {
  return snapshot.policies.map((p) => ({
    name: p.name, type: p.type, targetIds: p.targetIds, content: p.content, ours: isOurs(p), awsManaged: p.awsManaged,
  }));
}

/**
 * The proposed side: the snapshot's policies this tool does not write, unchanged, plus what the config compiles to with
 * the compiler the management stack uses (SCPs, RCPs) and BR-GR-1's Bedrock policy per governed Region. The guardrail
 * identifier exists only once deployed: the proposed Bedrock policy names the one the deployed policy of the same name
 * names, or, for a Region without one, the longest placeholder the stack measures with.
 */
export function proposedSide(config: GovernanceConfig, snapshot: Snapshot): SidePolicy[] {
  const foreign = deployedSide(snapshot).filter((p) => !p.ours);
  const compiled = compileOrganizationPolicies(config, organizationControls(config)).policies.map((p): SidePolicy => ({
    name: p.name, type: p.policyType, targetIds: p.targets.map((t) => t.id), content: p.document, ours: true, controls: p.controls,
  }));
  const management = accountIdOf(config, config.topology.management);
  const bedrock = config.organization.governedRegions.map((region): SidePolicy => {
    const name = bedrockPolicyName(region);
    const deployed = snapshot.policies.find((p) => p.type === 'BEDROCK_POLICY' && p.name === name);
    const identifier = guardrailIdentifierOf(deployed?.content, region) ?? placeholderGuardrailIdentifier(region, management);
    return {
      name, type: 'BEDROCK_POLICY', targetIds: [config.organization.rootId], content: bedrockPolicyContent(config, region, identifier), ours: true, controls: ['BR-GR-1'],
    };
  });
  return [...foreign, ...compiled, ...(snapshot.policyTypes.BEDROCK_POLICY.status === 'read' ? bedrock : [])];
}
