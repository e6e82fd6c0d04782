import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const WORKLOAD_ACCOUNT = '741852096357';

export interface ScpRequest {
  readonly action: string;
  readonly resource: string;
  /** Request context, e.g. `{ 'bedrock:InferenceProfileArn': '…', 'aws:RequestedRegion': 'eu-west-1' }`. */
  readonly context?: Record<string, string | string[]>;
  /** @default a workload role in the support-chat-prod account */
  readonly principal?: string;
}

/**
 * Evaluates a request as AWS does for a principal in an OU with `FullAWSAccess` at the root and the OU plus the given
 * SCPs at the OU, and an identity policy that allows everything: the outcome is the SCPs' alone.
 */
export async function evaluateScps(scps: readonly { name: string; policy: unknown }[], request: ScpRequest): Promise<string> {
  const principal = request.principal ?? `arn:aws:iam::${WORKLOAD_ACCOUNT}:role/support-chat-app`;
  const simulation: Simulation = {
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource, accountId: WORKLOAD_ACCOUNT },
      contextVariables: request.context ?? {},
    },
    identityPolicies: [{ name: 'allow-all', policy: ALLOW_ALL }],
    serviceControlPolicies: [
      { orgIdentifier: 'r-4f2k', policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }] },
      { orgIdentifier: 'ou-4f2k-p4s8j2la', policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...scps.map((s) => ({ name: s.name, policy: s.policy as any }))] },
    ],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
