/**
 * How the chat path's parts are wired together, in one place for the stack that deploys them, the handlers that read
 * them and the local harness that runs the handlers on emulators: the WebSocket API's settings and each function's
 * environment. This file imports nothing, so the handlers' bundles carry only these names.
 */

/** The WebSocket API's settings: what the stack deploys, the authorizer reads and a client connects with. */
export const CHAT_API = {
  /**
   * The subprotocol a client offers first, its token second (`new WebSocket(url, ['support-chat.v1', token])`): the
   * token travels in the `Sec-WebSocket-Protocol` header, never in a URL, and `$connect` answers with this one
   * (docs/adr/0028-support-chat-token-in-the-subprotocol-header.md).
   */
  subprotocol: 'support-chat.v1',
  /** The handshake header that carries the subprotocols, the token among them. */
  tokenHeader: 'Sec-WebSocket-Protocol',
  /**
   * The query-string parameter the local harness's URL clients (its tests, the bench) put the token in. The deployed
   * API's identity source is the header, so API Gateway refuses a handshake without it, and the authorizer never reads
   * this parameter when the header is there.
   */
  tokenQueryParameter: 'token',
  /** Messages are routed by their `action` (`sendMessage`, `resume`); every action reaches `$default`. */
  routeSelectionExpression: '$request.body.action',
  /** The stage clients connect to and the relay posts to (`https://…/live/@connections`). */
  stageName: 'live',
} as const;

/**
 * The `$connect` authorizer's identity source: the `Sec-WebSocket-Protocol` header (`CHAT_API.tokenHeader`). API Gateway
 * answers 401 without calling the authorizer when it is missing or empty.
 */
export const TOKEN_IDENTITY_SOURCE = `route.request.header.${CHAT_API.tokenHeader}`;

/**
 * Seconds the turn runs beyond its deadline (`limits.turnDeadlineSeconds`) to store the answer and settle the budgets:
 * the turn function's timeout is the deadline plus these, and so is the lease a turn holds on its message.
 */
export const TURN_SETTLE_SECONDS = 5;

/** The environment of the turn function (`turn-dependencies.ts` reads it). */
export interface TurnEnvironment {
  readonly TABLE_NAME: string;
  readonly TABLE_ARN: string;
  readonly DATA_ROLE_ARN: string;
  /** The tenant's DynamoDB and STS interface endpoints (private DNS off, ADR 7). @default the public endpoints */
  readonly DYNAMODB_ENDPOINT?: string;
  readonly STS_ENDPOINT?: string;
  /** Bedrock's endpoint: the baseline's runtime endpoint by private DNS. @default the SDK's */
  readonly BEDROCK_ENDPOINT?: string;
  readonly GUARDRAIL_ARN: string;
  readonly GUARDRAIL_VERSION: string;
  /** JSON `TenantModels`: the config's profiles by role, the default settings' (`defaultChatSettings`). */
  readonly MODELS: string;
  /** JSON array: the approved profiles callable from the Region, the only ids a settings version may name. */
  readonly ALLOWED_PROFILES: string;
  /**
   * JSON object: each allowed system profile a tenant role's application inference profile wraps, to that profile's ARN
   * (the workload contract's `application-inference-profiles/<tenant>/<role>-arn`, ADR 35). The Bedrock calls of a
   * wrapped profile send the ARN. @default - none: every call sends the system profile
   */
  readonly APPLICATION_PROFILES?: string;
  /** The tenant's AppConfig application, environment and configuration profile (ids or names). @default the defaults only */
  readonly APPCONFIG_APPLICATION?: string;
  readonly APPCONFIG_ENVIRONMENT?: string;
  readonly APPCONFIG_PROFILE?: string;
  /** AppConfig's data plane: the tenant's `appconfigdata` interface endpoint (private DNS off). @default the SDK's */
  readonly APPCONFIG_ENDPOINT?: string;
  /** Seconds a read settings version is kept before AppConfig is asked again. @default 45 */
  readonly APPCONFIG_MAX_AGE_SECONDS?: string;
  /** JSON `TurnLimits`. */
  readonly LIMITS: string;
  readonly RETENTION_DAYS: string;
  /** The answer when every model failed, in every language. @default the tenant's in the customer's language (`tenant-messages.ts`) */
  readonly DEGRADED_TEXT?: string;
  /** How many users' data sessions one container keeps (least recently used evicted). @default DEFAULT_USER_SESSIONS (100) */
  readonly USER_SESSIONS_CACHED?: string;
  /** The bus the turn publishes hand-offs on (`handoff/`). @default - no hand-off: the assistant answers every message */
  readonly HANDOFF_BUS_NAME?: string;
  /** JSON `HandOffPolicy` (`handoff/handlers/lib/decide.ts`): the triggers' thresholds. Required with `HANDOFF_BUS_NAME`. */
  readonly HANDOFF_POLICY?: string;
  /** EventBridge's endpoint: the tenant's `events` interface endpoint (private DNS off). @default the SDK's */
  readonly EVENTS_ENDPOINT?: string;
  /**
   * The tenant's knowledge base (`workloads.supportChat.knowledge`): every answer is grounded in its passages
   * (docs/adr/0024-support-chat-knowledge-grounded-or-silent.md). @default - none: the model answers without passages
   */
  readonly KNOWLEDGE_BASE_ID?: string;
  /** Passages one retrieval returns at most (`knowledge.results`). @default 5 */
  readonly KNOWLEDGE_RESULTS?: string;
  /** The rerank model's foundation-model ARN in the Region (`knowledge.rerankModel`). @default no reranking */
  readonly KNOWLEDGE_RERANK_MODEL_ARN?: string;
  /** The data source's key prefix, cut from each document's S3 key to give its id. @default '' */
  readonly KNOWLEDGE_DOCUMENT_PREFIX?: string;
  /** The score at or above which a passage supports an answer. @default DEFAULT_RELEVANCE_FLOOR */
  readonly KNOWLEDGE_RELEVANCE_FLOOR?: string;
  /** Bedrock Agent Runtime's endpoint: the tenant's `bedrock-agent-runtime` interface endpoint. @default the SDK's */
  readonly BEDROCK_AGENT_RUNTIME_ENDPOINT?: string;
  /** The company's order API (`orders.apiBaseUrl`): the order tool is offered to the model. @default - no tools */
  readonly ORDER_API_BASE_URL?: string;
  /** The secret holding its credential (`orders.secretName`). Required with `ORDER_API_BASE_URL`. */
  readonly ORDER_API_SECRET_NAME?: string;
  /** The header that carries it. @default 'authorization' */
  readonly ORDER_API_AUTH_HEADER?: string;
  /** JSON `OrderLimits` (`orders/handlers/lib/order-tools-from-env.ts`). Required with `ORDER_API_BASE_URL`. */
  readonly ORDER_API_LIMITS?: string;
  /** Secrets Manager's endpoint: the tenant's `secretsmanager` interface endpoint (private DNS off). @default the SDK's */
  readonly SECRETS_MANAGER_ENDPOINT?: string;
  /** JSON `CostPrices` (`cost/cost-prices.ts`, from `workloads.supportChat.pricing`). @default - turns are not costed */
  readonly COST_PRICES?: string;
}

