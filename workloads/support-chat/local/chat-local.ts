import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadBundledAuthorizer, loadBundledTurn } from './bundled-entry-points';
import { localApplicationProfiles } from './local-application-profiles';
import { withLocalClassifier } from './local-classifier';
import { withLocalOrders } from './local-orders';
import { startLocalRefundWorkflow } from './local-refund-workflow';
import { createLocalChatResources, type LocalChatResources } from './local-resources';
import { localTurnFunction, type LocalTurnRecord } from './local-turn';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../../config/load';
import { type LocalAppConfig, startLocalAppConfig } from '../../../emulators/appconfig/local-appconfig';
import { type RunningKnowledgeEmulator, startKnowledgeEmulator } from '../../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { type BedrockBehaviour, BedrockEmulator } from '../../../emulators/bedrock-runtime/bedrock-emulator';
import { startLocalDynamoDb } from '../../../emulators/dynamodb/dynamodb-emulator';
import { startMoto } from '../../../emulators/moto/moto-server';
import { OrderApiEmulator } from '../../../emulators/order-api/order-api-emulator';
import { LocalJwtIssuer } from '../../../emulators/token-issuer/jwt-issuer';
import { start as startGateway, type WebSocketGateway } from '../../../emulators/websocket-gateway/websocket-gateway';
import { CHAT_API, TOKEN_IDENTITY_SOURCE, type TurnEnvironment, WIDGET_TOKEN_USE } from '../chat/chat-wiring';
import { createAuthorizer, type ROLE_GROUPS, settingsFromEnvironment } from '../chat/handlers/authorizer';
import { type ChatSettings, defaultChatSettings, settingsJsonSchema } from '../chat/handlers/lib/chat-settings';
import { ConnectionIndex } from '../chat/handlers/lib/connection-index';
import { WEBSOCKET_QUOTAS } from '../chat/handlers/lib/frames';
import { RelayRateGate } from '../chat/handlers/lib/relay-rate';
import { settingsFromAppConfig } from '../chat/handlers/lib/settings-from-appconfig';
import { createRelay, type RelayEvent } from '../chat/handlers/relay-core';
import type { TurnDependencies, TurnLimits } from '../chat/handlers/turn-core';
import { turnDependencies } from '../chat/handlers/turn-dependencies';
import { tenantCostPrices } from '../cost/cost-prices';
import { RefundApprovals } from '../handoff/handlers/lib/refund-approvals';
import { rerankModelArn } from '../knowledge/handlers/lib/rerank-models';
import { tenantMessage } from '../language/handlers/lib/tenant-messages';
import { type TenantModels, tenantAllowedProfiles, tenantModels } from '../tenant/tenant-models';

/** A role of the chat: a Cognito group the authorizer passes on. */
export type ChatRole = typeof ROLE_GROUPS[number];

