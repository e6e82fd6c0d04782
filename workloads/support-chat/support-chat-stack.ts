import { Aws, Duration, Fn, Lazy, Stack, Tags, Token, type StackProps } from 'aws-cdk-lib';
import { ArnPrincipal, CompositePrincipal, ManagedPolicy, PermissionsBoundary, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ConversationAnalytics } from './analytics/constructs/conversation-analytics';
import type { TurnEnvironment } from './chat/chat-wiring';
import { ChatAlarms } from './chat/constructs/chat-alarms';
import { ChatApi } from './chat/constructs/chat-api';
import { ChatDashboard } from './chat/constructs/chat-dashboard';
import type { ChatFunction } from './chat/constructs/chat-function';
import { ChatFunctions } from './chat/constructs/chat-functions';
import { ChatIdentity } from './chat/constructs/chat-identity';
import { ChatRelease } from './chat/constructs/chat-release';
import { ChatReleaseEvaluation } from './chat/constructs/chat-release-evaluation';
import { ChatRoles } from './chat/constructs/chat-roles';
import { ChatSelfSignUp } from './chat/constructs/chat-self-sign-up';
import { ChatSettingsConfig } from './chat/constructs/chat-settings-config';
import { ChatTracing } from './chat/constructs/chat-tracing';
import { ChatWebAcl } from './chat/constructs/chat-waf';
import { ConversationTable } from './chat/constructs/conversation-table';
import { type ChatSettings, defaultChatSettings } from './chat/handlers/lib/chat-settings';
import { budgetThresholds, monthlyBudgetUsd, outputShare } from './cost/budget-thresholds';
import { TenantCostBudget } from './cost/constructs/tenant-cost-budget';
import { tenantCostPrices } from './cost/cost-prices';
import { HandOffTransport } from './handoff/constructs/hand-off-transport';
import { RefundApprovalWorkflow } from './handoff/constructs/refund-approval-workflow';
import type { HandOffPolicy } from './handoff/handlers/lib/decide';
import { SupportKnowledge } from './knowledge/constructs/support-knowledge';
import { OrderAccess } from './orders/constructs/order-access';
import { SupportPrivacy } from './privacy/constructs/support-privacy';
import { readTenantApplicationProfiles } from './tenant/tenant-application-profiles';
import { TenantEndpoints } from './tenant/tenant-endpoints';
import { tenantAllowedProfiles, tenantModels } from './tenant/tenant-models';
import { TENANT_PREFIX, WIDGET_WEB_ACL_NAME } from './tenant/tenant-names';
import { readWorkloadContract } from './tenant/workload-contract-values';
import { buildWidgetBundle } from './widget/build-widget';
import { EdgeWebAclLookup } from './widget/constructs/edge-web-acl-lookup';
import { WidgetHosting } from './widget/constructs/widget-hosting';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { accountIdOf } from '../../config/accounts';
import { tenantReleaseOf, type GovernanceConfig } from '../../config/schema';
import { foundationModelArn } from '../../policies/arns';

export interface SupportChatStackProps extends StackProps {
  readonly config: GovernanceConfig;
  /** The account and Region of this stack (the Region one of `workloads.supportChat.regions`). */
  readonly env: { readonly account: string; readonly region: string };
}

/** The settings with the hand-off's number of unresolved turns (the config's `handOff.unresolvedTurns`). */
function withUnresolvedTurns(settings: ChatSettings, unresolvedTurnsBeforeHandOff: number): ChatSettings {
  return { ...settings, limits: { ...settings.limits, unresolvedTurnsBeforeHandOff } };
}

export { TENANT_PREFIX } from './tenant/tenant-names';

/**
 * The contract's first two subnets (two Availability Zones: the baseline VPC has exactly two), named one by one so the
 * template lists them, rather than passing a list parameter whole.
 */
const TURN_SUBNETS = [0, 1];

