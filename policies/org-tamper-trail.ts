import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** ORG-TAMPER-TRAIL: nobody but the governance principals stops, deletes or narrows a CloudTrail trail. */
export function orgTamperTrailStatements(config: GovernanceConfig): PolicyStatement[] {
  return [denyUnlessGovernance(config, 'ORGTAMPERTRAILDenyTrailChanges', [
    'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
    'cloudtrail:PutInsightSelectors', 'cloudtrail:PutEventConfiguration',
  ])];
}
