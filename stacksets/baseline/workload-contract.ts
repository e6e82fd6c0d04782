import { Aws, CfnMapping, CfnParameter, Fn } from 'aws-cdk-lib';
import { CfnParameter as CfnSsmParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { GUARDRAIL_TEMPLATE_PARAMETER, WORKLOAD_CONTRACT } from '../../contracts/workload-contract';

/** The guardrail the contract names: its ARN and numeric version. */
export interface ContractGuardrail {
  readonly arn: string;
  readonly version: string;
}

/** Properties of `WorkloadContract`. */
export interface WorkloadContractProps {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly endpointSecurityGroupId: string;
  readonly permissionsBoundaryArn: string;
  readonly invokePolicyArns: string[];
  /** The inference-profile ids callable from each governed Region (the template is the same in every Region). */
  readonly inferenceProfileIdsByRegion: Readonly<Record<string, readonly string[]>>;
  /**
   * The guardrail in force.
   *
   * @default - the organization guardrail, read from the management account's shared parameter through the
   * `OrganizationGuardrailParameter` template parameter (see `organizationGuardrail`)
   */
  readonly guardrail?: ContractGuardrail;
  /** Default of `OrganizationGuardrailParameter` (the shared parameter's ARN); StackSets override it per Region. */
  readonly guardrailParameterArn: string;
}

/** Value written for a Region with no approved profile (an SSM `StringList` cannot be empty). */
export const NO_PROFILES = 'none';

/**
 * The workload contract (`/genai-governance/workload/*`, `contracts/workload-contract.ts`): SSM parameters in every
 * member account and governed Region naming what a workload needs to run inside the controls — the endpoints' VPC,
 * subnets and security group, the boundary and invoke policies, the profiles callable from the Region, and the guardrail
 * (ARN and numeric version) to pass on every call. ORG-TAMPER-BASELINE keeps anyone but the governance principals from
 * changing them.
 */
export class WorkloadContract extends Construct {
  /** The parameters, by contract entry. */
  public readonly parameters: Record<keyof typeof WORKLOAD_CONTRACT, CfnSsmParameter>;

  constructor(scope: Construct, id: string, props: WorkloadContractProps) {
    super(scope, id);
    const guardrail = props.guardrail ?? this.organizationGuardrail(scope, props.guardrailParameterArn);
    const profiles = new CfnMapping(this, 'InferenceProfiles', {
      mapping: Object.fromEntries(Object.entries(props.inferenceProfileIdsByRegion)
        .map(([region, ids]) => [region, { ids: ids.length > 0 ? ids.join(',') : NO_PROFILES }])),
    });
    const parameter = (key: keyof typeof WORKLOAD_CONTRACT, value: string, description: string, list = false) => new CfnSsmParameter(this, key, {
      name: WORKLOAD_CONTRACT[key],
      type: list ? 'StringList' : 'String',
      value,
      description: `Workload contract: ${description}`,
    });
    this.parameters = {
      vpcId: parameter('vpcId', props.vpcId, 'the VPC with the Bedrock interface endpoints'),
      subnetIds: parameter('subnetIds', Fn.join(',', props.subnetIds), 'the subnets to run in to reach Bedrock through the endpoints', true),
      endpointSecurityGroupId: parameter('endpointSecurityGroupId', props.endpointSecurityGroupId, 'the endpoints\' security group (HTTPS from the VPC)'),
      permissionsBoundaryArn: parameter('permissionsBoundaryArn', props.permissionsBoundaryArn, 'the permission boundary every role must carry'),
      invokePolicyArns: parameter('invokePolicyArns', Fn.join(',', props.invokePolicyArns), 'the CRI-only invoke policies to attach', true),
      inferenceProfileIds: parameter('inferenceProfileIds', profiles.findInMap(Aws.REGION, 'ids'), 'the approved inference profiles callable from this Region', true),
      guardrailArn: parameter('guardrailArn', guardrail.arn, 'the guardrail Bedrock enforces here'),
      guardrailVersion: parameter('guardrailVersion', guardrail.version, 'its numeric version, for every call'),
    };
  }

  /** The organization guardrail's `<ARN>:<version>` from the management account's shared parameter, split. */
  private organizationGuardrail(scope: Construct, parameterArn: string): ContractGuardrail {
    const identifier = new CfnParameter(scope, GUARDRAIL_TEMPLATE_PARAMETER, {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: parameterArn,
      description: 'Workload contract: ARN of the management account\'s shared SSM parameter holding the organization guardrail\'s <ARN>:<version> in this Region',
    });
    // arn:aws:bedrock:<region>:<account>:guardrail/<id>:<version>: the first six fields are the ARN, the seventh the version.
    const fields = Fn.split(':', identifier.valueAsString);
    return { arn: Fn.join(':', [0, 1, 2, 3, 4, 5].map((i) => Fn.select(i, fields))), version: Fn.select(6, fields) };
  }
}
