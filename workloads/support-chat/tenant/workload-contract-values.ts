import { CfnParameter } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { WORKLOAD_CONTRACT } from '../../../contracts/workload-contract';

/** What the tenant reads from the workload contract of its account and Region (resolved by CloudFormation at deploy). */
export interface WorkloadContractValues {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly endpointSecurityGroupId: string;
  readonly permissionsBoundaryArn: string;
  readonly invokePolicyArns: string[];
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
}

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
  const text = (name: string) => StringParameter.valueForStringParameter(scope, name);
  return {
    vpcId: text(WORKLOAD_CONTRACT.vpcId),
    subnetIds: list('ContractSubnetIds', WORKLOAD_CONTRACT.subnetIds),
    endpointSecurityGroupId: text(WORKLOAD_CONTRACT.endpointSecurityGroupId),
    permissionsBoundaryArn: text(WORKLOAD_CONTRACT.permissionsBoundaryArn),
    invokePolicyArns: list('ContractInvokePolicyArns', WORKLOAD_CONTRACT.invokePolicyArns),
    guardrailArn: text(WORKLOAD_CONTRACT.guardrailArn),
    guardrailVersion: text(WORKLOAD_CONTRACT.guardrailVersion),
  };
}
