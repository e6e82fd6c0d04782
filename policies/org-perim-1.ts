import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** The services of the archive whose resources the perimeter covers. */
export const PERIMETER_ACTIONS = ['s3:*', 'kms:*'] as const;

/**
 * ORG-PERIM-1 (resource control policy on the log-archive account): its buckets and keys are reachable only by
 * principals of the organization, and by AWS services only when they act for a resource of the organization
 * (confused-deputy protection), after AWS's data-perimeter RCP examples
 * (https://github.com/aws-samples/resource-control-policy-examples).
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
      Action: [...PERIMETER_ACTIONS],
      Resource: '*',
      Condition: {
        StringNotEqualsIfExists: { 'aws:SourceOrgID': org },
        Null: { 'aws:SourceAccount': 'false' },
        Bool: { 'aws:PrincipalIsAWSService': 'true' },
      },
    },
  ];
}
