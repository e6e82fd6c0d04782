import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * ORG-TAMPER-MACIE: nobody but the governance principals disables, pauses or detaches Macie, turns off the
 * organization's auto-enable or automated sensitive-data discovery, or pauses or cancels a classification job.
 */
export function orgTamperMacieStatements(config: GovernanceConfig): PolicyStatement[] {
  return [denyUnlessGovernance(config, 'ORGTAMPERMACIEDenyMacieChanges', [
    'macie2:DisableMacie', 'macie2:UpdateMacieSession', 'macie2:DisassociateFromAdministratorAccount',
    'macie2:DisassociateFromMasterAccount', 'macie2:DisableOrganizationAdminAccount', 'macie2:DeleteMember',
    'macie2:DisassociateMember', 'macie2:UpdateOrganizationConfiguration', 'macie2:UpdateAutomatedDiscoveryConfiguration',
    'macie2:BatchUpdateAutomatedDiscoveryAccounts', 'macie2:UpdateClassificationJob',
  ])];
}
