import { denyUnlessGovernance } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * ORG-TAMPER-LOGGING: nobody but the governance principals (the baseline's logging custom resource runs as a
 * `genai-governance-*` role) changes or deletes Bedrock model-invocation logging.
 */
export function orgTamperLoggingStatements(config: GovernanceConfig): PolicyStatement[] {
  return [denyUnlessGovernance(config, 'ORGTAMPERLOGGINGDenyInvocationLoggingChanges', ['bedrock:PutModelInvocationLoggingConfiguration', 'bedrock:DeleteModelInvocationLoggingConfiguration'])];
}
