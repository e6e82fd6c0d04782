import { Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { type IManagedPolicy, type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnFunction, type Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { logStreamsArn, logStreamsFinding } from '../cloudwatch-logs/log-streams';
import { acknowledgeFinding, logicalIdOf } from '../gates/acknowledge';

/*
 * The one recipe every Lambda function of this app follows, whoever builds it (`CustomResourceFunction` and
 * `GovernanceHandler` here, a workload's functions such as the support-chat tenant's `ChatFunction`): Node.js 24, a log
 * group of its own that is created before the function and kept on delete, its role's managed policy allowed to write
 * only that group's streams, `DependsOn` only those managed policies, and the gate findings every such function raises
 * acknowledged on the function with the builder's reasons.
 */

/** The runtime of every function of this app. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** The log group Lambda writes a function's logs to: `/aws/lambda/<functionName>`. */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Properties of `functionLogGroup`. */
export interface FunctionLogGroupProps {
  /** The function whose log group this is. */
  readonly functionName: string;
  /** How long the group keeps its events. */
  readonly retention: RetentionDays;
  /** The customer-managed key the group is encrypted with; its key policy must let CloudWatch Logs of this Region use it. */
  readonly encryptionKey: IKey;
}

/**
 * The function's log group `/aws/lambda/<functionName>`, created by the template (not by Lambda on first write, which
 * would leave it unencrypted and kept forever), kept on delete, in `scope` under `id`.
 */
export function functionLogGroup(scope: Construct, id: string, props: FunctionLogGroupProps): LogGroup {
  return new LogGroup(scope, id, {
    logGroupName: functionLogGroupName(props.functionName),
    encryptionKey: props.encryptionKey,
    retention: props.retention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * Lets the function's role write its own log streams (statement `WriteOwnLogs`) through `policy`, a managed policy of
 * that role, and acknowledges the stream wildcard there.
 */
export function allowOwnLogStreams(policy: ManagedPolicy, functionName: string): void {
  const logGroupName = functionLogGroupName(functionName);
  policy.addStatements(new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreamsArn(logGroupName)] }));
  acknowledgeFinding(policy, {
    id: logStreamsFinding(logGroupName),
    reason: 'Lambda names its log streams itself; the wildcard is the streams of the function\'s own log group',
  });
}

/**
 * Makes the function depend on exactly these managed policies of its role (read when the template is written, so a
 * policy added later counts): CloudFormation creates it after them. aws-cdk-lib would add the role as well, which
 * cfn-lint reports as redundant (W3005).
 */
export function dependOnRolePolicies(fn: LambdaFunction, policies: () => readonly IManagedPolicy[]): void {
  (fn.node.defaultChild as CfnFunction).addOverride('DependsOn', Lazy.list({ produce: () => policies().map(logicalIdOf) }));
}

/** Why a function lacks what the gates' Lambda rules ask for, recorded as their acknowledgements. */
export interface LambdaFindingReasons {
  /**
   * Why it runs outside a VPC.
   *
   * @default - it runs in a VPC: no acknowledgement of the in-VPC rules
   */
  readonly outsideVpc?: string;
  /** Why it has no dead-letter queue. */
  readonly deadLetterQueue: string;
  /** Why it has no reserved concurrency. */
  readonly concurrency: string;
}

/** Acknowledges on `fn` the gate findings every function of this app raises, with the builder's reasons. */
export function acknowledgeLambdaFindings(fn: IConstruct, reasons: LambdaFindingReasons): void {
  if (reasons.outsideVpc !== undefined) {
    acknowledgeFinding(fn,
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: reasons.outsideVpc },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: reasons.outsideVpc },
      { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: reasons.outsideVpc },
    );
  }
  acknowledgeFinding(fn,
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: reasons.deadLetterQueue },
    { id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ', reason: reasons.deadLetterQueue },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency', reason: reasons.concurrency },
    { id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency', reason: reasons.concurrency },
  );
}
