import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';

/**
 * Adds the key-policy statement Control Tower's CT.KMS.PR.3 asks for: grants only for AWS resources or by AWS services,
 * so no principal can hand the key's use on to another.
 */
export function denyGrantsExceptForAwsResources(key: Key): void {
  key.addToResourcePolicy(new PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
