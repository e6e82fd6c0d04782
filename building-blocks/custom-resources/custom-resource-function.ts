import { Duration } from 'aws-cdk-lib';
import type { IManagedPolicy, IRole } from 'aws-cdk-lib/aws-iam';
import { type CfnFunction, Code, Function as LambdaFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { inlineHandlerCode } from './inline-handler';
import { acknowledgeFinding, logicalIdOf } from '../gates/acknowledge';

export interface CustomResourceFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** The TypeScript handler; bundled and inlined (`inlineHandlerCode`). */
  readonly entry: string;
  readonly role: IRole;
  /** The managed policy that gives `role` its permissions: the function waits for it. */
  readonly rolePolicy: IManagedPolicy;
  readonly logGroup: ILogGroup;
  /** Why the function is not in a VPC (it must reach the CloudFormation response URL). */
  readonly outsideVpcReason: string;
  /** Why it has no reserved concurrency. */
  readonly concurrencyReason: string;
}

const RUNS_ONLY_FOR_CLOUDFORMATION = 'Runs only when CloudFormation creates, updates or deletes the stack; failures go back to CloudFormation in the response, nothing to replay';

/**
 * The Lambda function behind one of this app's custom resources: Node.js 24, the handler inlined as `index.js`, JSON
 * logs to the given log group, two minutes (the handlers' retries take at most about 6 s), and `DependsOn` only the
 * role's managed policy (aws-cdk-lib would add the role as well, which cfn-lint reports as redundant, W3005). The gate
 * findings every such function raises (not in a VPC, no DLQ, no reserved concurrency) are acknowledged here with the
 * reasons given.
 */
export function customResourceFunction(scope: Construct, id: string, props: CustomResourceFunctionProps): LambdaFunction {
  const fn = new LambdaFunction(scope, id, {
    functionName: props.functionName,
    description: props.description,
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline(inlineHandlerCode(props.entry)),
    role: props.role,
    timeout: Duration.minutes(2),
    memorySize: 256,
    logGroup: props.logGroup,
    loggingFormat: LoggingFormat.JSON,
  });
  (fn.node.defaultChild as CfnFunction).addOverride('DependsOn', [logicalIdOf(props.rolePolicy)]);
  acknowledgeFinding(fn,
    { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: props.outsideVpcReason },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: props.outsideVpcReason },
    { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: props.outsideVpcReason },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: RUNS_ONLY_FOR_CLOUDFORMATION },
    { id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ', reason: RUNS_ONLY_FOR_CLOUDFORMATION },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency', reason: props.concurrencyReason },
    { id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency', reason: props.concurrencyReason },
  );
  return fn;
}
