import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { ArnPrincipal, Effect, PolicyDocument, PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, CfnResourcePolicy } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ChatFunction } from './chat-function';
import type { ChatRoles } from './chat-roles';
import { acknowledgeFinding } from '../../../../building-blocks/gates/acknowledge';
import { type AuthorizerEnvironment, type RelayEnvironment, TURN_SETTLE_SECONDS, type TurnEnvironment, WIDGET_TOKEN_USE } from '../chat-wiring';

/** Where the handlers' entry points are. */
const HANDLERS = path.join(__dirname, '..', 'handlers');

/**
 * Memory of the turn, in MB. Lambda allocates CPU in proportion to memory (one vCPU at 1,769 MB); the turn's own work
 * (TLS to Bedrock, DynamoDB, STS and AppConfig, parsing the model's event stream, encoding frames) lies on the path to
 * the first token, so it gets more than the functions that mostly wait.
 */
const TURN_MEMORY_MB = 1024;
/** Memory of the relay and the authorizer, in MB: they mostly wait (on the turn's stream, on one JWKS fetch per container). */
const WAITING_FUNCTION_MEMORY_MB = 256;
/** The relay outlives the turn it waits on by the time to invoke it and post its last frames. */
const RELAY_BEYOND_TURN_SECONDS = 5;
/** The authorizer verifies one JWT: a JWKS fetch from Cognito on a cold container, then a signature check. */
const AUTHORIZER_TIMEOUT = Duration.seconds(5);

const OUTSIDE_VPC = 'Posts to the WebSocket API\'s @connections endpoint, which no VPC endpoint serves (docs/adr/0007-websocket-relay-outside-the-vpc.md); holds no data or model permissions';
const AUTHORIZER_OUTSIDE_VPC = 'Reads the user pool\'s public keys (JWKS) from Cognito\'s public endpoint and holds no data or model permissions';

/** The alias API Gateway and the relay invoke: CodeDeploy moves it from version to version (`ChatRelease`). */
export const LIVE_ALIAS = 'live';

/** Properties of `ChatFunctions`. */
export interface ChatFunctionsProps {
  /** Prefix of the functions' names (the tenant's, `support-chat`): `<prefix>-turn`, `<prefix>-relay`, `<prefix>-authorizer`. */
  readonly namePrefix: string;
  /** The functions' roles and their managed policies. */
  readonly roles: ChatRoles;
  /** The key of the functions' log groups. */
  readonly logKey: IKey;
  /** How long the functions' log groups keep their events. */
  readonly logRetention: RetentionDays;
  /** The turn's deadline (`limits.turnDeadlineSeconds`): the turn's and the relay's timeouts are derived from it. */
  readonly turnDeadlineSeconds: number;
  /** The turn's environment at creation (the settings' AppConfig ids are added once the settings exist). */
  readonly turnEnvironment: TurnEnvironment;
  /** The baseline VPC's subnets and the turn's security group: the turn runs there. */
  readonly turnVpc: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** The user pool and the widget's app client the authorizer verifies tokens for. */
  readonly userPoolId: string;
  readonly clientId: string;
}

/**
 * The chat path's three functions on their roles: the turn (inside the baseline VPC: store, budgets, routing, Bedrock,
 * answer), the relay (outside it, ADR 7: the WebSocket routes, which invoke the turn and post its frames) and the
 * `$connect` authorizer (outside it: Cognito's public keys). The relay may invoke the turn's alias `live` and nothing else of Lambda (each function's `live` alias is what a release moves);
 * its `CONNECTIONS_ENDPOINT` is added by the API that it posts to (`ChatApi`).
 *
 * Not a construct of its own: the functions and their log groups are added to `scope` as `Turn`, `Relay`, `Authorizer`
 * and `<id>Logs`, the ids of the tenant's deployed templates, so their logical ids do not change.
 */
export class ChatFunctions {
  public readonly turn: ChatFunction;
  public readonly relay: ChatFunction;
  public readonly authorizer: ChatFunction;
  /** All three, for what applies to every function (tracing, the dashboard's Lambda metrics). */
  public readonly all: readonly ChatFunction[];
  /** The turn's resource-based policy, on its alias: only the relay's role may invoke it. */
  public readonly turnInvokePolicy: CfnResourcePolicy;
  /** The turn's alias `live` (what the relay invokes) and the relay's (what the API's routes invoke). */
  public readonly turnAlias: Alias;
  public readonly relayAlias: Alias;

