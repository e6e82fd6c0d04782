import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** ORG-TAMPER-OAM: nobody but the governance principals deletes or narrows a CloudWatch cross-account observability link. */
export function orgTamperOamStatements(config: GovernanceConfig): PolicyStatement[] {
  return [denyUnlessGovernance(config, 'ORGTAMPEROAMDenyLinkChanges', ['oam:DeleteLink', 'oam:UpdateLink'])];
}
