import { type CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ChatFunction } from './chat-function';
import { acknowledgeFinding, partitionOf } from '../../../../building-blocks/gates/acknowledge';
import { CHAT_API, type RelayEnvironment, TOKEN_IDENTITY_SOURCE } from '../chat-wiring';

/**
 * The stage's throttle, the only bound on the functions' concurrency (none is reserved, `ChatFunction`): 100 messages a
 * second across all connections, bursts of 200; API Gateway's account-level default is 10,000 requests a second
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-protect.html
 */
export const CHAT_STAGE_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/** Properties of `ChatApi`. */
export interface ChatApiProps {
  /** The API's name (the tenant's, `support-chat`). */
  readonly apiName: string;
  /** The function of every route. */
  readonly relay: ChatFunction;
  /**
   * What the routes invoke: the relay's alias, which a release moves from version to version.
   *
   * @default - the relay function itself (its unqualified ARN)
   */
  readonly relayTarget?: IFunction;
  /** The relay's managed policy: posting to this API's connections is added to it. */
  readonly relayPolicy: ManagedPolicy;
  /** The `$connect` authorizer. */
  readonly authorizer: ChatFunction;
  /** The key and retention of the access logs. */
  readonly logKey: IKey;
  readonly logRetention: RetentionDays;
  /**
   * The stage's throttle.
   *
   * @default CHAT_STAGE_THROTTLE
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

const ROUTE_REASON = 'API Gateway applies a WebSocket authorizer on $connect only; every later message rides the connection $connect authorized, and the relay takes the user from the authorizer\'s context';

/**
 * The chat's WebSocket API (`CHAT_API`): `$connect` behind the Lambda REQUEST authorizer (the token in the
 * `Sec-WebSocket-Protocol` header, docs/adr/0028-support-chat-token-in-the-subprotocol-header.md),
 * `$connect`, `$disconnect` and `$default` on the relay; the `live` stage, auto-deployed, throttled, with access logs
 * (KMS-encrypted, kept on delete) written with API Gateway's account-wide role; the relay allowed to post to and close
 * this stage's connections only, and told where (`CONNECTIONS_ENDPOINT`). API Gateway's permissions to invoke the functions
 * name this account as well as the API (confused deputy).
 *
 * Not a construct of its own: it adds its resources to `scope` (the stack) under the ids of the tenant's deployed
 * templates (`Api`, `Stage`, `ApiAccessLogs`, `ApiGatewayLogsRole`, `ApiGatewayAccount`), so their logical ids do not change.
 */
export class ChatApi {
  public readonly api: WebSocketApi;
  public readonly stage: WebSocketStage;

  constructor(scope: Construct, props: ChatApiProps) {
    const stack = Stack.of(scope);
    const accessLogs = new LogGroup(scope, 'ApiAccessLogs', { encryptionKey: props.logKey, retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    const relayTarget = props.relayTarget ?? props.relay;
    this.api = new WebSocketApi(scope, 'Api', {
      apiName: props.apiName,
      description: 'Support chat: authenticated WebSocket streaming',
      routeSelectionExpression: CHAT_API.routeSelectionExpression,
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', relayTarget),
        authorizer: new WebSocketLambdaAuthorizer('Authorizer', props.authorizer, { identitySource: [TOKEN_IDENTITY_SOURCE] }),
      },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', relayTarget) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', relayTarget) },
    });
    for (const route of ['$disconnect-Route', '$default-Route']) {
      acknowledgeFinding(this.api.node.findChild(route),
        { id: 'AwsSolutions::AwsSolutions-APIG4', reason: ROUTE_REASON },
        { id: 'cdk-validator-cfnguard::api_gw_v2_authorization_type_configured_check', reason: ROUTE_REASON },
      );
    }
    this.stage = new WebSocketStage(scope, 'Stage', {
      webSocketApi: this.api,
      stageName: CHAT_API.stageName,
      autoDeploy: true,
      throttle: { ...(props.throttle ?? CHAT_STAGE_THROTTLE) },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    // The relay posts frames (POST) and closes a connection whose token expired (DELETE); never GET a connection's details.
    for (const [sid, method, what] of [['PostToConnections', 'POST', 'Posting to'], ['CloseConnections', 'DELETE', 'Closing']] as const) {
      const connections = `${CHAT_API.stageName}/${method}/@connections/*`;
      props.relayPolicy.addStatements(new PolicyStatement({
        sid,
        actions: ['execute-api:ManageConnections'],
        resources: [stack.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: connections })],
      }));
      acknowledgeFinding(props.relayPolicy, {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(stack)}:execute-api:${stack.region}:${stack.account}:<${stack.getLogicalId(this.api.node.defaultChild as CfnResource)}>/${connections}]`,
        reason: `${what} a connection names the connection id, which API Gateway assigns per connection: the resource is this API's ${CHAT_API.stageName} stage, ${method} to @connections only`,
      });
    }
    const connectionsEndpoint: keyof RelayEnvironment = 'CONNECTIONS_ENDPOINT';
    props.relay.addEnvironment(connectionsEndpoint, this.stage.callbackUrl);

    // API Gateway writes access logs with an account-wide role (one per account and Region).
    const apiLogsRole = new Role(scope, 'ApiGatewayLogsRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    acknowledgeFinding(apiLogsRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'AWS\'s managed policy for the account-wide role API Gateway writes access logs with; it names only the CloudWatch Logs actions it needs',
    });
    this.stage.node.addDependency(new CfnAccount(scope, 'ApiGatewayAccount', { cloudWatchRoleArn: apiLogsRole.roleArn }));
    // API Gateway's permissions to invoke the functions name this account as well as the API (confused deputy).
    for (const permission of stack.node.findAll().filter((c): c is CfnPermission => c instanceof CfnPermission)) {
      permission.sourceAccount = stack.account;
    }
  }
}
