import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { type IRole, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type CodeDelivery, CustomResourceFunction } from './custom-resource-function';
import { allowOwnLogStreams, functionLogGroup } from './lambda-recipe';
import { acknowledgeFinding, type FindingAcknowledgement } from '../gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../kms/deny-grants-except-aws-resources';

/** Properties of a `GovernanceHandler`. */
export interface GovernanceHandlerProps {
  /** Name of the Lambda function; its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** What the function does (the Lambda description). */
  readonly description: string;
  /** Path of the TypeScript handler; it is bundled and shipped as `index.js` (`codeDelivery`). */
  readonly entry: string;
  /**
   * How the handler's bundle reaches Lambda: `inline` (`Code.ZipFile`, at most 80 % of the 4,096-byte quota; member
   * templates) or `asset` (a Lambda code asset in the stack's CDK asset bucket; stacks the CDK toolkit deploys).
   *
   * @default 'inline'
   */
  readonly codeDelivery?: CodeDelivery;
  /**
   * Name of the execution role and of its managed policy.
   *
   * @default - `functionName`
   */
  readonly roleName?: string;
  /** What the role is for (the IAM role description). */
  readonly roleDescription: string;
  /** The handler's permissions; a statement `WriteOwnLogs` for the function's own log streams is added after them. */
  readonly statements: readonly PolicyStatement[];
  /**
   * Acknowledgements for gate findings the statements raise (an IAM5 on an action without a resource type, say).
   *
   * @default - only the finding on the function's own log streams is acknowledged
   */
  readonly policyAcknowledgements?: readonly FindingAcknowledgement[];
  /** How long the function's log group keeps its events. */
  readonly logRetention: RetentionDays;
  /**
   * The key the function's log group is encrypted with. Its key policy must already let CloudWatch Logs of this
   * Region use it for the log group.
   *
   * @default - a new key (id `<childIdPrefix>LogKey`), rotated, kept on delete, grants only for AWS resources, usable
   * by CloudWatch Logs of this Region
   */
  readonly logEncryptionKey?: IKey;
  /**
   * What happens to the role and its managed policy when they leave the stack.
   *
   * @default - no removal policy is set: CloudFormation deletes them
   */
  readonly roleRemovalPolicy?: RemovalPolicy;
  /** Why the function is not in a VPC (it must reach the CloudFormation response URL); recorded as the acknowledgement. */
  readonly outsideVpcReason: string;
  /** Why it has no reserved concurrency; recorded as the acknowledgement. */
  readonly concurrencyReason: string;
  /**
   * Why it has no dead-letter queue; recorded as the acknowledgement. A function some other trigger than CloudFormation
   * invokes (a schedule, say) gives its own.
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
  /**
   * Prefix of the ids of this construct's children other than the function: `<prefix>LogKey`, `<prefix>Logs`,
   * `<prefix>Role` and `<prefix>Policy` (the function is always `Handler`). Construct ids determine logical ids; a
   * construct that declared these resources itself before this class existed keeps their logical ids by adding this
   * construct with the id `Default` (left out of logical ids) and the prefix its ids had.
   *
   * @see https://docs.aws.amazon.com/cdk/v2/guide/identifiers.html#identifiers-logical-ids
   * @default ''
   */
  readonly childIdPrefix?: string;
}

/**
 * The resources behind one of this app's custom resources: a log group `/aws/lambda/<functionName>` with the given
 * retention, kept on delete and encrypted with a customer-managed key (`logEncryptionKey`, or a new one); a role only
 * Lambda of this account may assume; one managed policy with the given statements plus the function's own log streams;
 * and the function (`CustomResourceFunction`, code inline or as an asset) that waits for that policy.
 *
 * Children: `LogKey` (without `logEncryptionKey`), `Logs`, `Role`, `Policy` and `Handler`, behind `childIdPrefix`.
 */
export class GovernanceHandler extends Construct {
  /** The Lambda function. */
  public readonly function: IFunction;
  /** The function's ARN: the `ServiceToken` of the custom resources it handles. */
  public readonly serviceToken: string;
  /** The function's execution role. */
  public readonly role: IRole;
  /** The function's log group. */
  public readonly logGroup: ILogGroup;
  /** The key the log group is encrypted with. */
  public readonly logEncryptionKey: IKey;

  constructor(scope: Construct, id: string, props: GovernanceHandlerProps) {
    super(scope, id);
    const prefix = props.childIdPrefix ?? '';
    const roleName = props.roleName ?? props.functionName;

    this.logEncryptionKey = props.logEncryptionKey ?? this.createLogKey(`${prefix}LogKey`, props.functionName);
    const logs = functionLogGroup(this, `${prefix}Logs`, {
      functionName: props.functionName, retention: props.logRetention, encryptionKey: this.logEncryptionKey,
    });
    this.logGroup = logs;
    const role = new Role(this, `${prefix}Role`, {
      roleName,
      description: props.roleDescription,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    this.role = role;
    const policy = new ManagedPolicy(this, `${prefix}Policy`, {
      managedPolicyName: roleName,
      roles: [role],
      statements: [...props.statements],
    });
    if (props.policyAcknowledgements?.length) acknowledgeFinding(policy, ...props.policyAcknowledgements);
    allowOwnLogStreams(policy, props.functionName);
    if (props.roleRemovalPolicy !== undefined) {
      role.applyRemovalPolicy(props.roleRemovalPolicy);
      policy.applyRemovalPolicy(props.roleRemovalPolicy);
    }

    const fn = new CustomResourceFunction(this, 'Handler', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      codeDelivery: props.codeDelivery,
      role,
      rolePolicy: policy,
      logGroup: logs,
      outsideVpcReason: props.outsideVpcReason,
      concurrencyReason: props.concurrencyReason,
      deadLetterQueueReason: props.deadLetterQueueReason,
      environment: props.environment,
    });
    this.function = fn;
    this.serviceToken = fn.functionArn;
  }

  /** The log group's own key: rotated, kept on delete, grants only for AWS resources, usable by CloudWatch Logs here. */
  private createLogKey(id: string, functionName: string): IKey {
    const key = new Key(this, id, {
      description: `Generative-AI governance: encrypts the logs of ${functionName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(key);
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    return key;
  }
}