/** Options of `startChatLocal`. */
export interface ChatLocalOptions {
  /** The governance config whose `workloads.supportChat` the tenant reads. @default config/governance.yaml (the example) */
  readonly configFile?: string;
  /** The tenant's Region. @default the first of `workloads.supportChat.regions` */
  readonly region?: string;
  /** Overrides of `workloads.supportChat.limits` (e.g. a tiny `dailyTokensPerUser`). @default none */
  readonly limits?: Partial<TurnLimits>;
  /**
   * Call the real Bedrock Runtime in the tenant's Region instead of the emulator, with the credentials of the environment
   * (the SDK's default chain). The guardrail must then be a real one (`guardrail`). @default false
   */
  readonly realBedrock?: boolean;
  /**
   * The guardrail every call carries (the workload contract's ARN and numeric version).
   *
   * @default a well-formed but fake guardrail in the tenant's Region, version 1 (emulator only)
   */
  readonly guardrail?: { readonly identifier: string; readonly version: string };
  /** The emulator's behaviour of every request no script or queue decides (pacing, chunking). @default quick answers */
  readonly bedrockDefaults?: BedrockBehaviour;
  /**
   * Send Bedrock calls to this endpoint (e.g. a Bedrock emulator in another process, `bedrock-emulator-process.ts`) instead
   * of starting an emulator in this process; `emulator` is then undefined and `bedrockDefaults` unused. Not with `realBedrock`.
   *
   * @default an emulator in this process
   */
  readonly bedrockEndpoint?: string;
  /** The static answer when every model failed. @default the turn function's */
  readonly degradedText?: string;
  /**
   * The first AppConfig version: the defaults the stack deploys (`defaultChatSettings` of the config's models), changed.
   *
   * @default the defaults
   */
  readonly settings?: (defaults: ChatSettings) => ChatSettings;
  /** Seconds the turn keeps a settings version before asking AppConfig again. @default 45 (the stack's) */
  readonly settingsMaxAgeSeconds?: number;
  /**
   * Ground the answers in a knowledge base: the knowledge-base emulator (`emulators/bedrock-agent-runtime`) over a corpus
   * folder, with `workloads.supportChat.knowledge`'s results and rerank model (`true`: the example company's corpus,
   * `LOCAL_CORPUS_DIR`). `chat:local` turns it on when the config has a knowledge base.
   *
   * @default false: the turn has no knowledge base
   */
  readonly knowledge?: boolean | { readonly corpusDir: string };
  /**
   * Offer the answer model the order tool (`get_order_status`): the order API emulator (`emulators/order-api/`, its fixture
   * customers `ALICE_SUB` and `BOB_SUB`) behind the tool, its token in Secrets Manager on moto, and the emulated model's
   * order look-ups (`local-orders.ts`). A customer token for `ALICE_SUB` then asks "where is my order" and sees only hers.
   *
   * @default false: the model has no tools
   */
  readonly orders?: boolean;
  /**
   * Hand conversations off to human agents (`workloads.supportChat.handOff`'s triggers; the hand-off is published on an
   * EventBridge bus on moto, whose only rule is the refund approval's: no ticket is opened), and let agents join them: an
   * agent's token (`token('agent', { name })`) lists, joins and answers them over the same WebSocket, and approves or
   * rejects a refund over the threshold (`local-refund-workflow.ts`: the waiting task on moto's Step Functions).
   *
   * @default false: the assistant answers every message
   */
  readonly handOff?: boolean;
  /**
   * Run the turn as the stack deploys it: its entry point (`turn.ts`, Powertools' logs, EMF metrics and tracer around
   * `runTurn`) bundled by the stack's esbuild call into a temporary directory and loaded with the function's environment
   * (`bundled-entry-points.ts`). Its JSON logs and EMF go to stdout (`emf-tap.ts` reads them).
   *
   * @default false: `runTurn` in-process
   */
  readonly bundledTurn?: boolean;
  /**
   * Run the `$connect` authorizer as the stack deploys it: `authorizer.ts` bundled and loaded like the turn (its
   * function's environment, the local issuer's `JWKS_URL`), printing its logs and EMF to stdout.
   *
   * @default false: `createAuthorizer` in-process
   */
  readonly bundledAuthorizer?: boolean;
  /**
   * Where clients put the token. `subprotocol`: as deployed (`TOKEN_IDENTITY_SOURCE`), the `Sec-WebSocket-Protocol`
   * header (`protocols(token)`: the widget's and `chat:local`'s). `query`: `?token=` (`connectUrl(token)`), for the tests
   * and the bench that connect by URL; the authorizer reads it only when no `Sec-WebSocket-Protocol` header is there.
   *
   * @default 'query'
   */
  readonly tokenTransport?: 'subprotocol' | 'query';
  /**
   * Call the tenant's application inference profiles as the deployed turn does (ADR 35): one per model role
   * (`LOCAL_ACCOUNT`'s `application-inference-profile/local<role>`), each wrapping the role's system profile, which the
   * emulator answers them as; the turn gets them in `APPLICATION_PROFILES` and the emulator's records show the ARNs sent.
   * Needs the emulator in this process.
   *
   * @default false: the turn calls the system profiles
   */
  readonly applicationProfiles?: boolean;
}

/** The hand-off's EventBridge bus on moto, with `handOff`. */
const LOCAL_HAND_OFF_BUS = 'support-chat-handoff-local';

