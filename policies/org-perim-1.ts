import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * The STS actions of AWS's identity-perimeter RCP example: not `sts:AssumeRole*`, because federated sessions
 * (`AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`) carry no `aws:PrincipalOrgID`, and `TagSession` and
 * `SetSourceIdentity` accompany them (https://github.com/aws-samples/data-perimeter-policy-examples, resource control
 * policies, identity perimeter).
 */
export const PERIMETER_STS_ACTIONS = [
  'sts:AssumeRole', 'sts:DecodeAuthorizationMessage', 'sts:GetAccessKeyInfo', 'sts:GetFederationToken', 'sts:GetServiceBearerToken',
  'sts:GetSessionToken', 'sts:SetContext',
] as const;

/**
 * What the evidence accounts hold and RCPs can guard: S3 buckets (the archives, query results, access logs), KMS keys,
 * and the roles others assume (STS). RCPs support these services
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services).
 */
export const PERIMETER_ACTIONS = ['s3:*', 'kms:*', ...PERIMETER_STS_ACTIONS] as const;

/** AWS services acting for a resource: the data-perimeter example's confused-deputy statement covers all of STS. */
export const CONFUSED_DEPUTY_ACTIONS = ['s3:*', 'kms:*', 'sts:*'] as const;

/**
 * ORG-PERIM-1 (resource control policy on the accounts that hold evidence: the log archive and the audit account):
 * their buckets, keys and roles are reachable only by principals of the organization, and by AWS services only when
 * they act for a resource of the organization (confused-deputy protection), after AWS's data-perimeter RCP examples
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html). The examples'
 * exclusion tag (`dp:exclude:identity`) is left out on purpose: an administrator of an evidence account could tag a
 * bucket out of the perimeter.
 */
export function orgPerim1Statements(config: GovernanceConfig): PolicyStatement[] {
  const org = config.organization.id;
  return [
    {
      Sid: 'ORGPERIM1DenyPrincipalsOutsideOrganization',
      Effect: 'Deny',
      Principal: '*',
      Action: [...PERIMETER_ACTIONS],
      Resource: '*',
      Condition: {
        StringNotEqualsIfExists: { 'aws:PrincipalOrgID': org },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    },
    {
      Sid: 'ORGPERIM1DenyServicesActingForOthers',
      Effect: 'Deny',
      Principal: '*',
      Action: [...CONFUSED_DEPUTY_ACTIONS],
      Resource: '*',
      Condition: {
        StringNotEqualsIfExists: { 'aws:SourceOrgID': org },
        Null: { 'aws:SourceAccount': 'false' },
        Bool: { 'aws:PrincipalIsAWSService': 'true' },
      },
    },
  ];
}