  constructor(scope: Construct, props: ChatFunctionsProps) {
    const { roles } = props;
    const logs = { logKey: props.logKey, logRetention: props.logRetention };
    this.turn = new ChatFunction(scope, 'Turn', {
      functionName: `${props.namePrefix}-turn`,
      description: 'Support chat: one turn (store, budgets, route, Bedrock through the approved profile and guardrail, answer), inside the baseline VPC',
      entry: path.join(HANDLERS, 'turn.ts'),
      role: roles.turnRole,
      rolePolicy: roles.turnPolicy,
      timeout: Duration.seconds(props.turnDeadlineSeconds + TURN_SETTLE_SECONDS),
      memorySize: TURN_MEMORY_MB,
      ...logs,
      vpc: props.turnVpc,
      environment: { ...props.turnEnvironment },
    });
    acknowledgeFinding(this.turn, {
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'It is in the baseline VPC: its subnets are the workload contract\'s, read from SSM by CloudFormation at deploy (Fn::Select of the list), which the rule cannot resolve at synth',
    });

    const authorizerEnvironment: AuthorizerEnvironment = { USER_POOL_ID: props.userPoolId, CLIENT_ID: props.clientId, TOKEN_USE: WIDGET_TOKEN_USE };
    this.authorizer = new ChatFunction(scope, 'Authorizer', {
      functionName: `${props.namePrefix}-authorizer`,
      description: 'Support chat: verifies the Cognito JWT on $connect',
      entry: path.join(HANDLERS, 'authorizer.ts'),
      role: roles.authorizerRole,
      rolePolicy: roles.authorizerPolicy,
      timeout: AUTHORIZER_TIMEOUT,
      memorySize: WAITING_FUNCTION_MEMORY_MB,
      ...logs,
      outsideVpcReason: AUTHORIZER_OUTSIDE_VPC,
      environment: { ...authorizerEnvironment },
    });

    // The per-user rate at the relay: the table's name and what the settings are checked against (the AppConfig ids are
    // added once the settings exist, as for the turn).
    const { TABLE_NAME, LIMITS, MODELS, ALLOWED_PROFILES } = props.turnEnvironment;
    // The relay invokes the turn's alias: a release moves it to the new version step by step (`ChatRelease`).
    this.turnAlias = new Alias(scope, 'TurnAlias', { aliasName: LIVE_ALIAS, version: this.turn.currentVersion, description: 'Support chat: the turn version the relay invokes' });
    const relayEnvironment: Omit<RelayEnvironment, 'CONNECTIONS_ENDPOINT'> = { TURN_FUNCTION_NAME: this.turnAlias.functionArn, TABLE_NAME, LIMITS, MODELS, ALLOWED_PROFILES };
    this.relay = new ChatFunction(scope, 'Relay', {
      functionName: `${props.namePrefix}-relay`,
      description: 'Support chat: the WebSocket routes; runs the turn and posts its frames to the connection',
      entry: path.join(HANDLERS, 'relay.ts'),
      role: roles.relayRole,
      rolePolicy: roles.relayPolicy,
      timeout: Duration.seconds(props.turnDeadlineSeconds + TURN_SETTLE_SECONDS + RELAY_BEYOND_TURN_SECONDS),
      memorySize: WAITING_FUNCTION_MEMORY_MB,
      ...logs,
      outsideVpcReason: OUTSIDE_VPC,
      environment: { ...relayEnvironment },
    });
    this.relayAlias = new Alias(scope, 'RelayAlias', { aliasName: LIVE_ALIAS, version: this.relay.currentVersion, description: 'Support chat: the relay version the API\'s routes invoke' });
    roles.relayPolicy.addStatements(new PolicyStatement({ sid: 'RunTheTurn', actions: ['lambda:InvokeFunction'], resources: [this.turnAlias.functionArn] }));
    onlyThroughTheAlias(scope, this.turn);
    this.turnInvokePolicy = onlyTheRelayInvokes(scope, this.turnAlias.functionArn, roles.relayRole.roleArn);
    this.all = [this.turn, this.relay, this.authorizer];
  }
}

/**
 * The resource-based policy of the turn's alias (`AWS::Lambda::ResourcePolicy`, which unlike `AWS::Lambda::Permission` takes a whole
 * document, Deny statements included; https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html):
 * the relay's role may invoke it (`InvokeWithResponseStream` is authorized as `lambda:InvokeFunction`), and every other
 * principal is denied, so a role of the account whose own policies allow invoking any function still cannot run a turn
 * with a `sub` of its choosing. Lambda's own invocations of the function need no permission of this policy.
 */
function onlyTheRelayInvokes(scope: Construct, turnAliasArn: string, relayRoleArn: string): CfnResourcePolicy {
  const invoke = ['lambda:InvokeFunction'];
  return new CfnResourcePolicy(scope, 'TurnAliasInvokePolicy', {
    resourceArn: turnAliasArn,
    policyDocument: new PolicyDocument({
      statements: [
        new PolicyStatement({ sid: 'TheRelayInvokes', principals: [new ArnPrincipal(relayRoleArn)], actions: invoke, resources: [turnAliasArn] }),
        new PolicyStatement({
          sid: 'OnlyTheRelayInvokes',
          effect: Effect.DENY,
          principals: [new StarPrincipal()],
          actions: invoke,
          resources: [turnAliasArn],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': relayRoleArn } },
        }),
      ],
    }),
  });
}

/**
 * The resource-based policy of the turn's unqualified ARN (`$LATEST`): nobody invokes it, the relay included, so every
 * turn runs the version a release put behind the alias. A policy applies to the ARN it is attached to: the alias has
 * its own (`onlyTheRelayInvokes`).
 */
function onlyThroughTheAlias(scope: Construct, turn: ChatFunction): CfnResourcePolicy {
  // The id of the policy the function's ARN had when the relay invoked it there: updated in place, never replaced
  // (a replacement would delete the function's policy after creating the new one on the same ARN).
  return new CfnResourcePolicy(scope, 'TurnInvokePolicy', {
    resourceArn: turn.functionArn,
    policyDocument: new PolicyDocument({
      statements: [new PolicyStatement({
        sid: 'OnlyThroughTheAlias', effect: Effect.DENY, principals: [new StarPrincipal()], actions: ['lambda:InvokeFunction'], resources: [turn.functionArn],
      })],
    }),
  });
}
