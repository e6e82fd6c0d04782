import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { type UserPool, UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ChatFunction } from './chat-function';
import type { SignUpEnvironment } from '../handlers/lib/sign-up-domain';
import { SIGN_UP_GROUP } from '../handlers/post-confirmation';

/** Where the handlers' entry points are. */
const HANDLERS = path.join(__dirname, '..', 'handlers');
/** Cognito waits at most 5 seconds for a trigger (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html). */
const TRIGGER_TIMEOUT = Duration.seconds(5);
const TRIGGER_MEMORY_MB = 256;
const OUTSIDE_VPC = 'A Cognito user pool trigger: the pre sign-up trigger calls nothing, the post confirmation trigger calls only Cognito\'s regional endpoint, for which the baseline VPC has no interface endpoint; holds no data or model permissions';
const SYNCHRONOUS = 'Cognito invokes it synchronously during sign-up and confirmation: a failure reaches the visitor as the failed call\'s error, there is no asynchronous event to send to a dead-letter queue';
const CONCURRENCY = 'Only this user pool invokes it, once per sign-up or confirmation request, which Cognito admits at most at the account\'s request-rate quotas for user pools (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html); each invocation ends within the 5-second trigger timeout, and a reserve would take executions from the rest of the account';

/** Properties of `ChatSelfSignUp`. */
export interface ChatSelfSignUpProps {
  /** The tenant's user pool, created with self sign-up on. */
  readonly userPool: UserPool;
  /** The e-mail domains open to self sign-up (`workloads.supportChat.identity.selfSignUp.allowedEmailDomains`). */
  readonly allowedEmailDomains: readonly string[];
  /** Prefix of the functions', roles' and policies' names (the tenant's, `support-chat`). */
  readonly namePrefix: string;
  /** The stack's Region: IAM names are global to the account, and the tenant has a stack per Region. */
  readonly region: string;
  /** The key of the functions' log groups. */
  readonly logKey: IKey;
  /** How long the functions' log groups keep their events. */
  readonly logRetention: RetentionDays;
}

/**
 * Self sign-up limited to e-mail domains: the pool's pre sign-up trigger refuses any other address, and its post
 * confirmation trigger adds a confirmed user of an allowed domain to the `customer` group. Each trigger has a role of
 * its own; the post confirmation role may call `cognito-idp:AdminAddUserToGroup` on this user pool only, through a
 * policy of its own (the pool names the function, so the function cannot wait for a policy that names the pool).
 */
export class ChatSelfSignUp extends Construct {
  public readonly preSignUp: ChatFunction;
  public readonly postConfirmation: ChatFunction;
  /** The post confirmation role's permission to add users of this pool to groups. */
  public readonly addToGroupPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ChatSelfSignUpProps) {
    super(scope, id);
    if (props.allowedEmailDomains.length === 0) throw new Error(`${this.node.path}: self sign-up needs at least one allowed e-mail domain`);
    const environment: SignUpEnvironment = { ALLOWED_EMAIL_DOMAINS: JSON.stringify(props.allowedEmailDomains.map((d) => d.toLowerCase())) };
    const name = (what: string) => `${props.namePrefix}-${what}-${props.region}`;
    const lambdaPrincipal = new ServicePrincipal('lambda.amazonaws.com');
    const common = {
      timeout: TRIGGER_TIMEOUT,
      memorySize: TRIGGER_MEMORY_MB,
      logKey: props.logKey,
      logRetention: props.logRetention,
      outsideVpcReason: OUTSIDE_VPC,
      deadLetterQueueReason: SYNCHRONOUS,
      concurrencyReason: CONCURRENCY,
      environment: { ...environment },
    };

    const preRole = new Role(this, 'PreSignUpRole', { roleName: name('pre-sign-up'), assumedBy: lambdaPrincipal });
    const prePolicy = new ManagedPolicy(this, 'PreSignUpPolicy', { managedPolicyName: name('pre-sign-up'), roles: [preRole] });
    this.preSignUp = new ChatFunction(this, 'PreSignUp', {
      functionName: `${props.namePrefix}-pre-sign-up`,
      description: 'Support chat: refuses a self sign-up whose e-mail domain is not allowed',
      entry: path.join(HANDLERS, 'pre-sign-up.ts'),
      role: preRole,
      rolePolicy: prePolicy,
      ...common,
    });

    const postRole = new Role(this, 'PostConfirmationRole', { roleName: name('post-confirmation'), assumedBy: lambdaPrincipal });
    const postPolicy = new ManagedPolicy(this, 'PostConfirmationPolicy', { managedPolicyName: name('post-confirmation'), roles: [postRole] });
    this.addToGroupPolicy = new ManagedPolicy(this, 'AddToGroupPolicy', {
      managedPolicyName: name('post-confirmation-group'),
      roles: [postRole],
      statements: [new PolicyStatement({ sid: 'AddUsersOfThisPoolToGroups', actions: ['cognito-idp:AdminAddUserToGroup'], resources: [props.userPool.userPoolArn] })],
    });
    this.postConfirmation = new ChatFunction(this, 'PostConfirmation', {
      functionName: `${props.namePrefix}-post-confirmation`,
      description: `Support chat: adds a self-signed-up user of an allowed e-mail domain to the ${SIGN_UP_GROUP} group`,
      entry: path.join(HANDLERS, 'post-confirmation.ts'),
      role: postRole,
      rolePolicy: postPolicy,
      ...common,
    });

    props.userPool.addTrigger(UserPoolOperation.PRE_SIGN_UP, this.preSignUp);
    props.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, this.postConfirmation);
  }
}
