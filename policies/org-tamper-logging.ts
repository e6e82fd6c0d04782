import { governancePrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * ORG-TAMPER-LOGGING: nobody but the governance principals (the baseline's logging custom resource runs as a
 * `genai-governance-*` role) changes or deletes Bedrock model-invocation logging.
 */
export function orgTamperLoggingStatements(config: GovernanceConfig): PolicyStatement[] {
  return [{
    Sid: 'ORGTAMPERLOGGINGDenyInvocationLoggingChanges',
    Effect: 'Deny',
    Action: ['bedrock:PutModelInvocationLoggingConfiguration', 'bedrock:DeleteModelInvocationLoggingConfiguration'],
    Resource: '*',
    Condition: unlessPrincipal(governancePrincipalArns(config)),
  }];
}
