import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ServiceControlPolicy } from './service-control-policy';
import type { GovernanceConfig } from '../../config/schema';
import { brCri1Statements } from '../../policies/br-cri-1';

export interface ManagementStackProps extends StackProps {
  /** The validated governance config. */
  readonly config: GovernanceConfig;
}

/**
 * The management account's stack: Organizations policies (deployable only from the management account or an
 * Organizations delegated administrator). It attaches BR-CRI-1 to every workload OU of the config.
 */
export class ManagementStack extends Stack {
  /** The SCPs this stack manages, for summaries and tests. */
  public readonly serviceControlPolicies: ServiceControlPolicy[];

  constructor(scope: Construct, id: string, props: ManagementStackProps) {
    super(scope, id, props);
    const { config } = props;
    const ouIds = new Map(config.organizationalUnits.map((ou) => [ou.path, ou.id]));
    const workloadOuIds = config.organization.workloadOrganizationalUnits.map((path) => ouIds.get(path)!);

    this.serviceControlPolicies = [
      new ServiceControlPolicy(this, 'BrCri1', {
        policyName: 'genai-governance-br-cri-1',
        description: 'BR-CRI-1: Bedrock foundation models only through inference profiles (in-Region exceptions per config)',
        statements: brCri1Statements(config),
        targetIds: workloadOuIds,
      }),
    ];
  }
}
