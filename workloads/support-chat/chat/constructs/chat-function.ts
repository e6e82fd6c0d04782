import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, type IRole, type ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnFunction, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logStreamsArn, logStreamsFinding } from '../../../../building-blocks/cloudwatch-logs/log-streams';
import { handlerAssetDirectory } from '../../../../building-blocks/custom-resources/asset-handler';
import { acknowledgeFinding, logicalIdOf } from '../../../../building-blocks/gates/acknowledge';

/** Properties of `ChatFunction`. */
export interface ChatFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** The handler's TypeScript file; bundled with esbuild at synth (no Docker). */
  readonly entry: string;
  readonly role: IRole;
  /** The role's managed policy: the function adds writing its log streams, and is created after it. */
  readonly rolePolicy: ManagedPolicy;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** The key and retention of the function's log group. */
  readonly logKey: IKey;
  readonly logRetention: RetentionDays;
  /**
   * Run in the baseline VPC (subnets and security group), reaching AWS through its endpoints.
   *
   * @default - outside a VPC, for which `outsideVpcReason` is required
   */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Why the function runs outside the VPC (acknowledges the gates' in-VPC rules). Required without `vpc`. */
  readonly outsideVpcReason?: string;
}

const SYNCHRONOUS = 'API Gateway invokes it synchronously for a WebSocket route or authorizer: a failure reaches the client as an error frame or a refused connection, there is no asynchronous event to send to a dead-letter queue';
const CONCURRENCY = 'Bounded by the WebSocket stage throttle and the per-user and tenant token budgets; reserving 500+ concurrent executions per function would take them from the rest of the account';

/**
 * A support-chat Lambda function: Node.js 24 on arm64, the handler bundled as a code asset, JSON logs to a log group of
 * its own (KMS-encrypted, with the config's retention), optionally inside the baseline VPC. The
 * gate findings every such function raises are acknowledged here with their reasons.
 */
export class ChatFunction extends LambdaFunction {
  /** The managed policies of the role the function needs at creation: CloudFormation creates it after them. */
  private readonly rolePolicies: ManagedPolicy[] = [];

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${props.functionName}`,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    super(scope, id, {
      functionName: props.functionName,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromAsset(handlerAssetDirectory(props.entry)),
      role: props.role,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
    props.rolePolicy.addStatements(new PolicyStatement({
      sid: 'OwnLogStreams', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreamsArn(`/aws/lambda/${props.functionName}`)],
    }));
    acknowledgeFinding(props.rolePolicy, { id: logStreamsFinding(`/aws/lambda/${props.functionName}`), reason: 'Lambda names the log streams of its function\'s log group' });
    // Only the managed policies: aws-cdk-lib would add the role as well, which cfn-lint reports as redundant (W3005).
    this.rolePolicies.push(props.rolePolicy);
    (this.node.defaultChild as CfnFunction).addOverride('DependsOn', Lazy.list({ produce: () => this.rolePolicies.map(logicalIdOf) }));
    if (props.vpc) {
      (this.node.defaultChild as CfnFunction).vpcConfig = { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds };
    } else {
      if (!props.outsideVpcReason) throw new Error(`${this.node.path}: a function outside the VPC needs outsideVpcReason`);
      acknowledgeFinding(this,
        { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: props.outsideVpcReason },
        { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: props.outsideVpcReason },
        { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: props.outsideVpcReason },
      );
    }
    acknowledgeFinding(this,
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason: SYNCHRONOUS },
      { id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ', reason: SYNCHRONOUS },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency', reason: CONCURRENCY },
      { id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency', reason: CONCURRENCY },
    );
  }

  /**
   * Turns on active tracing (X-Ray): Lambda samples invocations, runs the X-Ray daemon for the function and records its
   * segment; the handler's Tracer adds subsegments. `policy` is a managed policy of the function's role that allows
   * sending traces: Lambda refuses to create a function with active tracing whose role cannot, so the function is
   * created after it (not through aws-cdk-lib's `tracing`, which writes the permission into an inline default policy).
   */
  public activeTracing(policy: ManagedPolicy): void {
    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: Tracing.ACTIVE };
    if (!this.rolePolicies.includes(policy)) this.rolePolicies.push(policy);
  }
}
