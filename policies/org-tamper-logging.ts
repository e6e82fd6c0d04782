import { denyUnlessGovernance, governancePrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/** Every governance log group: `/genai-governance/...` and the governance functions' `/aws/lambda/genai-governance-...`. */
export const GOVERNANCE_LOG_GROUPS = 'arn:aws:logs:*:*:log-group:*genai-governance*';

/**
 * ORG-TAMPER-LOGGING: nobody but the governance principals changes or deletes Bedrock model-invocation logging (the
 * baseline's logging custom resource runs as a `genai-governance-*` role), nor the governance log groups and their log
 * streams (by name, which covers the streams' ARNs too): deletion, retention, encryption key, data protection, metric
 * and subscription filters, transformers, deletion protection, tags, and writing events into them (the services that
 * write them do so as `genai-governance-*` roles or as service principals, which SCPs do not govern). Written with
 * action families (`logs:Delete*`, `logs:Put*`…) so an action CloudWatch Logs adds to a family is denied too.
 */
export function orgTamperLoggingStatements(config: GovernanceConfig): PolicyStatement[] {
  return [
    denyUnlessGovernance(config, 'ORGTAMPERLOGGINGDenyInvocationLoggingChanges', [
      'bedrock:PutModelInvocationLoggingConfiguration', 'bedrock:DeleteModelInvocationLoggingConfiguration',
    ]),
    {
      Sid: 'ORGTAMPERLOGGINGDenyLogGroupChanges',
      Effect: 'Deny',
      Action: ['logs:Create*', 'logs:Delete*', 'logs:Put*', 'logs:Associate*', 'logs:Disassociate*', 'logs:Tag*', 'logs:Untag*'],
      Resource: GOVERNANCE_LOG_GROUPS,
      Condition: unlessPrincipal(governancePrincipalArns(config)),
    },
  ];
}
