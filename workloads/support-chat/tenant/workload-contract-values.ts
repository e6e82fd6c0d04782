import { CfnParameter } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { WORKLOAD_CONTRACT, WORKLOAD_CONTRACT_LISTS, type WorkloadContractEntry } from '../../../contracts/workload-contract';

/**
 * The contract entries the tenant reads: all but `inferenceProfileIds`, since the tenant's profiles come from the config
 * it is synthesized with (`tenant-models.ts`), which the baseline derives that list from too.
 */
export type TenantContractEntry = Exclude<WorkloadContractEntry, 'inferenceProfileIds'>;

/** What the tenant reads from the workload contract of its account and Region (resolved by CloudFormation at deploy). */
export type WorkloadContractValues = {
  readonly [K in TenantContractEntry]: K extends typeof WORKLOAD_CONTRACT_LISTS[number] ? string[] : string;
};

/**
 * The template parameter of each list entry the tenant reads (an SSM `StringList` is read through a parameter of type
 * `AWS::SSM::Parameter::Value<List<String>>`). The ids are the template's parameter names: they never change.
 */
const LIST_PARAMETER_IDS = {
  subnetIds: 'ContractSubnetIds',
  invokePolicyArns: 'ContractInvokePolicyArns',
} as const satisfies Record<Extract<TenantContractEntry, typeof WORKLOAD_CONTRACT_LISTS[number]>, string>;

/** The entries the tenant reads, in the contract's order. */
const TENANT_ENTRIES = (Object.keys(WORKLOAD_CONTRACT) as WorkloadContractEntry[])
  .filter((entry): entry is TenantContractEntry => entry !== 'inferenceProfileIds');

/**
 * Reads the workload contract (`/genai-governance/workload/*`, published by the member baseline) as template
 * parameters of the SSM parameter types, so the tenant's template names no account-specific id: CloudFormation reads
 * the values in the account and Region it deploys to.
 */
export function readWorkloadContract(scope: Construct): WorkloadContractValues {
  const list = (id: string, name: string) => new CfnParameter(scope, id, {
    type: 'AWS::SSM::Parameter::Value<List<String>>',
    default: name,
    description: `Workload contract: ${name}`,
  }).valueAsList;
  const read = (entry: TenantContractEntry): string | string[] => entry in LIST_PARAMETER_IDS
    ? list(LIST_PARAMETER_IDS[entry as keyof typeof LIST_PARAMETER_IDS], WORKLOAD_CONTRACT[entry])
    : StringParameter.valueForStringParameter(scope, WORKLOAD_CONTRACT[entry]);
  return Object.fromEntries(TENANT_ENTRIES.map((entry) => [entry, read(entry)])) as WorkloadContractValues;
}
