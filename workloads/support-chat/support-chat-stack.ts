import * as path from 'node:path';
import { Aws, type CfnResource, Duration, Fn, Lazy, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { WebSocketApi, WebSocketStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ArnPrincipal, CfnRole, Effect, ManagedPolicy, PermissionsBoundary, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ChatAlarms } from './chat/constructs/chat-alarms';
import { ChatDashboard } from './chat/constructs/chat-dashboard';
import { ChatFunction } from './chat/constructs/chat-function';
import { ChatIdentity } from './chat/constructs/chat-identity';
import { ChatSettingsConfig } from './chat/constructs/chat-settings-config';
import { ChatTracing } from './chat/constructs/chat-tracing';
import { ChatWebAcl } from './chat/constructs/chat-waf';
import { ConversationTable } from './chat/constructs/conversation-table';
import { defaultChatSettings } from './chat/handlers/lib/chat-settings';
import { CONVERSATION_ACTIONS } from './chat/handlers/lib/session-policy';
import { TenantEndpoints } from './tenant/tenant-endpoints';
import { tenantAllowedProfiles, tenantModels } from './tenant/tenant-models';
import { readWorkloadContract } from './tenant/workload-contract-values';
import { acknowledgeFinding, partitionOf } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import type { GovernanceConfig } from '../../config/schema';

export interface SupportChatStackProps extends StackProps {
  readonly config: GovernanceConfig;
  /** The Region of this stack (one of `workloads.supportChat.regions`). */
  readonly region: string;
}

/** Name prefix of the tenant's functions and roles (not `genai-governance-`: those are the platform's, ORG-TAMPER-BASELINE). */
export const TENANT_PREFIX = 'support-chat';
const HANDLERS = path.join(__dirname, 'chat', 'handlers');
const OUTSIDE_VPC = 'Posts to the WebSocket API\'s @connections endpoint, which no VPC endpoint serves (docs/adr/0007-websocket-relay-outside-the-vpc.md); holds no data or model permissions';

/**
 * The support-chat tenant in one workload account and Region, inside every control: it reads the workload contract
 * (`/genai-governance/workload/*`), every role carries the workload boundary, Bedrock is reached only through the
 * contract's invoke policies (approved profiles, the guardrail) from the baseline VPC.
 *
 * - `ChatIdentity`: the Cognito user pool (customer, agent, admin; federation from config) and the widget's client;
 * - the WebSocket API: `$connect` behind the Lambda REQUEST authorizer (Cognito JWT), `$connect`/`$disconnect`/`$default`
 *   on the relay; stage throttling and access logs;
 * - the relay (outside the VPC, ADR 7) and the turn (inside: store, budgets, routing, Bedrock, answer);
 * - the conversation table (per-user partitions, TTL, PITR, customer-managed key) and the conversation-data role the
 *   turn assumes with a session policy for one user (`dynamodb:LeadingKeys`);
 * - the DynamoDB and STS interface endpoints the turn needs beyond the baseline's.
 */
export class SupportChatStack extends Stack {
  public readonly identity: ChatIdentity;
  public readonly table: ConversationTable;
  public readonly api: WebSocketApi;
  public readonly stage: WebSocketStage;
  public readonly turn: ChatFunction;
  public readonly relay: ChatFunction;
  public readonly authorizer: ChatFunction;
  public readonly dataRole: Role;
  /** The web ACL of the user pool: AWS managed common and known-bad-input rules, a rate limit per client IP. */
  public readonly waf: ChatWebAcl;
  /** The turn's settings in AWS AppConfig (routing, prompts, flags, budgets), deployed gradually under the alarms. */
  public readonly settings: ChatSettingsConfig;
  /** The alarms on the handlers' metrics (`alarms.errorRate`: a rollback monitor) and their topic. */
  public readonly alarms: ChatAlarms;
  /** The tenant dashboard `support-chat-<region>`. */
  public readonly dashboard: ChatDashboard;

  constructor(scope: Construct, id: string, props: SupportChatStackProps) {
    super(scope, id, props);
    const tenant = props.config.workloads.supportChat;
    if (!tenant) throw new Error('SupportChatStack needs workloads.supportChat in the config');
    const contract = readWorkloadContract(this);
    PermissionsBoundary.of(this).apply(ManagedPolicy.fromManagedPolicyArn(this, 'WorkloadBoundary', contract.permissionsBoundaryArn));
    const logRetention = props.config.retention.logGroupRetentionDays;

    const key = new Key(this, 'Key', { description: 'Support chat: conversations and logs', enableKeyRotation: true });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    denyGrantsExceptForAwsResources(key);
    this.table = new ConversationTable(this, 'Conversations', { key });
    this.identity = new ChatIdentity(this, 'Identity', { identityProviders: tenant.identityProviders });
    // AWS WAF in front of the user pool (sign-in, sign-up, tokens); WAF cannot protect a WebSocket API (chat-waf.ts).
    this.waf = new ChatWebAcl(this, 'Waf', { name: TENANT_PREFIX, resourceArn: this.identity.userPool.userPoolArn, logKey: key, logRetention });

    const lambdaPrincipal = new ServicePrincipal('lambda.amazonaws.com');
    const turnRole = new Role(this, 'TurnRole', { roleName: `${TENANT_PREFIX}-turn-${props.region}`, assumedBy: lambdaPrincipal });
    // The contract's CRI-only invoke policies, as many as the baseline wrote (a list CloudFormation reads from SSM).
    (turnRole.node.defaultChild as CfnRole).managedPolicyArns = contract.invokePolicyArns;
    this.dataRole = new Role(this, 'ConversationDataRole', {
      roleName: `${TENANT_PREFIX}-conversation-data-${props.region}`,
      assumedBy: new ArnPrincipal(turnRole.roleArn),
      description: 'Assumed by the turn function with a session policy for one user (dynamodb:LeadingKeys)',
    });
    const throughDynamoDb = new PolicyStatement({
      sid: 'TableKeyThroughDynamoDb',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${props.region}.amazonaws.com` } },
    });
    new ManagedPolicy(this, 'ConversationDataPolicy', {
      managedPolicyName: `${TENANT_PREFIX}-conversation-data-${props.region}`,
      roles: [this.dataRole],
      statements: [new PolicyStatement({ sid: 'ConversationTable', actions: [...CONVERSATION_ACTIONS], resources: [this.table.table.tableArn] }), throughDynamoDb],
    });

    const endpoints = new TenantEndpoints(this, 'Endpoints', {
      vpcId: contract.vpcId,
      subnetIds: contract.subnetIds,
      bedrockEndpointSecurityGroupId: contract.endpointSecurityGroupId,
      tableArn: this.table.table.tableArn,
      dataRoleArn: this.dataRole.roleArn,
      // The settings are created last (their deployments roll back on the alarms, which watch the functions).
      settingsConfigurationArn: Lazy.string({ produce: () => this.settings.configurationArn }),
    });
    const turnPolicy = new ManagedPolicy(this, 'TurnPolicy', {
      managedPolicyName: `${TENANT_PREFIX}-turn-${props.region}`,
      roles: [turnRole],
      statements: [
        new PolicyStatement({ sid: 'OneUsersSession', actions: ['sts:AssumeRole'], resources: [this.dataRole.roleArn] }),
        // AWS's pattern for enforcing a guardrail (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html):
        // a call without the contract's guardrail at its numeric version is denied, whatever else allows it.
        new PolicyStatement({
          sid: 'EveryCallWithTheGuardrail',
          effect: Effect.DENY,
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': `${contract.guardrailArn}:${contract.guardrailVersion}` } },
        }),
        new PolicyStatement({
          sid: 'TenantCounterOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [this.table.table.tableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANT'] } },
        }),
        throughDynamoDb,
        new PolicyStatement({
          sid: 'NetworkInterfacesOfTheVpcFunction',
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeFinding(turnPolicy, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Lambda creates and deletes the function\'s network interfaces in the VPC; EC2 authorizes these network-interface actions only on * (what AWSLambdaVPCAccessExecutionRole grants)',
    });
    acknowledgeFinding(turnRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4',
      reason: 'Its managed policies are the workload contract\'s CRI-only invoke policies (customer-managed, BL-IAM-1), a list CloudFormation reads from SSM at deploy, so the rule cannot read them at synth',
    });

    const models = tenantModels(props.config, props.region);
    const allowedProfiles = tenantAllowedProfiles(props.config, props.region);
    this.turn = new ChatFunction(this, 'Turn', {
      functionName: `${TENANT_PREFIX}-turn`,
      description: 'Support chat: one turn (store, budgets, route, Bedrock through the approved profile and guardrail, answer), inside the baseline VPC',
      entry: path.join(HANDLERS, 'turn.ts'),
      role: turnRole,
      rolePolicy: turnPolicy,
      timeout: Duration.seconds(tenant.limits.turnDeadlineSeconds + 5),
      memorySize: 1024,
      logKey: key,
      logRetention,
      // The contract's first two subnets (two Availability Zones: the baseline VPC has exactly two), named one by one so
      // the template lists them, rather than passing a list parameter whole.
      vpc: { subnetIds: [0, 1].map((i) => Fn.select(i, contract.subnetIds)), securityGroupIds: [endpoints.functionSecurityGroup.attrGroupId] },
      environment: {
        TABLE_NAME: this.table.table.tableName,
        TABLE_ARN: this.table.table.tableArn,
        DATA_ROLE_ARN: this.dataRole.roleArn,
        DYNAMODB_ENDPOINT: endpoints.dynamoDbUrl,
        STS_ENDPOINT: endpoints.stsUrl,
        GUARDRAIL_ARN: contract.guardrailArn,
        GUARDRAIL_VERSION: contract.guardrailVersion,
        MODELS: JSON.stringify(models),
        ALLOWED_PROFILES: JSON.stringify(allowedProfiles),
        APPCONFIG_ENDPOINT: endpoints.appConfigDataUrl,
        LIMITS: JSON.stringify(tenant.limits),
        RETENTION_DAYS: String(tenant.conversations.retentionDays),
      },
    });

    const relayRole = new Role(this, 'RelayRole', { roleName: `${TENANT_PREFIX}-relay-${props.region}`, assumedBy: lambdaPrincipal });
    const authorizerRole = new Role(this, 'AuthorizerRole', { roleName: `${TENANT_PREFIX}-authorizer-${props.region}`, assumedBy: lambdaPrincipal });
    const authorizerPolicy = new ManagedPolicy(this, 'AuthorizerPolicy', { managedPolicyName: `${TENANT_PREFIX}-authorizer-${props.region}`, roles: [authorizerRole] });
    const relayPolicy = new ManagedPolicy(this, 'RelayPolicy', { managedPolicyName: `${TENANT_PREFIX}-relay-${props.region}`, roles: [relayRole] });
    this.authorizer = new ChatFunction(this, 'Authorizer', {
      functionName: `${TENANT_PREFIX}-authorizer`,
      description: 'Support chat: verifies the Cognito JWT on $connect',
      entry: path.join(HANDLERS, 'authorizer.ts'),
      role: authorizerRole,
      rolePolicy: authorizerPolicy,
      timeout: Duration.seconds(5),
      memorySize: 256,
      logKey: key,
      logRetention,
      outsideVpcReason: 'Reads the user pool\'s public keys (JWKS) from Cognito\'s public endpoint and holds no data or model permissions',
      environment: { USER_POOL_ID: this.identity.userPool.userPoolId, CLIENT_ID: this.identity.client.userPoolClientId, TOKEN_USE: 'id' },
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { encryptionKey: key, retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.relay = new ChatFunction(this, 'Relay', {
      functionName: `${TENANT_PREFIX}-relay`,
      description: 'Support chat: the WebSocket routes; runs the turn and posts its frames to the connection',
      entry: path.join(HANDLERS, 'relay.ts'),
      role: relayRole,
      rolePolicy: relayPolicy,
      timeout: Duration.seconds(tenant.limits.turnDeadlineSeconds + 10),
      memorySize: 256,
      logKey: key,
      logRetention,
      outsideVpcReason: OUTSIDE_VPC,
      environment: { TURN_FUNCTION_NAME: this.turn.functionName },
    });
    relayPolicy.addStatements(new PolicyStatement({ sid: 'RunTheTurn', actions: ['lambda:InvokeFunction'], resources: [this.turn.functionArn] }));

    const routeReason = 'API Gateway applies a WebSocket authorizer on $connect only; every later message rides the connection $connect authorized, and the relay takes the user from the authorizer\'s context';
    this.api = new WebSocketApi(this, 'Api', {
      apiName: `${TENANT_PREFIX}`,
      description: 'Support chat: authenticated WebSocket streaming',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', this.relay),
        authorizer: new WebSocketLambdaAuthorizer('Authorizer', this.authorizer, { identitySource: ['route.request.querystring.token'] }),
      },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', this.relay) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', this.relay) },
    });
    for (const route of ['$disconnect-Route', '$default-Route']) {
      acknowledgeFinding(this.api.node.findChild(route),
        { id: 'AwsSolutions::AwsSolutions-APIG4', reason: routeReason },
        { id: 'cdk-validator-cfnguard::api_gw_v2_authorization_type_configured_check', reason: routeReason },
      );
    }
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: 'live',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    relayPolicy.addStatements(new PolicyStatement({
      sid: 'PostToConnections',
      actions: ['execute-api:ManageConnections'],
      resources: [this.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `${this.stage.stageName}/POST/@connections/*` })],
    }));
    acknowledgeFinding(relayPolicy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(this)}:execute-api:${props.region}:${this.account}:<${this.getLogicalId(this.api.node.defaultChild as CfnResource)}>/live/POST/@connections/*]`,
      reason: 'Posting to a connection names the connection id, which API Gateway assigns per connection: the resource is this API\'s live stage, POST to @connections only',
    });
    this.relay.addEnvironment('CONNECTIONS_ENDPOINT', this.stage.callbackUrl);

    // API Gateway writes access logs with an account-wide role (one per account and Region).
    const apiLogsRole = new Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    acknowledgeFinding(apiLogsRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'AWS\'s managed policy for the account-wide role API Gateway writes access logs with; it names only the CloudWatch Logs actions it needs',
    });
    this.stage.node.addDependency(new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: apiLogsRole.roleArn }));
    // API Gateway's permissions to invoke the functions name this account as well as the API (confused deputy).
    for (const permission of this.node.findAll().filter((c): c is CfnPermission => c instanceof CfnPermission)) {
      permission.sourceAccount = this.account;
    }
    acknowledgeFinding(this.turn, {
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'It is in the baseline VPC: its subnets are the workload contract\'s, read from SSM by CloudFormation at deploy (Fn::Select of the list), which the rule cannot resolve at synth',
    });
    // Telemetry (docs/adr/0008-support-chat-telemetry.md): X-Ray active tracing, the alarms and the dashboard on the
    // metrics the handlers publish with Powertools.
    const functions = [this.turn, this.relay, this.authorizer];
    new ChatTracing(this, 'Tracing', { functions, policyName: `${TENANT_PREFIX}-tracing-${props.region}` });
    this.alarms = new ChatAlarms(this, 'Alarms', { namePrefix: TENANT_PREFIX, relay: this.relay });
    this.dashboard = new ChatDashboard(this, 'Dashboard', {
      dashboardName: `${TENANT_PREFIX}-${props.region}`,
      functionNames: [`${TENANT_PREFIX}-turn`, `${TENANT_PREFIX}-relay`, `${TENANT_PREFIX}-authorizer`],
      alarms: this.alarms.alarms,
      prices: allowedProfiles.flatMap((profileId) => props.config.observability.modelPrices
        .filter((p) => profileId.endsWith(`.${p.modelId}`))
        .map((p) => ({ profileId, inputPerMillionTokens: p.inputPerMillionTokens, outputPerMillionTokens: p.outputPerMillionTokens }))),
    });
    // The settings in AppConfig (docs/adr/0009-support-chat-settings-in-appconfig.md): the config's models with the code
    // defaults as the first version; later versions roll out gradually and roll back when an alarm fires.
    this.settings = new ChatSettingsConfig(this, 'Settings', {
      allowedProfiles,
      initial: defaultChatSettings(models),
      rollbackAlarms: [this.alarms.errorRate, this.alarms.turnLatency],
      monitorRoleName: `${TENANT_PREFIX}-appconfig-monitor-${props.region}`,
    });
    turnPolicy.addStatements(this.settings.readStatement());
    this.turn.addEnvironment('APPCONFIG_APPLICATION', this.settings.application.applicationId);
    this.turn.addEnvironment('APPCONFIG_ENVIRONMENT', this.settings.environment.environmentId);
    this.turn.addEnvironment('APPCONFIG_PROFILE', this.settings.configuration.configurationProfileId);
    Tags.of(this).add('workload', TENANT_PREFIX);
  }
}
