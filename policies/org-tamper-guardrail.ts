import { denyUnlessGovernance, governancePrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';
import { GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE } from '../contracts/governance-names';

/**
 * ORG-TAMPER-GUARDRAIL: nobody but the governance principals changes account-level guardrail enforcement, or changes,
 * deletes or re-permissions a guardrail the baseline created (tagged `genai-governance:managed=true`).
 */
export function orgTamperGuardrailStatements(config: GovernanceConfig): PolicyStatement[] {
  const unlessGovernance = unlessPrincipal(governancePrincipalArns(config));
  return [
    denyUnlessGovernance(config, 'ORGTAMPERGUARDRAILDenyEnforcementChanges', [
      'bedrock:PutEnforcedGuardrailConfiguration', 'bedrock:DeleteEnforcedGuardrailConfiguration',
    ]),
    {
      Sid: 'ORGTAMPERGUARDRAILDenyGuardrailChanges',
      Effect: 'Deny',
      Action: ['bedrock:UpdateGuardrail', 'bedrock:DeleteGuardrail', 'bedrock:PutResourcePolicy', 'bedrock:DeleteResourcePolicy'],
      Resource: 'arn:aws:bedrock:*:*:guardrail/*',
      Condition: { StringEquals: { [`aws:ResourceTag/${GOVERNANCE_TAG_KEY}`]: GOVERNANCE_TAG_VALUE }, ...unlessGovernance },
    },
  ];
}
