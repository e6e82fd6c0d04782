import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ChatFunction } from './chat-function';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';

/** Properties of `ChatTracing`. */
export interface ChatTracingProps {
  /** The functions to trace; their roles get the policy. */
  readonly functions: readonly ChatFunction[];
  /** The managed policy's name (one per account: the Region belongs in it). */
  readonly policyName: string;
}

/**
 * Active X-Ray tracing of the tenant's functions (docs/adr/0008-support-chat-telemetry.md): one managed policy on their
 * roles that lets Lambda's X-Ray daemon send the segments (`xray:PutTraceSegments`, `xray:PutTelemetryRecords`, what
 * AWS's `AWSXRayDaemonWriteAccess` grants without the sampling-rule reads, which the X-Ray SDK does not make in
 * Lambda), and each function in `Active` mode, created after the policy.
 */
export class ChatTracing extends Construct {
  public readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ChatTracingProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.policyName,
      description: 'Support chat: the functions\' X-Ray segments (active tracing)',
      roles: props.functions.map((f) => f.role!),
      statements: [new PolicyStatement({ sid: 'SendTraces', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
    });
    acknowledgeFinding(this.policy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray authorizes PutTraceSegments and PutTelemetryRecords only on * (no resource types: '
        + 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html); the policy allows these two actions and nothing else',
    });
    for (const f of props.functions) f.activeTracing(this.policy);
  }
}