/**
 * The support-chat tenant in one workload account and Region, inside every control: it reads the workload contract
 * (`/genai-governance/workload/*`), every role carries the workload boundary, Bedrock is reached only through the
 * contract's invoke policies (approved profiles, the guardrail) from the baseline VPC.
 *
 * - `ChatIdentity`: the Cognito user pool (customer, agent, admin; federation from config) and the widget's client,
 *   behind `ChatWebAcl`;
 * - `ChatRoles`: the functions' roles and the conversation-data role the turn assumes with a session policy for one
 *   user (`dynamodb:LeadingKeys`);
 * - `ChatFunctions`: the relay (outside the VPC, ADR 7), the turn (inside: store, budgets, routing, Bedrock, answer) and
 *   the `$connect` authorizer;
 * - `ChatApi`: the WebSocket API, `$connect` behind the authorizer (Cognito JWT), every route on the relay; stage
 *   throttling and access logs;
 * - the conversation table (per-user partitions, TTL, PITR, customer-managed key) and `TenantEndpoints`, the DynamoDB,
 *   STS and AppConfig data endpoints the turn needs beyond the baseline's;
 * - telemetry (`ChatTracing`, `ChatAlarms`, `ChatDashboard`) and the settings in AppConfig (`ChatSettingsConfig`).
 */
export class SupportChatStack extends Stack {
  public readonly identity: ChatIdentity;
  public readonly table: ConversationTable;
  public readonly api: ChatApi;
  public readonly turn: ChatFunction;
  public readonly relay: ChatFunction;
  public readonly authorizer: ChatFunction;
  /** The functions' roles and the conversation-data role. */
  public readonly roles: ChatRoles;
  /** The web ACL of the user pool: AWS managed common and known-bad-input rules, a rate limit per client IP. */
  public readonly waf: ChatWebAcl;
  /** The turn's settings in AWS AppConfig (routing, prompts, flags, budgets), deployed gradually under the alarms. */
  public readonly settings: ChatSettingsConfig;
  /** The alarms on the handlers' metrics (`alarms.errorRate`: a rollback monitor) and their topic. */
  public readonly alarms: ChatAlarms;
  /** How the turn and relay are released: their aliases' CodeDeploy deployment groups and the alarms they roll back on. */
  public readonly release: ChatRelease;
  /** The tenant dashboard `support-chat-<region>`. */
  public readonly dashboard: ChatDashboard;
  /** The knowledge base (documents, S3 Vectors, Bedrock knowledge base, synchronization), when `knowledge` is configured. */
  public readonly knowledge?: SupportKnowledge;
  /** The conversation exports (no text, pseudonymous), their Glue tables and the support manager's Athena workgroup. */
  public readonly analytics: ConversationAnalytics;
  /** The hand-off to human agents (bus, queue, dead-letter queue, connector, alarms), when `handOff` is configured. */
  public readonly handOff?: HandOffTransport;
  /** Export and erasure of one customer's data, legal holds and their audit records, when `privacy` is configured. */
  public readonly privacy?: SupportPrivacy;
  /** The widget's hosting (bucket, CloudFront distribution, logs), in the first Region when `widget` is configured. */
  public readonly widget?: WidgetHosting;

