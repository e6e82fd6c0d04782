import type { Duration } from 'aws-cdk-lib';
import type { IRole, ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnFunction, Code, Function as LambdaFunction, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { handlerAssetDirectory } from '../../../../building-blocks/custom-resources/asset-handler';
import {
  acknowledgeLambdaFindings, allowOwnLogStreams, dependOnRolePolicies, functionLogGroup, LAMBDA_RUNTIME,
} from '../../../../building-blocks/custom-resources/lambda-recipe';

/** Properties of `ChatFunction`. */
export interface ChatFunctionProps {
  /** The function's name; its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** What the function does (the Lambda description). */
  readonly description: string;
  /** The handler's TypeScript file; bundled with esbuild at synth (no Docker). */
  readonly entry: string;
  /** The execution role. */
  readonly role: IRole;
  /** The role's managed policy: the function adds writing its log streams, and is created after it. */
  readonly rolePolicy: ManagedPolicy;
  /** Environment variables of the handler (`NODE_OPTIONS` is added). */
  readonly environment: Record<string, string>;
  /** How long one invocation may run. */
  readonly timeout: Duration;
  /**
   * Memory in MB; Lambda allocates CPU in proportion to it.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /** The key of the function's log group. */
  readonly logKey: IKey;
  /** How long the function's log group keeps its events. */
  readonly logRetention: RetentionDays;
  /**
   * Run in the baseline VPC (subnets and security group), reaching AWS through its endpoints.
   *
   * @default - outside a VPC, for which `outsideVpcReason` is required
   */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Why the function runs outside the VPC (acknowledges the gates' in-VPC rules). Required without `vpc`.
   *
   * @default - none: the function must have `vpc`
   */
  readonly outsideVpcReason?: string;
  /**
   * Why the function has no dead-letter queue (acknowledges the gates' DLQ rules).
   *
   * @default - API Gateway invokes it synchronously for a WebSocket route or authorizer
   */
  readonly deadLetterQueueReason?: string;
  /**
   * Why the function has no reserved concurrency (acknowledges the gates' concurrency rules): what bounds its
   * concurrent executions instead.
   *
   * @default - the WebSocket stage throttle and the token budgets bound it (a WebSocket route or authorizer)
   */
  readonly concurrencyReason?: string;
}

const SYNCHRONOUS = 'API Gateway invokes it synchronously for a WebSocket route or authorizer: a failure reaches the client as an error frame or a refused connection, there is no asynchronous event to send to a dead-letter queue';
const CONCURRENCY = 'Bounded by the WebSocket stage throttle and the per-user and tenant token budgets; reserving 500+ concurrent executions per function would take them from the rest of the account';

/**
 * A support-chat Lambda function on this app's Lambda recipe (`building-blocks/custom-resources/lambda-recipe.ts`):
 * Node.js 24 on arm64, the handler bundled as a code asset, JSON logs to a log group of its own (KMS-encrypted, with the
 * config's retention, created in `scope` as `<id>Logs`), optionally inside the baseline VPC. The gate findings every
 * such function raises are acknowledged with their reasons.
 */
export class ChatFunction extends LambdaFunction {
  /** The function's name as given: a plain string at synth (`functionName` is a reference to the resource). */
  public readonly name: string;
  /** The managed policies of the role the function needs at creation: CloudFormation creates it after them. */
  private readonly rolePolicies: ManagedPolicy[] = [];

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    const logGroup = functionLogGroup(scope, `${id}Logs`, { functionName: props.functionName, encryptionKey: props.logKey, retention: props.logRetention });
    super(scope, id, {
      functionName: props.functionName,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
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
    this.name = props.functionName;
    allowOwnLogStreams(props.rolePolicy, props.functionName);
    this.rolePolicies.push(props.rolePolicy);
    dependOnRolePolicies(this, () => this.rolePolicies);
    if (props.vpc) {
      (this.node.defaultChild as CfnFunction).vpcConfig = { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds };
    } else if (!props.outsideVpcReason) {
      throw new Error(`${this.node.path}: a function outside the VPC needs outsideVpcReason`);
    }
    const outsideVpc = props.vpc ? undefined : props.outsideVpcReason;
    acknowledgeLambdaFindings(this, {
      outsideVpc, deadLetterQueue: props.deadLetterQueueReason ?? SYNCHRONOUS, concurrency: props.concurrencyReason ?? CONCURRENCY,
    });
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