/**
 * The environment of the relay function (`relay.ts` reads it). With `TABLE_NAME` the relay counts each user's messages
 * of the minute (`RATE#` partitions of the conversation table) against the settings' `messagesPerUserPerMinute`, read
 * from AppConfig as the turn reads them (`MODELS`, `ALLOWED_PROFILES`, `APPCONFIG_*`; through AppConfig's public
 * endpoint: the relay is outside the VPC). With `LIMITS` it refuses a text over `maxInputCharacters` before counting it.
 */
export interface RelayEnvironment extends Partial<Pick<TurnEnvironment,
  'TABLE_NAME' | 'LIMITS' | 'MODELS' | 'ALLOWED_PROFILES' | 'APPCONFIG_APPLICATION' | 'APPCONFIG_ENVIRONMENT' | 'APPCONFIG_PROFILE' | 'APPCONFIG_MAX_AGE_SECONDS'>> {
  /** The turn function it invokes with `InvokeWithResponseStream`. */
  readonly TURN_FUNCTION_NAME: string;
  /** The stage's `https://…/live` callback URL, for `PostToConnection` and `DeleteConnection`. */
  readonly CONNECTIONS_ENDPOINT: string;
}

/** The environment of the `$connect` authorizer (`authorizer.ts` reads it). */
export interface AuthorizerEnvironment {
  /** The Cognito user pool id. */
  readonly USER_POOL_ID: string;
  /** The app client id tokens must be issued to. */
  readonly CLIENT_ID: string;
  /** Which token the client presents: `id` or `access`. */
  readonly TOKEN_USE: 'id' | 'access';
  /** Local harness only: a JWKS (JSON) loaded into the verifier's cache. @default - fetched from the pool */
  readonly JWKS_JSON?: string;
  /** Local harness only: where to fetch the JWKS from (plain HTTP allowed). @default - the pool's Cognito JWKS URL */
  readonly JWKS_URL?: string;
}

/** The token the widget's client presents to the authorizer: the id token (it carries the user's groups). */
export const WIDGET_TOKEN_USE: AuthorizerEnvironment['TOKEN_USE'] = 'id';
