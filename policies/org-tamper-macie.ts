import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * ORG-TAMPER-MACIE: nobody but the governance principals disables, pauses or detaches Macie or a member, changes the
 * delegated administrator, turns off the organization's auto-enable or automated sensitive-data discovery, narrows what
 * it inspects (classification scope, sensitivity inspection template, resource profiles), pauses or cancels a
 * classification job, suppresses findings (findings filters, allow lists) or redirects their export and publication.
 * The `Update*`, `Delete*`, `Disable*`, `Disassociate*` and `Put*` families hold no read, so an action Macie adds to
 * them is denied too.
 */
export function orgTamperMacieStatements(config: GovernanceConfig): PolicyStatement[] {
  return [denyUnlessGovernance(config, 'ORGTAMPERMACIEDenyMacieChanges', [
    'macie2:Update*', 'macie2:Delete*', 'macie2:Disable*', 'macie2:Disassociate*', 'macie2:Put*',
    'macie2:BatchUpdateAutomatedDiscoveryAccounts', 'macie2:CreateFindingsFilter', 'macie2:CreateAllowList',
    'macie2:EnableOrganizationAdminAccount',
  ])];
}
