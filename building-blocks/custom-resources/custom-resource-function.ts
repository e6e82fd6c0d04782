import { Duration } from 'aws-cdk-lib';
import type { IManagedPolicy, IRole } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { handlerAssetDirectory } from './asset-handler';
import { inlineHandlerCode } from './inline-handler';
import { acknowledgeLambdaFindings, dependOnRolePolicies, LAMBDA_RUNTIME } from './lambda-recipe';

/** How a `CustomResourceFunction`'s bundle reaches Lambda: inline in the template, or as a code asset. */
export type CodeDelivery = 'inline' | 'asset';

/** Properties of a `CustomResourceFunction`. */
export interface CustomResourceFunctionProps {
  /** Name of the function. */
  readonly functionName: string;
  /** What the function does (the Lambda description). */
  readonly description: string;
  /** Path of the TypeScript handler; it is bundled (`bundleHandler`) and shipped as `index.js` the way `codeDelivery` says. */
  readonly entry: string;
  /**
   * How the bundle reaches Lambda. `inline`: in the template as `Code.ZipFile` (`inlineHandlerCode`, at most 3,276 bytes,
   * 80 % of the 4,096-byte quota): what member templates of a StackSet need, since their accounts have no asset bucket.
   * `asset`: a Lambda code asset (`index.js` in a directory esbuild writes at synth, `handlerAssetDirectory`), published
   * to the stack's CDK asset bucket: for stacks deployed with the CDK toolkit into bootstrapped accounts.
   *
   * @default 'inline'
   */
  readonly codeDelivery?: CodeDelivery;
  /** The execution role. */
  readonly role: IRole;
  /** The managed policy that gives `role` its permissions: the function's one `DependsOn`, so it waits for it. */
  readonly rolePolicy: IManagedPolicy;
  /** The log group the function writes its JSON logs to. */
  readonly logGroup: ILogGroup;
  /** Why the function is not in a VPC (it must reach the CloudFormation response URL); recorded as the acknowledgement. */
  readonly outsideVpcReason: string;
  /** Why it has no reserved concurrency; recorded as the acknowledgement. */
  readonly concurrencyReason: string;
  /**
   * Why it has no dead-letter queue; recorded as the acknowledgement.
   *
   * @default - it runs only for CloudFormation, which its failures are answered to
   */
  readonly deadLetterQueueReason?: string;
  /**
   * Environment variables of the function.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

const RUNS_ONLY_FOR_CLOUDFORMATION = 'Runs only when CloudFormation creates, updates or deletes the stack; failures go back to CloudFormation in the response, nothing to replay';

/**
 * The Lambda function behind one of this app's custom resources: Node.js 24, the handler bundled as `index.js` (inline
 * or as a code asset, `codeDelivery`), JSON logs to the given log group, two minutes (under throttling the SDK's standard retries of one call wait about 31 s at most), 256 MB, and `DependsOn` only
 * the role's managed policy; the gate findings every such function raises (not in a VPC, no DLQ, no reserved concurrency)
 * are acknowledged with the reasons given (`lambda-recipe.ts`, the recipe every function of this app follows).
 */
export class CustomResourceFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: CustomResourceFunctionProps) {
    super(scope, id, {
      functionName: props.functionName,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      handler: 'index.handler',
      code: (props.codeDelivery ?? 'inline') === 'inline'
        ? Code.fromInline(inlineHandlerCode(props.entry))
        : Code.fromAsset(handlerAssetDirectory(props.entry)),
      role: props.role,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: props.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: props.environment,
    });
    dependOnRolePolicies(this, () => [props.rolePolicy]);
    acknowledgeLambdaFindings(this, {
      outsideVpc: props.outsideVpcReason,
      deadLetterQueue: props.deadLetterQueueReason ?? RUNS_ONLY_FOR_CLOUDFORMATION,
      concurrency: props.concurrencyReason,
    });
  }
}
