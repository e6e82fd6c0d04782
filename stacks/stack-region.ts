import { Stack, Token } from 'aws-cdk-lib';

/**
 * The Region of a stack that is made for one Region (its names, policies and dashboards carry the Region): the
 * `env.region` it was given. Without one, CloudFormation would only know the Region at deploy time, so this throws.
 */
export function concreteRegion(stack: Stack): string {
  if (Token.isUnresolved(stack.region)) {
    throw new Error(`${stack.node.path} serves one Region: give it env.region (it has none, so its Region is only known at deploy time)`);
  }
  return stack.region;
}
