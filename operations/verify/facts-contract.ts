import { resourcesOf, type Assembly } from './assembly';
import type { Fact } from './fact';
import { memberTargets } from './member-targets';
import type { GovernanceConfig } from '../../config/schema';
import { APPLICATION_PROFILE_PARAMETER_PREFIX } from '../../contracts/tenant-inference-profiles';
import { WORKLOAD_CONTRACT, type WorkloadContractEntry } from '../../contracts/workload-contract';

/**
 * The workload contract's facts: every SSM parameter the member baseline (and a tenant's application profiles
 * StackSet) publishes, by name and type, in every account × Region of the StackSet. Its values are ids of the account's own resources, which the assembly does not know; the
 * verifier does not compare them. Each parameter belongs to the control of what it points to.
 */
export const CONTRACT_CONTROLS: Record<WorkloadContractEntry, string> = {
  vpcId: 'BL-VPCE-1',
  subnetIds: 'BL-VPCE-1',
  endpointSecurityGroupId: 'BL-VPCE-1',
  permissionsBoundaryArn: 'BL-IAM-1',
  invokePolicyArns: 'BL-IAM-1',
  inferenceProfileIds: 'BL-IAM-1',
  guardrailArn: 'BL-GR-1',
  guardrailVersion: 'BL-GR-1',
};

const CONTROL_BY_NAME = new Map<string, string>(Object.entries(WORKLOAD_CONTRACT)
  .map(([entry, name]) => [name, CONTRACT_CONTROLS[entry as WorkloadContractEntry]]));

/** The control of a contract parameter; a tenant's application inference profile ARNs are BR-AIP-1's (creation kept to the platform). */
function controlOf(name: string): string | undefined {
  return CONTROL_BY_NAME.get(name) ?? (name.startsWith(APPLICATION_PROFILE_PARAMETER_PREFIX) ? 'BR-AIP-1' : undefined);
}

export function contractFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  return assembly.members.flatMap((m) => {
    const parameters = resourcesOf(m.template, 'AWS::SSM::Parameter')
      .filter(([, p]) => typeof p.Name === 'string' && controlOf(p.Name) !== undefined)
      .map(([, p]) => ({ name: String(p.Name), type: String(p.Type) }));
    return memberTargets(m, config).flatMap((t) => parameters.map((p): Fact => ({
      control: controlOf(p.name)!,
      account: t.account,
      region: t.region,
      clientRegion: t.region,
      kind: 'contract-parameter',
      subject: p.name,
      call: `ssm:GetParameters ${p.name}`,
      expected: { Type: p.type },
    })));
  });
}