/** The order API's secret in moto, with `orders`. */
const LOCAL_ORDER_SECRET = 'support-chat/order-api';

/** The example company's documents in five languages, with their Bedrock metadata files. */
export const LOCAL_CORPUS_DIR = join(__dirname, 'corpus');

/** One invocation of the gateway's authorizer or a route (`$connect`, `$disconnect`, `$default`), and how it ended. */
export interface RouteRecord {
  readonly route: 'authorizer' | '$connect' | '$disconnect' | '$default';
  readonly connectionId: string;
  /** Set when the handler returned (a route's `statusCode`; the authorizer's allow is 200) or threw (`error`). */
  ended?: { readonly statusCode?: number; readonly error?: string };
}

/** Runs a handler and records its invocation and how it ended. */
async function recorded<T extends { statusCode?: number } | object>(
  routes: RouteRecord[], route: RouteRecord['route'], connectionId: string, run: () => Promise<T>,
): Promise<T> {
  const record: RouteRecord = { route, connectionId };
  routes.push(record);
  try {
    const result = await run();
    record.ended = { statusCode: 'statusCode' in result ? result.statusCode : 200 };
    return result;
  } catch (error) {
    record.ended = { error: error instanceof Error ? error.message : String(error) };
    throw error;
  }
}

/** The running tenant. */
export interface ChatLocal {
  /** `ws://127.0.0.1:<port>/live`: connect offering `protocols(token)`, or with `connectUrl(token)` (`tokenTransport`). */
  readonly url: string;
  /** The tenant's Region. */
  readonly region: string;
  /** The profiles by role, from `tenantModels`. */
  readonly models: TenantModels;
  readonly limits: TurnLimits;
  readonly guardrail: { readonly identifier: string; readonly version: string };
  /** The static answer when every model failed, to an English message (`options.degradedText` for every language when given). */
  readonly degradedText: string;
  /** The Cognito-style issuer (for tokens made wrong on purpose). */
  readonly issuer: LocalJwtIssuer;
  /** The Bedrock emulator, to script; undefined with `realBedrock` or `bedrockEndpoint`. */
  readonly emulator: BedrockEmulator | undefined;
  /** The knowledge-base emulator (its endpoint, id and recorded requests), with `knowledge`. */
  readonly knowledgeBase: RunningKnowledgeEmulator | undefined;
  /** The order API emulator, with `orders` (switch its `mode` to `buggy` to see the tool's filter at work). */
  readonly orderApi: OrderApiEmulator | undefined;
  /** moto's endpoint (STS, IAM, AppConfig's control plane). */
  readonly moto: { readonly endpoint: string };
  /** The DynamoDB emulator's endpoint (emulators/dynamodb) and the conversation table on it. */
  readonly dynamodb: { readonly endpoint: string } & LocalChatResources;
  /** The tenant's AppConfig (moto's control plane, the local data plane): deploy new settings with `deploy`. */
  readonly appConfig: LocalAppConfig;
  /** The profiles a settings version may name (the validator's enum). */
  readonly allowedProfiles: readonly string[];
  /** With `applicationProfiles`: each wrapped system profile's application profile ARN (the turn's `APPLICATION_PROFILES`). */
  readonly applicationProfiles: Readonly<Record<string, string>> | undefined;
  /** Every turn the relay invoked, with its outcome once it ended. */
  readonly turns: readonly LocalTurnRecord[];
  /** Every invocation of the authorizer and the routes, in order. */
  readonly routes: readonly RouteRecord[];
  /** An id token of a user in `role`'s group, as the user pool's app client would issue it. */
  token(role?: ChatRole, user?: { readonly sub?: string; readonly username?: string; readonly name?: string }): string;
  /** `url` with a token in the query string (`tokenTransport: 'query'`). */
  connectUrl(token: string): string;
  /** The subprotocols a client offers with a token (`tokenTransport: 'subprotocol'`): `support-chat.v1` and the token. */
  protocols(token: string): string[];
  /** Forgets the emulator's requests, queue and scripts, and installs the local classifier again. */
  resetBedrock(): void;
  /** A fresh turn "container": new dependencies, so new circuit breakers and sessions (as a Lambda cold start). */
  coldStart(): void;
  /** Resolves when every turn started so far has ended (a turn outlives its client). */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops everything and restores the environment. */
  close(): Promise<void>;
}