  constructor(scope: Construct, id: string, props: SupportChatStackProps) {
    super(scope, id, props);
    const tenant = props.config.workloads.supportChat;
    if (!tenant) throw new Error('SupportChatStack needs workloads.supportChat in the config');
    if (Token.isUnresolved(this.region)) throw new Error(`${id}: SupportChatStack needs env.region (a Region of workloads.supportChat.regions)`);
    const region = this.region;
    const contract = readWorkloadContract(this);
    // The tenant's application inference profiles, which the platform's StackSet made (ADR 35): the turn calls them.
    const applicationProfiles = readTenantApplicationProfiles(this, props.config, region);
    PermissionsBoundary.of(this).apply(ManagedPolicy.fromManagedPolicyArn(this, 'WorkloadBoundary', contract.permissionsBoundaryArn));
    const logRetention = props.config.retention.logGroupRetentionDays;

    const key = new Key(this, 'Key', { description: 'Support chat: conversations and logs', enableKeyRotation: true });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    denyGrantsExceptForAwsResources(key);
    this.table = new ConversationTable(this, 'Conversations', { key });
    const tableArn = this.table.table.tableArn;
    const selfSignUp = tenant.identity.selfSignUp;
    this.identity = new ChatIdentity(this, 'Identity', { identityProviders: tenant.identityProviders, selfSignUp: selfSignUp !== undefined });
    if (selfSignUp) {
      new ChatSelfSignUp(this, 'SelfSignUp', {
        userPool: this.identity.userPool,
        allowedEmailDomains: selfSignUp.allowedEmailDomains,
        namePrefix: TENANT_PREFIX,
        region,
        logKey: key,
        logRetention,
      });
    }
    // AWS WAF in front of the user pool (sign-in, sign-up, tokens); WAF cannot protect a WebSocket API (chat-waf.ts).
    this.waf = new ChatWebAcl(this, 'Waf', { name: TENANT_PREFIX, resourceArn: this.identity.userPool.userPoolArn, logKey: key, logRetention });

    this.roles = new ChatRoles(this, {
      namePrefix: TENANT_PREFIX,
      region,
      key,
      tableArn,
      invokePolicyArns: contract.invokePolicyArns,
      guardrailArn: contract.guardrailArn,
      guardrailVersion: contract.guardrailVersion,
      applicationProfileArns: applicationProfiles.arns,
      // The knowledge base's rerank model takes no guardrail (it scores passages): the turn invokes it through Rerank.
      modelsWithoutGuardrail: tenant.knowledge?.rerankModel === undefined ? undefined : [foundationModelArn(region, tenant.knowledge.rerankModel)],
    });
    const endpoints = new TenantEndpoints(this, 'Endpoints', {
      vpcId: contract.vpcId,
      subnetIds: contract.subnetIds,
      bedrockEndpointSecurityGroupId: contract.endpointSecurityGroupId,
      tableArn,
      dataRoleArn: this.roles.dataRole.roleArn,
      // The settings are created last (their deployments roll back on the alarms, which watch the functions).
      settingsConfigurationArn: Lazy.string({ produce: () => this.settings.configurationArn }),
    });

    const models = tenantModels(props.config, region);
    const allowedProfiles = tenantAllowedProfiles(props.config, region);
    const costPrices = tenantCostPrices(props.config, region);
    const turnEnvironment: TurnEnvironment = {
      TABLE_NAME: this.table.table.tableName,
      TABLE_ARN: tableArn,
      DATA_ROLE_ARN: this.roles.dataRole.roleArn,
      DYNAMODB_ENDPOINT: endpoints.dynamoDbUrl,
      STS_ENDPOINT: endpoints.stsUrl,
      GUARDRAIL_ARN: contract.guardrailArn,
      GUARDRAIL_VERSION: contract.guardrailVersion,
      MODELS: JSON.stringify(models),
      ALLOWED_PROFILES: JSON.stringify(allowedProfiles),
      APPLICATION_PROFILES: Stack.of(this).toJsonString(applicationProfiles.bySystemProfile),
      APPCONFIG_ENDPOINT: endpoints.appConfigDataUrl,
      LIMITS: JSON.stringify(tenant.limits),
      RETENTION_DAYS: String(tenant.conversations.retentionDays),
      ...(costPrices ? { COST_PRICES: JSON.stringify(costPrices) } : {}),
    };
    const functions = new ChatFunctions(this, {
      namePrefix: TENANT_PREFIX,
      roles: this.roles,
      logKey: key,
      logRetention,
      turnDeadlineSeconds: tenant.limits.turnDeadlineSeconds,
      turnEnvironment,
      turnVpc: {
        subnetIds: TURN_SUBNETS.map((i) => Fn.select(i, contract.subnetIds)),
        securityGroupIds: [endpoints.functionSecurityGroup.attrGroupId],
      },
      userPoolId: this.identity.userPool.userPoolId,
      clientId: this.identity.client.userPoolClientId,
    });
    ({ turn: this.turn, relay: this.relay, authorizer: this.authorizer } = functions);
    this.api = new ChatApi(this, {
      apiName: TENANT_PREFIX,
      relay: this.relay,
      relayTarget: functions.relayAlias,
      relayPolicy: this.roles.relayPolicy,
      authorizer: this.authorizer,
      logKey: key,
      logRetention,
    });

    // Telemetry (docs/adr/0008-support-chat-telemetry.md): X-Ray active tracing, the alarms and the dashboard on the
    // metrics the handlers publish with Powertools.
    new ChatTracing(this, 'Tracing', { functions: functions.all, policyName: `${TENANT_PREFIX}-tracing-${region}` });
    this.alarms = new ChatAlarms(this, 'Alarms', { namePrefix: TENANT_PREFIX, relayFunctionName: this.relay.name });
    // What the tenant spends, by its cost-allocation tag: an AWS Budgets budget (account-wide, so in its first Region
    // only) whose forecast notifications come before the budget rules downgrade models (workloads/support-chat/cost).
    if (costPrices && region === tenant.regions[0]) {
      const first = defaultChatSettings(models);
      new TenantCostBudget(this, 'CostBudget', {
        budgetName: `${TENANT_PREFIX}-monthly`,
        monthlyLimitUsd: monthlyBudgetUsd(tenant.limits.dailyTokensPerTenant, costPrices, outputShare({ ...tenant.limits, ...first.limits })),
        tag: { key: 'workload', value: TENANT_PREFIX },
        thresholds: budgetThresholds(first.budgetRules),
        topic: this.alarms.topic,
      });
    }
    // Releases of the turn and the relay: CodeDeploy moves each alias `live` to the new version in steps and rolls back
    // on the alarms (docs/adr/0034-tenant-release-by-golden-set-and-canary.md).
    const canary = tenantReleaseOf(props.config).canary;
    this.release = new ChatRelease(this, 'Release', {
      namePrefix: TENANT_PREFIX,
      region,
      canary,
      functions: [
        { role: 'turn', functionName: this.turn.name, alias: functions.turnAlias, durationP99BaselineMs: canary.durationP99BaselineMs.turn },
        { role: 'relay', functionName: this.relay.name, alias: functions.relayAlias, durationP99BaselineMs: canary.durationP99BaselineMs.relay },
      ],
      tenantAlarms: [...this.alarms.rollbackAlarms, this.alarms.relayErrors],
      topic: this.alarms.topic,
    });
    if (tenant.knowledge) {
      // Answers grounded in the company's documents (docs/adr/0019-support-chat-knowledge-base-on-s3-vectors.md).
      this.knowledge = new SupportKnowledge(this, 'Knowledge', {
        namePrefix: TENANT_PREFIX,
        region,
        settings: tenant.knowledge,
        approvedModels: props.config.bedrock.approvedModels,
        accessLogExpiration: Duration.days(props.config.retention.accessLogExpirationDays),
        topic: this.alarms.topic,
        logKey: key,
        logRetention,
      });
      this.roles.turnPolicy.addStatements(...this.knowledge.retrieveStatements());
      const knowledgeEnvironment: Pick<TurnEnvironment, 'KNOWLEDGE_BASE_ID' | 'KNOWLEDGE_RESULTS' | 'KNOWLEDGE_RERANK_MODEL_ARN'> = {
        KNOWLEDGE_BASE_ID: this.knowledge.knowledgeBase.knowledgeBase.attrKnowledgeBaseId,
        KNOWLEDGE_RESULTS: String(tenant.knowledge.results),
        ...(this.knowledge.rerankModelArn !== undefined && { KNOWLEDGE_RERANK_MODEL_ARN: this.knowledge.rerankModelArn }),
      };
      for (const [name, value] of Object.entries(knowledgeEnvironment)) this.turn.addEnvironment(name, value);
      if (props.config.pipeline) {
        // The pipeline's golden-set step evaluates this knowledge base and the classifier before a release (ADR 34).
        new ChatReleaseEvaluation(this, 'ReleaseEvaluation', {
          namePrefix: TENANT_PREFIX,
          region,
          pipelineAccount: accountIdOf(props.config, props.config.pipeline.account ?? props.config.topology.management),
          invokePolicyArns: contract.invokePolicyArns,
          guardrailArn: contract.guardrailArn,
          guardrailVersion: contract.guardrailVersion,
          classifierModelId: models.classifier,
          knowledgeBaseId: knowledgeEnvironment.KNOWLEDGE_BASE_ID!,
          retrieveStatements: this.knowledge.retrieveStatements(),
          rerankModelArn: this.knowledge.rerankModelArn,
        });
      }
    }
    // What the company learns: each changed conversation exported without text to the analytics bucket, Glue and Athena.
    this.analytics = new ConversationAnalytics(this, 'Analytics', {
      namePrefix: TENANT_PREFIX,
      table: this.table.table,
      key,
      logRetention,
      accessLogExpiration: Duration.days(props.config.retention.accessLogExpirationDays),
    });
    if (tenant.privacy) {
      // A customer's export and erasure across every store the tenant writes (docs/privacy.md, docs/adr/0029-*.md).
      this.privacy = new SupportPrivacy(this, 'Privacy', {
        namePrefix: TENANT_PREFIX,
        key,
        logRetention,
        conversationsTableName: this.table.table.tableName,
        conversationsTableArn: tableArn,
        dataKeys: [key],
        analyticsBucket: this.analytics.bucket,
        analyticsPseudonymSecretArn: this.analytics.pseudonymSecret.secretArn,
        officers: new CompositePrincipal(...tenant.privacy.officerRoleArns.map((arn) => new ArnPrincipal(arn))),
      });
    }
    this.dashboard = new ChatDashboard(this, 'Dashboard', {
      dashboardName: `${TENANT_PREFIX}-${region}`,
      functionNames: functions.all.map((f) => f.name),
      alarms: this.alarms.alarms,
      prices: allowedProfiles.flatMap((profileId) => props.config.observability.modelPrices
        .filter((p) => profileId.endsWith(`.${p.modelId}`))
        .map((p) => ({ profileId, inputPerMillionTokens: p.inputPerMillionTokens, outputPerMillionTokens: p.outputPerMillionTokens }))),
    });
    // The settings in AppConfig (docs/adr/0009-support-chat-settings-in-appconfig.md): the config's models with the code
    // defaults as the first version; later versions roll out gradually and roll back when an alarm fires.
    this.settings = new ChatSettingsConfig(this, 'Settings', {
      allowedProfiles,
      initial: tenant.handOff ? withUnresolvedTurns(defaultChatSettings(models), tenant.handOff.unresolvedTurns) : defaultChatSettings(models),
      rollbackAlarms: this.alarms.rollbackAlarms,
      monitorRoleName: `${TENANT_PREFIX}-appconfig-monitor-${region}`,
    });
    this.roles.turnPolicy.addStatements(this.settings.readStatement());
    if (tenant.handOff) {
      // The hand-off to human agents (docs/adr/0023-support-chat-hand-off-path.md).
      this.handOff = new HandOffTransport(this, 'HandOff', {
        namePrefix: TENANT_PREFIX,
        key,
        logRetention,
        tableName: this.table.table.tableName,
        tableArn,
        webhookUrl: tenant.handOff.webhookUrl,
        apiKeySecretName: tenant.handOff.apiKeySecretName,
        turnPolicy: this.roles.turnPolicy,
        vpcId: contract.vpcId,
        subnetIds: TURN_SUBNETS.map((i) => Fn.select(i, contract.subnetIds)),
        turnSecurityGroupId: endpoints.functionSecurityGroup.attrGroupId,
        alarmTopic: this.alarms.topic,
      });
      const { unresolvedTurns, refundApprovalThreshold } = tenant.handOff;
      const policy: HandOffPolicy = { unresolvedTurns, refundApprovalThreshold };
      const handOffEnvironment: Required<Pick<TurnEnvironment, 'HANDOFF_BUS_NAME' | 'HANDOFF_POLICY' | 'EVENTS_ENDPOINT'>> = {
        HANDOFF_BUS_NAME: this.handOff.bus.eventBusName,
        HANDOFF_POLICY: JSON.stringify(policy),
        EVENTS_ENDPOINT: this.handOff.eventsEndpointUrl,
      };
      for (const [name, value] of Object.entries(handOffEnvironment)) this.turn.addEnvironment(name, value);
      // Large refunds wait for an agent's approval (docs/adr/0033-support-chat-refund-approval-by-callback.md).
      new RefundApprovalWorkflow(this, 'RefundApproval', {
        namePrefix: TENANT_PREFIX,
        key,
        logRetention,
        tableName: this.table.table.tableName,
        tableArn,
        bus: this.handOff.bus,
        deadLetterQueue: this.handOff.deadLetterQueue,
        webSocketApi: this.api.api,
        webSocketStageName: this.api.stage.stageName,
        connectionsEndpoint: this.api.stage.callbackUrl,
        relayPolicy: this.roles.relayPolicy,
        alarmTopic: this.alarms.topic,
      });
    }
    if (tenant.orders) {
      // Order look-ups through Converse tool use, the company's API through PrivateLink (docs/adr/0022-support-chat-order-tool-through-privatelink.md).
      const orders = new OrderAccess(this, 'Orders', {
        settings: tenant.orders,
        vpcId: contract.vpcId,
        subnetIds: TURN_SUBNETS.map((i) => Fn.select(i, contract.subnetIds)),
        turnSecurityGroupId: endpoints.functionSecurityGroup.attrGroupId,
        turnPolicy: this.roles.turnPolicy,
      });
      for (const [name, value] of Object.entries(orders.environment)) this.turn.addEnvironment(name, value);
    }
    this.roles.relayPolicy.addStatements(this.settings.readStatement());
    const appConfig: Required<Pick<TurnEnvironment, 'APPCONFIG_APPLICATION' | 'APPCONFIG_ENVIRONMENT' | 'APPCONFIG_PROFILE'>> = {
      APPCONFIG_APPLICATION: this.settings.application.applicationId,
      APPCONFIG_ENVIRONMENT: this.settings.environment.environmentId,
      APPCONFIG_PROFILE: this.settings.configuration.configurationProfileId,
    };
    for (const [name, value] of Object.entries(appConfig)) {
      this.turn.addEnvironment(name, value);
      this.relay.addEnvironment(name, value);
    }
    if (tenant.widget && region === tenant.regions[0]) {
      // The widget and the WebSocket behind one CloudFront distribution on the widget's domain, in the first Region
      // only (one domain, one distribution), through the edge stack's web ACL (docs/adr/0031-support-chat-widget-edge.md).
      const webAcl = new EdgeWebAclLookup(this, 'WidgetWebAclLookup', {
        webAclName: WIDGET_WEB_ACL_NAME,
        functionName: `${TENANT_PREFIX}-widget-web-acl-lookup`,
        logRetention,
        logEncryptionKey: key,
      });
      const widgetBundle = buildWidgetBundle();
      this.widget = new WidgetHosting(this, 'Widget', {
        files: { [widgetBundle.fileName]: widgetBundle.js },
        domainName: tenant.widget.domainName,
        certificateArn: tenant.widget.certificateArn,
        webAclArn: webAcl.webAclArn,
        webSocket: { domainName: `${this.api.api.apiId}.execute-api.${region}.${Aws.URL_SUFFIX}`, stageName: this.api.stage.stageName },
        embeddingOrigins: tenant.widget.embeddingOrigins,
        key,
        accessLogExpiration: Duration.days(props.config.retention.accessLogExpirationDays),
        logRetention,
      });
    }
    Tags.of(this).add('workload', TENANT_PREFIX);
  }
}
