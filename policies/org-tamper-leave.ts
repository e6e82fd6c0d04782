import { platformPrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** ORG-TAMPER-LEAVE: no account leaves the organization (and so its controls) except by the platform or break-glass role. */
export function orgTamperLeaveStatements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'ORGTAMPERLEAVEDenyLeavingOrganization',
    Effect: 'Deny',
    Action: 'organizations:LeaveOrganization',
    Resource: '*',
    Condition: unlessPrincipal(platformPrincipalArns(config)),
  }];
}