/** Dummy credentials: the SDK signs every request (moto, the emulator and the gateway want a SigV4 header), nothing checks them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALCHAT0000000', secretAccessKey: 'local-chat-secret-access-key' } as const;

/** Sets environment variables and returns how to put the old values back. */
function setEnvironment(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (next: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(next)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(values);
  return () => apply(saved);
}

/**
 * Starts the support-chat tenant on this machine, every piece on a free 127.0.0.1 port: moto (STS, AppConfig's control
 * plane); the DynamoDB emulator (emulators/dynamodb: minidyn, atomic conditional writes under concurrency) with the
 * conversation table as the stack creates it; the Bedrock emulator (unless `realBedrock`); the local Cognito-style
 * issuer; and the local WebSocket gateway with the tenant's real handlers: the `$connect` authorizer (`createAuthorizer`
 * with the settings its Lambda reads from `USER_POOL_ID`, `CLIENT_ID`, `TOKEN_USE` and, locally, `JWKS_URL`), and the
 * relay (`createRelay`) on `$connect`, `$disconnect` and `$default`. The relay posts with the real
 * `ApiGatewayManagementApiClient` to the gateway's `@connections` API and invokes the turn in-process through the
 * streaming interface of the deployed relay (`local-turn.ts`); the turn runs `runTurn` with the dependencies its Lambda
 * builds (`turnDependencies`), pointed at moto (STS), the DynamoDB emulator and the Bedrock emulator, with models, limits
 * and retention from `workloads.supportChat`.
 *
 * The process environment gets dummy static credentials (the Lambda runtime puts the role's there) for as long as the
 * tenant runs, unless `realBedrock`, which keeps the environment's own credentials for Bedrock (moto accepts any).
 * Neither moto nor the DynamoDB emulator enforces IAM: the per-user session policy (`dynamodb:LeadingKeys`) is sent with
 * every AssumeRole but not evaluated; test/workloads/support-chat/chat/session-policy.test.ts proves it with iam-simulate.
 */
export async function startChatLocal(options: ChatLocalOptions = {}): Promise<ChatLocal> {
  const config = loadConfigFile(options.configFile ?? DEFAULT_CONFIG_FILE);
  const tenant = config.workloads.supportChat;
  if (!tenant) throw new Error('the config has no workloads.supportChat: nothing to run');
  const region = options.region ?? tenant.regions[0];
  if (!tenant.regions.includes(region)) throw new Error(`${region} is not one of workloads.supportChat.regions (${tenant.regions.join(', ')})`);
  if (options.realBedrock && !options.guardrail) {
    throw new Error('real Bedrock needs the real guardrail: the workload contract\'s guardrail ARN and numeric version');
  }
  if (options.realBedrock && options.bedrockEndpoint) throw new Error('give realBedrock or bedrockEndpoint, not both');
  if (options.applicationProfiles && (options.realBedrock || options.bedrockEndpoint)) {
    throw new Error('applicationProfiles needs the Bedrock emulator in this process (not realBedrock, not bedrockEndpoint)');
  }
  const models = tenantModels(config, region);
  const limits: TurnLimits = { ...tenant.limits, ...options.limits };
  const guardrail = options.guardrail ?? { identifier: `arn:aws:bedrock:${region}:123456789012:guardrail/localchat01`, version: '1' };

  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  };
  try {
    if (!options.realBedrock) {
      stops.push(setEnvironment({
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: undefined,
      }));
    }
    const moto = await startMoto();
    stops.push(() => moto.stop());
    const dynamodb = await startLocalDynamoDb();
    stops.push(() => dynamodb.stop());
    // Turns still running when the tenant stops end before moto and DynamoDB do (the Bedrock emulator is gone by then, so
    // they end fast).
    let settled: ((timeoutMs: number) => Promise<void>) | undefined;
    stops.push(() => settled?.(5_000));
    const resources = await createLocalChatResources({ endpoint: dynamodb.endpoint, region, credentials: LOCAL_CREDENTIALS });
    const allowedProfiles = tenantAllowedProfiles(config, region);
    const costPrices = tenantCostPrices(config, region);
    const defaults = defaultChatSettings(models);
    const appConfig = await startLocalAppConfig({
      motoEndpoint: moto.endpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
      schema: settingsJsonSchema(allowedProfiles),
      initial: options.settings ? options.settings(defaults) : defaults,
    });
    stops.push(() => appConfig.close());

    // The application profiles the platform's StackSet would have made, one per role; the first role wins a shared profile.
    const applicationProfiles = options.applicationProfiles ? localApplicationProfiles(config, region) : undefined;
    let emulator: BedrockEmulator | undefined;
    if (!options.realBedrock && !options.bedrockEndpoint) {
      const started = new BedrockEmulator({
        defaults: options.bedrockDefaults,
        // The emulator's map is the other way round: each ARN to the system profile it answers as.
        ...(applicationProfiles
          ? { applicationProfiles: Object.fromEntries(Object.entries(applicationProfiles).map(([profile, arn]) => [arn, profile])) }
          : {}),
      });
      started.script(withLocalClassifier(options.orders ? withLocalOrders() : undefined));
      await started.start();
      stops.push(() => started.close());
      emulator = started;
    }

    let knowledgeBase: RunningKnowledgeEmulator | undefined;
    if (options.knowledge) {
      const started = await startKnowledgeEmulator({ corpusDir: options.knowledge === true ? LOCAL_CORPUS_DIR : options.knowledge.corpusDir });
      stops.push(() => started.stop());
      knowledgeBase = started;
    }
    const rerankModel = tenant.knowledge?.rerankModel;
    const rerankArn = rerankModel === undefined ? undefined : rerankModelArn(rerankModel, region);

    let orderApi: OrderApiEmulator | undefined;
    if (options.orders) {
      // The order API's token lives in Secrets Manager (moto), as the deployed turn reads it.
      const token = randomUUID();
      const started = new OrderApiEmulator({ token });
      await started.start();
      stops.push(() => started.close());
      const secrets = new SecretsManagerClient({ region, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
      await secrets.send(new CreateSecretCommand({ Name: LOCAL_ORDER_SECRET, SecretString: token })).finally(() => secrets.destroy());
      orderApi = started;
    }

    // The hand-off's bus on moto (no rule: the event goes nowhere), with the config's triggers.
    let handOffBus: string | undefined;
    if (options.handOff) {
      if (!tenant.handOff) throw new Error('handOff needs workloads.supportChat.handOff in the config');
      handOffBus = LOCAL_HAND_OFF_BUS;
      const events = new EventBridgeClient({ region, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
      await events.send(new CreateEventBusCommand({ Name: handOffBus })).finally(() => events.destroy());
    }

    const issuer = await LocalJwtIssuer.start({ region, userPoolId: `${region}_LocalChat1` });
    stops.push(() => issuer.close());

    const environment: TurnEnvironment = {
      TABLE_NAME: resources.tableName,
      TABLE_ARN: resources.tableArn,
      DATA_ROLE_ARN: resources.dataRoleArn,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      STS_ENDPOINT: moto.endpoint,
      ...(emulator ? { BEDROCK_ENDPOINT: emulator.endpoint } : {}),
      ...(options.bedrockEndpoint ? { BEDROCK_ENDPOINT: options.bedrockEndpoint } : {}),
      GUARDRAIL_ARN: guardrail.identifier,
      GUARDRAIL_VERSION: guardrail.version,
      MODELS: JSON.stringify(models),
      ALLOWED_PROFILES: JSON.stringify(allowedProfiles),
      ...(applicationProfiles ? { APPLICATION_PROFILES: JSON.stringify(applicationProfiles) } : {}),
      APPCONFIG_APPLICATION: appConfig.applicationId,
      APPCONFIG_ENVIRONMENT: appConfig.environment,
      APPCONFIG_PROFILE: appConfig.profileId,
      APPCONFIG_ENDPOINT: appConfig.endpoint,
      APPCONFIG_MAX_AGE_SECONDS: String(options.settingsMaxAgeSeconds ?? 45),
      LIMITS: JSON.stringify(limits),
      RETENTION_DAYS: String(tenant.conversations.retentionDays),
      ...(handOffBus && tenant.handOff ? {
        HANDOFF_BUS_NAME: handOffBus,
        HANDOFF_POLICY: JSON.stringify({
          unresolvedTurns: tenant.handOff.unresolvedTurns, refundApprovalThreshold: tenant.handOff.refundApprovalThreshold,
        }),
        EVENTS_ENDPOINT: moto.endpoint,
      } : {}),
      ...(costPrices ? { COST_PRICES: JSON.stringify(costPrices) } : {}),
      ...(options.degradedText ? { DEGRADED_TEXT: options.degradedText } : {}),
      ...(knowledgeBase ? {
        KNOWLEDGE_BASE_ID: knowledgeBase.knowledgeBaseId,
        BEDROCK_AGENT_RUNTIME_ENDPOINT: knowledgeBase.endpoint,
        KNOWLEDGE_RESULTS: String(tenant.knowledge?.results ?? 5),
        ...(rerankArn ? { KNOWLEDGE_RERANK_MODEL_ARN: rerankArn } : {}),
      } : {}),
      ...(orderApi ? {
        ORDER_API_BASE_URL: orderApi.endpoint,
        ORDER_API_SECRET_NAME: LOCAL_ORDER_SECRET,
        ORDER_API_LIMITS: JSON.stringify({ timeoutMs: 3000, maxToolRounds: 2, credentialTtlSeconds: 300 }),
        SECRETS_MANAGER_ENDPOINT: moto.endpoint,
      } : {}),
    };
    const containers: TurnDependencies[] = [turnDependencies(environment, region)];
    stops.push(() => containers.forEach((c) => c.bedrock.destroy()));
    if (options.realBedrock) {
      // Fail at the start, not at the first message, when the environment has no credentials for Bedrock.
      await containers[0].bedrock.config.credentials().catch((error: unknown) => {
        throw new Error(`real Bedrock needs AWS credentials in the environment: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    const bundled = options.bundledTurn
      ? loadBundledTurn({
        environment: Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined)),
        region,
        functionName: 'support-chat-turn',
      })
      : undefined;
    if (bundled) stops.push(() => bundled.close());
    const turnFunction = bundled?.fn ?? localTurnFunction(() => containers[containers.length - 1]);
    settled = turnFunction.settled;

    const routes: RouteRecord[] = [];
    const authorizerEnvironment = {
      USER_POOL_ID: issuer.userPoolId, CLIENT_ID: issuer.clientId, TOKEN_USE: WIDGET_TOKEN_USE, JWKS_URL: issuer.jwksUrl,
    };
    const bundledAuthorizer = options.bundledAuthorizer
      ? loadBundledAuthorizer({ environment: authorizerEnvironment, region, functionName: 'support-chat-authorizer' })
      : undefined;
    if (bundledAuthorizer) stops.push(() => bundledAuthorizer.close());
    type Authorize = ReturnType<typeof createAuthorizer>;
    const authorize: Authorize = bundledAuthorizer
      ? (event) => bundledAuthorizer.authorize(event) as ReturnType<Authorize>
      : createAuthorizer(settingsFromEnvironment(authorizerEnvironment));
    let connections: ApiGatewayManagementApiClient | undefined;
    // The relay's rate gate, as its Lambda builds it: its own DynamoDB client (the emulator enforces no IAM; the role's
    // RATE#-only scope is proven in the governance replay) and the settings read from AppConfig as the turn reads them.
    const relayDynamo = new DynamoDBClient({ region, endpoint: dynamodb.endpoint, credentials: LOCAL_CREDENTIALS });
    stops.push(() => relayDynamo.destroy());
    const relaySettings = settingsFromAppConfig(environment, region, (client) => client);
    const rate = new RelayRateGate({
      tableName: resources.tableName,
      client: DynamoDBDocumentClient.from(relayDynamo),
      limit: async () => (await relaySettings()).settings.limits.messagesPerUserPerMinute,
    });
    // The refund approvals (CONN#REFUND) and their workflow, the waiting task's callback on moto's Step Functions.
    let refunds: RefundApprovals | undefined;
    if (handOffBus) {
      const stepFunctions = new SFNClient({ region, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
      stops.push(() => stepFunctions.destroy());
      refunds = new RefundApprovals({ tableName: resources.tableName, client: DynamoDBDocumentClient.from(relayDynamo), stepFunctions });
      const workflow = await startLocalRefundWorkflow({
        endpoint: moto.endpoint,
        region,
        credentials: LOCAL_CREDENTIALS,
        busName: handOffBus,
        steps: {
          approvals: refunds,
          index: new ConnectionIndex({ tableName: resources.tableName, client: DynamoDBDocumentClient.from(relayDynamo) }),
          post: async (connectionId, frame) => {
            await connections!.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
          },
        },
      });
      stops.push(() => workflow.stop());
    }
    const relay = createRelay({
      admit: (sub) => rate.admit(sub),
      ...(refunds ? { refunds } : {}),
      // The connection index of handed-off conversations, on the relay's own client as in its Lambda.
      connectionIndex: new ConnectionIndex({ tableName: resources.tableName, client: DynamoDBDocumentClient.from(relayDynamo) }),
      maxInputCharacters: limits.maxInputCharacters,
      invokeTurn: turnFunction.invoke,
      post: async (connectionId, frame) => {
        await connections!.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(frame) }));
      },
      disconnect: async (connectionId) => {
        await connections!.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      },
    });
    const route = (key: RouteRecord['route']) => (event: RelayEvent) => recorded(routes, key, event.requestContext.connectionId, () => relay(event));
    const gateway: WebSocketGateway = await startGateway({
      region,
      stage: CHAT_API.stageName,
      routeSelectionExpression: CHAT_API.routeSelectionExpression,
      identitySource: [options.tokenTransport === 'subprotocol'
        ? TOKEN_IDENTITY_SOURCE : `route.request.querystring.${CHAT_API.tokenQueryParameter}`],
      authorizer: (event) => recorded(routes, 'authorizer', event.requestContext.connectionId, () => authorize(event)),
      routes: { $connect: route('$connect'), $disconnect: route('$disconnect'), $default: route('$default') },
      // The tenant's own copy of the quotas (its frame writer refuses frames over them): one figure for both.
      frameSizeLimitBytes: WEBSOCKET_QUOTAS.frameBytes,
      messagePayloadLimitBytes: WEBSOCKET_QUOTAS.messageBytes,
    });
    connections = new ApiGatewayManagementApiClient({ endpoint: gateway.managementEndpoint, region, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => {
      await turnFunction.settled(2_000);
      connections?.destroy();
    });
    stops.push(() => gateway.close());

    return {
      url: gateway.url,
      region,
      models,
      limits,
      guardrail,
      degradedText: containers[0].degradedText ?? tenantMessage('degraded_answer', 'en'),
      issuer,
      emulator,
      knowledgeBase,
      orderApi,
      moto: { endpoint: moto.endpoint },
      dynamodb: { endpoint: dynamodb.endpoint, ...resources },
      appConfig,
      allowedProfiles,
      applicationProfiles,
      turns: turnFunction.turns,
      routes,
      token: (role = 'customer', user = {}) => issuer.mintIdToken({
        username: user.username ?? `${role}-${randomUUID().slice(0, 8)}`,
        sub: user.sub ?? randomUUID(),
        groups: [role],
        // An agent's display name (the user pool's `name` attribute, which an administrator sets).
        ...(user.name ? { claims: { name: user.name } } : {}),
      }),
      connectUrl: (token) => `${gateway.url}?${CHAT_API.tokenQueryParameter}=${encodeURIComponent(token)}`,
      protocols: (token) => [CHAT_API.subprotocol, token],
      resetBedrock: () => {
        emulator?.reset();
        emulator?.script(withLocalClassifier(options.orders ? withLocalOrders() : undefined));
      },
      coldStart: () => {
        containers.push(turnDependencies(environment, region));
      },
      settled: (timeoutMs) => turnFunction.settled(timeoutMs),
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
