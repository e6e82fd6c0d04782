import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The CloudFormation resource types below `scope` that CloudFormation deploys with a CDK bootstrap's execution role:
 * everything but the member templates (`exclude`: the Stages StackSets roll out with their own execution roles).
 */
export function deployedResourceTypes(scope: IConstruct, exclude: readonly IConstruct[]): Set<string> {
  const excluded = new Set(exclude);
  return new Set(scope.node.findAll()
    .filter((c): c is CfnResource => c instanceof CfnResource)
    .filter((r) => !r.node.scopes.some((s) => excluded.has(s)))
    .map((r) => r.cfnResourceType));
}
