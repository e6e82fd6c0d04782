import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { OrganizationLimitsSchema } from './organization-limits';
import { WidgetEdgeSchema } from './widget-edge';
import { GEOGRAPHY_IDS } from '../catalog/geographies';
import { MODEL_CATALOG, type ModelKind } from '../catalog/models';

/**
 * The governance config: one strict document that drives the whole app. Structural rules live here (types, formats,
 * ranges, unknown keys); rules that relate one part of the document to another live in `semantics.ts`.
 *
 * Every string format carries the expected shape as its message, so an error can say what was expected.
 */

/** Region codes aws-cdk-lib knows (commercial, China, GovCloud and isolated partitions). */
export const REGION_CODES = RegionInfo.regions.map((r) => r.name) as [string, ...string[]];

/** CloudWatch Logs retention values accepted by `PutRetentionPolicy` (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** An AWS account id: 12 digits, leading zeros included (so a string in YAML, quoted). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account id, quoted so YAML keeps leading zeros');
const organizationId = z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id: "o-" and 10 to 32 lowercase letters or digits');
const rootId = z.string().regex(/^r-[0-9a-z]{4,32}$/, 'a root id: "r-" and 4 to 32 lowercase letters or digits');
const ouId = z.string().regex(
  /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  'an OU id: "ou-", the 4 to 32 characters of the root id, "-", and 8 to 32 lowercase letters or digits',
);
const ouPath = z.string().regex(
  /^[\w .-]{1,128}(\/[\w .-]{1,128})*$/,
  'an OU path from the root, names separated by "/", e.g. "Workloads/Prod"',
);
const region = z.enum(REGION_CODES, { error: 'a Region code such as "eu-central-1"' });
const accountName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a short name: lowercase letters, digits and "-"');
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name: 1 to 64 of letters, digits and +=,.@_-');
const roleNamePattern = z.string().regex(/^[\w+=,.@*?-]{1,64}$/, 'an IAM role name pattern: 1 to 64 of letters, digits, +=,.@_- and the wildcards * and ?')
  .refine((p) => !/^[*?]*$/.test(p), 'a role name pattern with at least one character that is not a wildcard');
const days = (min: number, max: number) => z.number().int().min(min).max(max);
const ssmParameterName = z.string().regex(/^\/[\w.\/-]{1,1010}$/, 'an SSM parameter name with its path, e.g. "/platform/network/vpc-id"');

/**
 * Bedrock data-event resource types CloudTrail accepts in advanced event selectors (the data events table of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html). `AWS::Bedrock::Prompt` is left out: PutEventSelectors is reported to reject it.
 */
export const BEDROCK_DATA_EVENT_TYPES = [
  'AWS::Bedrock::AgentAlias', 'AWS::Bedrock::AsyncInvoke', 'AWS::Bedrock::FlowAlias', 'AWS::Bedrock::FlowExecution',
  'AWS::Bedrock::Guardrail', 'AWS::Bedrock::InlineAgent', 'AWS::Bedrock::KnowledgeBase', 'AWS::Bedrock::Model',
  'AWS::Bedrock::PromptVersion', 'AWS::Bedrock::Session',
] as const;

const Strength = z.enum(['NONE', 'LOW', 'MEDIUM', 'HIGH']);

const ContentFilter = z.strictObject({
  type: z.enum(['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK']),
  inputStrength: Strength,
  outputStrength: Strength.describe('PROMPT_ATTACK accepts only NONE for outputs'),
});

const DeniedTopic = z.strictObject({
  name: z.string().regex(/^[0-9a-zA-Z-_ !?.]{1,100}$/, 'a topic name of 1 to 100 letters, digits, spaces and -_!?.'),
  definition: z.string().min(1).max(1000),
  examples: z.array(z.string().min(1).max(100)).max(5).default([]),
});

const PiiEntity = z.strictObject({
  type: z.enum([
    'ADDRESS', 'AGE', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'CA_HEALTH_NUMBER', 'CA_SOCIAL_INSURANCE_NUMBER',
    'CREDIT_DEBIT_CARD_CVV', 'CREDIT_DEBIT_CARD_EXPIRY', 'CREDIT_DEBIT_CARD_NUMBER', 'DRIVER_ID', 'EMAIL',
    'INTERNATIONAL_BANK_ACCOUNT_NUMBER', 'IP_ADDRESS', 'LICENSE_PLATE', 'MAC_ADDRESS', 'NAME', 'PASSWORD', 'PHONE',
    'PIN', 'SWIFT_CODE', 'UK_NATIONAL_HEALTH_SERVICE_NUMBER', 'UK_NATIONAL_INSURANCE_NUMBER',
    'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER', 'URL', 'USERNAME', 'US_BANK_ACCOUNT_NUMBER', 'US_BANK_ROUTING_NUMBER',
    'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER', 'US_PASSPORT_NUMBER', 'US_SOCIAL_SECURITY_NUMBER', 'VEHICLE_IDENTIFICATION_NUMBER',
  ]),
  action: z.enum(['BLOCK', 'ANONYMIZE']),
});

/** Safe defaults: every harmful-content filter and prompt-attack detection at HIGH, credentials and card data blocked. */
const DEFAULT_CONTENT_FILTERS: z.input<typeof ContentFilter>[] = [
  ...(['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'] as const).map((type) => ({
    type, inputStrength: 'HIGH' as const, outputStrength: 'HIGH' as const,
  })),
  { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' },
];
const DEFAULT_PII: z.input<typeof PiiEntity>[] = [
  { type: 'AWS_ACCESS_KEY', action: 'BLOCK' },
  { type: 'AWS_SECRET_KEY', action: 'BLOCK' },
  { type: 'PASSWORD', action: 'BLOCK' },
  { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
  { type: 'EMAIL', action: 'ANONYMIZE' },
  { type: 'PHONE', action: 'ANONYMIZE' },
];

const Guardrail = z.strictObject({
  enforcement: z.enum(['organization-policy', 'account']).default('organization-policy')
    .describe('organization-policy: the Organizations BEDROCK_POLICY names a management-account guardrail version; account: AWS::Bedrock::EnforcedGuardrailConfiguration per account from the baseline'),
  name: z.string().regex(/^[0-9a-zA-Z-_]{1,50}$/, 'a guardrail name of 1 to 50 letters, digits, - and _'),
  contentFilters: z.array(ContentFilter).min(1).default(DEFAULT_CONTENT_FILTERS),
  deniedTopics: z.array(DeniedTopic).max(30).default([]),
  piiEntities: z.array(PiiEntity).default(DEFAULT_PII),
  europeanIdentifiers: z.enum(['off', 'BLOCK', 'ANONYMIZE']).default('off')
    .describe('adds the European identifiers Bedrock detects (UK NHS number, UK National Insurance number, UK Unique Taxpayer Reference, IBAN, SWIFT code) to piiEntities with this action; a type piiEntities lists keeps its own'),
  words: z.array(z.string().min(1).max(100)).max(10000).default([]),
  managedWordLists: z.array(z.enum(['PROFANITY'])).default(['PROFANITY']),
  grounding: z.strictObject({
    groundingThreshold: z.number().min(0).max(0.99),
    relevanceThreshold: z.number().min(0).max(0.99),
  }).optional().describe('contextual grounding check; leave out for workloads without reference sources'),
  blockedInputMessaging: z.string().min(1).max(500).default('This request is not allowed by the organization\'s AI use policy.'),
  blockedOutputsMessaging: z.string().min(1).max(500).default('The response was withheld by the organization\'s AI use policy.'),
});

const ApprovedModel = z.strictObject({
  modelId: z.string().min(1).describe('a model id from policies/catalog/models.ts'),
  access: z.enum(['inference-profile', 'in-region'])
    .describe('inference-profile: only through the approved geographies\' system profiles; in-region: an exception for models without a profile in them (embedding, rerank), callable directly in the governed Regions only'),
  reason: z.string().min(10).describe('why the model is approved (shown in reviews and the README)'),
});

/** A per-account hourly limit of one usage metric: a positive whole number. */
const hourlyLimit = (metric: string) => z.number().int().min(1).describe(`most ${metric} one account may use of one model or profile id in one hour`);

/**
 * DASH-1's per-account hourly usage limits (`OrganizationAlarms`): one Metrics Insights alarm per approved model's id and
 * usage metric watches every account at once, and an account above its limit is a contributor in ALARM.
 */
const AccountHourlyLimits = z.strictObject({
  invocations: hourlyLimit('invocations (Invocations)').default(10_000),
  inputTokens: hourlyLimit('input tokens (InputTokenCount)').default(10_000_000),
  outputTokens: hourlyLimit('output tokens (OutputTokenCount)').default(2_000_000),
  models: z.array(z.strictObject({
    modelId: z.string().min(1).describe('an approved model id'),
    invocations: hourlyLimit('invocations (Invocations)').optional(),
    inputTokens: hourlyLimit('input tokens (InputTokenCount)').optional(),
    outputTokens: hourlyLimit('output tokens (OutputTokenCount)').optional(),
  })).default([]).describe('limits of one approved model in place of the ones above; a limit left out keeps the one above'),
});

const pathDecision = (what: string) => z.enum(['deny', 'allow']).default('deny').describe(what);

/**
 * Bedrock paths on which AWS, not the config, chooses or hides the model, or that the approved-model controls cannot
 * see (BR-PATH-1). Each is denied in the workload OUs unless the config allows it.
 */
const BedrockPathDecisions = {
  batchInference: pathDecision('batch inference jobs (CreateModelInvocationJob); when allowed, only through an approved geography\'s inference profile (BR-CRI-1), on approved models'),
  asyncInvoke: pathDecision('asynchronous invocation (StartAsyncInvoke, e.g. video generation)'),
  promptRouters: pathDecision('prompt routers, which pick the model per request'),
  marketplaceEndpoints: pathDecision('invoking Bedrock Marketplace model endpoints (creating them stays platform-only, BR-AIP-1)'),
  dataAutomation: pathDecision('Bedrock Data Automation, which runs models AWS chooses'),
  promptOptimization: pathDecision('prompt optimization, which rewrites prompts with a model AWS chooses'),
  webSearch: pathDecision('web search: bedrock-websearch, AgentCore web search and Bedrock system tools such as Nova Web Grounding, which send queries to the public web'),
};

const BedrockPaths = z.strictObject({
  ...BedrockPathDecisions,
  batchInferenceWithoutProfile: z.array(z.string().min(1)).default([])
    .describe('approved models whose batch jobs may name the foundation model itself, in the governed Regions: only for models AWS runs batch inference for without a cross-Region profile (BR-CRI-1; https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html)'),
});

/** A Bedrock path `bedrock.paths` allows or denies (BR-PATH-1). */
export type BedrockPathName = keyof typeof BedrockPathDecisions;

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * An e-mail domain open to self sign-up, in lower case: labels of letters, digits and inner hyphens joined by dots, at
 * least two, no trailing dot (an address's domain is compared with it exactly).
 */
const emailDomain = z.string().max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, 'an e-mail domain in lower case, e.g. "example.com" (no "@", no trailing dot)');

/** A federated identity provider of the tenant's Cognito user pool. */
const IdentityProvider = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('OIDC'),
    name: z.string().regex(/^[\w.-]{1,32}$/, 'a provider name: 1 to 32 letters, digits, "_", "." and "-"'),
    issuerUrl: z.url({ protocol: /^https$/ }).describe('the OIDC issuer (https)'),
    clientId: z.string().min(1).max(255),
    clientSecretName: z.string().regex(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name').describe('Secrets Manager secret holding the client secret (never in config; CloudFormation reads it at deploy)'),
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  }),
  z.strictObject({
    type: z.literal('SAML'),
    name: z.string().regex(/^[\w.-]{1,32}$/, 'a provider name: 1 to 32 letters, digits, "_", "." and "-"'),
    metadataUrl: z.url({ protocol: /^https$/ }).describe('the IdP\'s SAML metadata document (https)'),
  }),
]);

/** The catalog's model ids of one kind, for an enum (the approved-model checks are the tenant stack's). */
const catalogIds = (kind: ModelKind) => MODEL_CATALOG.filter((m) => m.kind === kind).map((m) => m.modelId) as [string, ...string[]];

/**
 * An EventBridge schedule expression: `rate(<n> <unit>)` or `cron(<six fields>)`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
 */
const scheduleExpression = z.string().regex(
  /^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\(\S+( \S+){5}\))$/,
  'an EventBridge schedule expression: "rate(1 hour)", "rate(6 hours)" or "cron(0 3 * * ? *)"',
);

/** The support-chat tenant's knowledge base (workloads/support-chat/knowledge): Bedrock Knowledge Bases on S3 Vectors. */
const Knowledge = z.strictObject({
  embeddingModel: z.enum(catalogIds('embedding'))
    .describe('the embedding model, an approved model with access in-region (embedding models have no inference profile); only the knowledge base\'s service role may invoke it (BR-CRI-1)'),
  dimension: whole(1, 4096).default(1024).describe('the vector dimension: one the embedding model produces (Titan Text Embeddings V2: 256, 512 or 1024)'),
  results: whole(1, 100).default(5).describe('passages one retrieval returns at most (Retrieve numberOfResults)'),
  rerankModel: z.enum(catalogIds('rerank')).optional()
    .describe('an approved rerank model (access in-region) the turn reranks the passages with; left out, no reranking'),
  schedule: scheduleExpression.default('rate(1 hour)')
    .describe('when the data source is synchronized besides on every object change (catches changes a running ingestion job made the event-driven start skip)'),
  syncFailureAlarmThreshold: whole(1, 1000).default(1)
    .describe('failed synchronizations (KnowledgeSyncFailures) in an hour at or above which the tenant\'s sync alarm fires'),
});

/** The support-chat tenant's hand-off to human agents (workloads/support-chat/handoff): the ticketing webhook and the triggers' thresholds. */
const HandOff = z.strictObject({
  webhookUrl: z.string().url().regex(/^https:\/\/[^\s]+$/, 'an https:// URL')
    .describe('the ticketing system\'s inbound webhook (HTTPS): the connector posts each hand-off there once and stores the ticket id it answers'),
  apiKeySecretName: z.string().regex(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name')
    .describe('Secrets Manager secret (tenant account, each Region) holding the webhook\'s API key (never in config; the connector reads it)'),
  refundApprovalThreshold: z.number().positive().max(1_000_000).default(200)
    .describe('a refund asked for over this amount (any currency, not converted) goes to a person'),
  unresolvedTurns: whole(1, 50).default(6)
    .describe('assistant answers in a conversation after which its next message goes to a person (the settings\' first version; AppConfig may change it)'),
});

/** The support-chat tenant's order look-ups (workloads/support-chat/orders): the company's order API and how the turn reaches it. */
const Orders = z.strictObject({
  apiBaseUrl: z.string().url().regex(/^https:\/\/[^\s?#]+$/, 'an https:// URL without a query or fragment')
    .describe('the company\'s order API (HTTPS), reached through its PrivateLink endpoint service: the host must be that service\'s private DNS name'),
  endpointServiceName: z.string().regex(/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]{17}$/, 'a VPC endpoint service name (com.amazonaws.vpce.<region>.vpce-svc-<17 hex>)')
    .describe('the company\'s PrivateLink endpoint service in front of the order API; the tenant adds an interface endpoint to it with private DNS (docs/adr/0022-support-chat-order-tool-through-privatelink.md)'),
  secretName: z.string().regex(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name')
    .describe('Secrets Manager secret (tenant account, each Region) holding the API\'s credential: the token, or JSON with a token field'),
  authHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name').default('authorization')
    .describe('the header that carries the credential: Authorization as Bearer <token>, any other header as the token itself'),
  timeoutMs: whole(100, 10_000).default(3_000).describe('milliseconds one order look-up may take (the turn\'s deadline still holds)'),
  maxToolRounds: whole(1, 5).default(2).describe('rounds of tool calls one answer may make; a model asking for more gets an error frame'),
  credentialTtlSeconds: whole(0, 3_600).default(300).describe('seconds the turn keeps the credential before reading the secret again'),
});

/** Where a price was read and when: a page of AWS's pricing site and the day it was read. */
const priceSource = {
  source: z.string().regex(/^https:\/\/aws\.amazon\.com\/[^\s]*$/, 'a URL of AWS\'s pricing site, https://aws.amazon.com/...')
    .describe('the AWS pricing page the price was read from'),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as yyyy-mm-dd').describe('the day the price was read'),
};
const usd = (what: string) => z.number().min(0).max(1_000).describe(what);

/** The support-chat tenant's prices (workloads/support-chat/cost): what a turn and a conversation cost. */
const Pricing = z.strictObject({
  models: z.array(z.strictObject({
    modelId: z.string().min(1).describe('an approved model id'),
    geography: z.enum(GEOGRAPHY_IDS).optional()
      .describe('the cross-Region inference geography these prices are of (its profile is billed at its own prices); left out: the model called in-Region (embedding)'),
    inputPerMillionTokens: usd('USD per million input tokens'),
    outputPerMillionTokens: usd('USD per million output tokens').default(0),
    cacheReadPerMillionTokens: usd('USD per million cache-read input tokens; left out: the input price').optional(),
    cacheWritePerMillionTokens: usd('USD per million cache-write input tokens; left out: the input price').optional(),
    ...priceSource,
  })).min(1).describe('each model the tenant calls, at the prices of the geography whose profile it calls, and the embedding model in-Region'),
  guardrail: z.strictObject({
    contentFiltersPerThousandTextUnits: usd('USD per 1,000 text units (1,000 characters each) of content filters'),
    deniedTopicsPerThousandTextUnits: usd('USD per 1,000 text units of denied topics'),
    sensitiveInformationPerThousandTextUnits: usd('USD per 1,000 text units of sensitive-information filters (PII entities)'),
    contextualGroundingPerThousandTextUnits: usd('USD per 1,000 text units of the contextual grounding check'),
    ...priceSource,
  }).describe('the guardrail\'s prices per policy type evaluated (word filters and regular expressions are free)'),
  knowledge: z.strictObject({
    vectorQueriesPerThousand: usd('USD per 1,000 queries of the vector store (S3 Vectors query requests)'),
    rerankPerThousandQueries: usd('USD per 1,000 rerank queries (each up to 100 passages)').optional(),
    tokensEmbeddedPerMonth: z.number().int().min(0).max(1e12).describe('tokens ingestion embeds in a month (the corpus times its re-syncs): amortised over the month\'s conversations'),
    conversationsPerMonth: z.number().int().min(1).max(1e10).describe('conversations in a month, to amortise the ingestion\'s embeddings over'),
    ...priceSource,
  }).optional().describe('the knowledge base\'s prices; required with knowledge'),
});

/** An IAM role ARN: `arn:<partition>:iam::<account>:role/<path><name>`. */
const IAM_ROLE_ARN_PATTERN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The support-chat tenant's privacy requests (workloads/support-chat/privacy, docs/privacy.md). */
const Privacy = z.strictObject({
  officerRoleArns: z.array(z.string().regex(IAM_ROLE_ARN_PATTERN, 'an IAM role ARN: "arn:aws:iam::<12-digit account>:role/<name>"'))
    .min(1).refine((a) => new Set(a).size === a.length, 'each role once')
    .describe('the IAM roles that may assume the tenant\'s privacy officer role, the only principal that may invoke the privacy function (export, erase, hold, release): e.g. the role the privacy officers sign in to through the company\'s identity provider'),
});

/** The support-chat tenant (workloads/support-chat): where it runs, which approved models it uses for what, its limits. */
const SupportChat = z.strictObject({
  account: accountName.describe('the account (name in accounts) it deploys to; must be in a workload OU'),
  regions: z.array(region).min(1).describe('governed Regions it runs in; the first is its home'),
  models: z.strictObject({
    classifier: z.string().min(1).describe('approved text model that routes each question (small and fast)'),
    fast: z.string().min(1).describe('approved text model for simple questions (order status, FAQ)'),
    capable: z.string().min(1).describe('approved text model for complex questions (complaints, policy, technical)'),
    fallback: z.array(z.string().min(1)).default([]).describe('approved text models tried in order when the chosen one fails'),
  }),
  conversations: z.strictObject({
    retentionDays: whole(1, 3650).default(90).describe('days a conversation is kept (DynamoDB TTL)'),
  }).prefault({}),
  limits: z.strictObject({
    maxInputCharacters: whole(1, 100_000).default(10_000).describe('longest user message; longer gets an error frame'),
    historyMessages: whole(1, 100).default(10).describe('most earlier messages sent with a turn (the first message is always kept)'),
    historyTokens: whole(100, 200_000).default(6_000).describe('token budget for those earlier messages'),
    dailyTokensPerUser: whole(1, 1_000_000_000).default(200_000).describe('tokens one user may use in a day'),
    dailyTokensPerTenant: whole(1, 10_000_000_000).default(50_000_000).describe('tokens the tenant may use in a day'),
    turnDeadlineSeconds: whole(1, 25).default(25)
      .describe('a turn\'s deadline, retries and fallbacks included; at most 25, under API Gateway\'s 29-second integration timeout for the relay'),
  }).prefault({}),
  identityProviders: z.array(IdentityProvider).default([]).describe('SAML or OIDC providers federated into the tenant\'s user pool'),
  identity: z.strictObject({
    selfSignUp: z.strictObject({
      allowedEmailDomains: z.array(emailDomain).min(1).refine((d) => new Set(d).size === d.length, 'each domain once')
        .describe('the e-mail domains whose addresses may sign up (exact match: no subdomains)'),
    }).optional().describe('visitors create their own account with an address of an allowed domain and join the customer group; left out, only administrators create users'),
  }).prefault({}).describe('how users come into the tenant\'s user pool'),
  knowledge: Knowledge.optional().describe('answers grounded in the company\'s documents: a Bedrock knowledge base on S3 Vectors; left out, the tenant has none'),
  handOff: HandOff.optional().describe('hand-off to human agents through a ticketing webhook; left out, the assistant answers every message'),
  orders: Orders.optional().describe('order look-ups for the signed-in customer through Converse tool use (get_order_status); left out, the model has no tools'),
  pricing: Pricing.optional().describe('what each billed call costs: every answer stores its costUsd and the turn publishes TurnCostUsd; left out, turns are not costed'),
  privacy: Privacy.optional().describe('export and erasure of one customer\'s data, legal holds and their audit records (docs/privacy.md); left out, the tenant has no privacy function'),
  widget: WidgetEdgeSchema.optional().describe('the widget\'s edge: its domain, certificate, embedding shops and the rate limit of its CLOUDFRONT web ACL (docs/adr/0031-support-chat-widget-edge.md); left out, nothing serves the widget'),
});

/**
 * An AWS CodeConnections connection ARN: `arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodeconnections.html#awscodeconnections-resources-for-iam-policies).
 */
export const CODE_CONNECTION_ARN_PATTERN = /^arn:aws(-cn|-us-gov)?:codeconnections:[a-z]{2}(-[a-z]+)+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the pipeline reads the project from: a CodeConnections repository branch or an S3 object (exactly one). */
const PipelineSource = z.strictObject({
  connection: z.strictObject({
    connectionArn: z.string().regex(CODE_CONNECTION_ARN_PATTERN, 'a CodeConnections connection ARN: "arn:aws:codeconnections:<region>:<12-digit account>:connection/<uuid>"')
      .describe('the AWS CodeConnections connection (GitHub, GitHub Enterprise Server, GitLab, Bitbucket) the pipeline reads through'),
    repository: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'a repository as "owner/name"').describe('the repository, "owner/name"'),
    branch: z.string().regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[\w./-]{1,255}$/, 'a branch name: letters, digits, "_", ".", "-" and "/" (no "..", no leading or trailing "/")')
      .describe('the branch whose commits start the pipeline'),
  }).optional().describe('a repository branch through an AWS CodeConnections connection'),
  s3: z.strictObject({
    bucket: z.string().regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-"')
      .describe('a versioned bucket in the deployment account and home Region holding the project as a zip file'),
    key: z.string().min(1).max(1024).describe('the zip file\'s object key; a new version starts the pipeline (S3 PutObject data events must reach a CloudTrail trail)'),
  }).optional().describe('a zip file of the project in an S3 bucket'),
}).superRefine((source, ctx) => {
  const given = [source.connection && 'connection', source.s3 && 's3'].filter(Boolean);
  if (given.length !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: `exactly one source, connection or s3; found ${given.length === 0 ? 'neither' : 'both'}` });
  }
});

/** A share as a ratio, 0 to 1. */
const share = (what: string) => z.number().min(0).max(1).describe(what);

/**
 * How the pipeline releases the support-chat tenant (docs/adr/0034-tenant-release-by-golden-set-and-canary.md): the
 * golden-set gate before its stage deploys (the figures `npx projen bench:quality` measures against the deployed
 * knowledge base and real Bedrock, overall) and the CodeDeploy traffic shift of the turn and relay functions.
 */
export const TenantReleaseSchema = z.strictObject({
  goldenSet: z.strictObject({
    minRecallAt5: share('least recall@5 of the retrieval over the questions the corpus answers').default(0.9),
    minHitAt1: share('least hit@1 of the retrieval').default(0.7),
    minRoutingAccuracy: share('least share of questions the classifier routes as the golden set does').default(0.8),
    minHandOffRecall: share('least share of the golden hand-offs the hand-off decision makes').default(0.9),
    minRefusalCorrect: share('least share of the questions staying with the assistant whose refusal (no supporting passage) is the golden one').default(0.8),
    maxUnexpectedInterventions: share('most share of the questions the golden set expects no guardrail intervention on that the guardrail intervened on').default(0.05),
    maxMissedInterventions: share('most share of the questions the golden set expects a guardrail intervention on that the guardrail let through').default(0),
    maxFirstTokenP99Ms: whole(100, 120_000).default(6_000).describe('most p99 of the time from a question to its answer\'s first text (ms)'),
    maxCostPerConversationUsd: z.number().gt(0).max(100).default(0.02)
      .describe('most mean cost of a one-question conversation (USD), from the usage each call reported at workloads.supportChat.pricing'),
  }).prefault({}).describe('the thresholds of the golden-set evaluation (least figures, most rates, latency and cost); past any, the tenant\'s stage does not deploy'),
  canary: z.strictObject({
    stepMinutes: whole(1, 60).default(3).describe('minutes between the traffic steps of 10 % of a function\'s alias (10 steps: the whole shift takes 9 times this)'),
    errorRatePercent: z.number().gt(0).max(100).default(1).describe('rolls back when the new version\'s errors exceed this share of its invocations (%) in a minute'),
    durationP99BaselineMs: z.strictObject({
      turn: whole(100, 900_000).default(20_000).describe('the turn function\'s usual p99 duration (ms)'),
      relay: whole(100, 900_000).default(25_000).describe('the relay function\'s usual p99 duration (ms)'),
    }).prefault({}).describe('the functions\' usual p99 duration, from their dashboards'),
    durationP99Factor: z.number().gt(1).max(10).default(2).describe('rolls back when the new version\'s p99 duration exceeds the baseline times this in a minute'),
  }).prefault({}).describe('the CodeDeploy traffic shift of the turn\'s and relay\'s alias `live`'),
});

/** The platform team's pipeline (stacks/pipeline/): when given, the app synthesizes the pipeline and the estate in its stages. */
const Pipeline = z.strictObject({
  account: accountName.optional()
    .describe('the deployment account (name in accounts) the pipeline runs in; a delegated member account is recommended; default: the management account'),
  name: z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/, 'a pipeline name: 1 to 100 letters, digits, ".", "@", "_" and "-"').default('genai-governance')
    .describe('the CodePipeline pipeline\'s name'),
  source: PipelineSource.describe('exactly one of connection or s3'),
  bootstrapQualifier: z.string().regex(/^[A-Za-z0-9_-]{1,10}$/, 'a CDK bootstrap qualifier: 1 to 10 letters, digits, "_" and "-"')
    .refine((q) => q !== 'hnb659fds', 'not the CDK default qualifier hnb659fds, which every account\'s own CDK bootstrap uses')
    .default('genaigov')
    .describe('the qualifier of the CDK bootstrap the pipeline\'s bootstrap StackSet deploys (cdk-<qualifier>-*-role-<account>-<region>, /cdk-bootstrap/<qualifier>/version); its execution roles in the log-archive and audit accounts are governance principals'),
  tenantRelease: TenantReleaseSchema.optional().describe('how the support-chat tenant is released: the golden-set gate and the canary of its functions (left out: every default)'),
});

/** The tenant release settings of a config: its `pipeline.tenantRelease`, else the defaults (also without a pipeline). */
export function tenantReleaseOf(config: { readonly pipeline?: { readonly tenantRelease?: TenantRelease } }): TenantRelease {
  return config.pipeline?.tenantRelease ?? TenantReleaseSchema.parse({});
}
export type TenantRelease = z.output<typeof TenantReleaseSchema>;

export const GovernanceConfigSchema = z.strictObject({
  organization: z.strictObject({
    id: organizationId,
    rootId,
    homeRegion: region.describe('Region of the management, log-archive and audit stacks; must be governed'),
    governedRegions: z.array(region).min(1).describe('Regions where workloads may run; each in one of bedrock.geographies'),
    workloadOrganizationalUnits: z.array(ouPath).min(1).describe('OU paths whose accounts run Bedrock workloads'),
    limits: OrganizationLimitsSchema.prefault({})
      .describe('the AWS Organizations quotas the policies are packed and checked against (config/organization-limits.ts), and the slots kept for policies attached outside this tool'),
  }),
  organizationalUnits: z.array(z.strictObject({ path: ouPath, id: ouId })).min(1),
  accounts: z.array(z.strictObject({
    name: accountName,
    id: accountId,
    organizationalUnit: ouPath.optional().describe('OU path; left out for accounts directly under the root'),
  })).min(3),
  topology: z.strictObject({
    management: accountName.describe('name of the management account in accounts'),
    logArchive: accountName.describe('name of the log-archive account in accounts'),
    audit: accountName.describe('name of the audit (security tooling) account in accounts'),
  }),
  bedrock: z.strictObject({
    geographies: z.array(z.enum(GEOGRAPHY_IDS)).min(1).describe('the CRI geographies whose profiles (eu., us., apac.) workloads use'),
    globalInference: z.enum(['deny', 'allow']).default('deny').describe('allow global. profiles (any commercial Region may serve)'),
    approvedModels: z.array(ApprovedModel).min(1),
    paths: BedrockPaths.prefault({}).describe('Bedrock paths that are off unless allowed here (BR-PATH-1); every one defaults to deny'),
    requireVpcEndpoint: z.array(ouPath).default([])
      .describe('workload OU paths where inference must come through a VPC endpoint of the caller\'s own account (BR-VPCE-1): the console playground and calls from outside the account\'s VPCs are denied; default: none'),
    guardrail: Guardrail,
  }),
  retention: z.strictObject({
    objectLockDays: days(1, 36500).describe('default Object Lock retention (compliance mode) of the archive buckets'),
    transitionToColdStorageAfterDays: days(30, 36500).describe('age at which archived logs move to Glacier Flexible Retrieval'),
    logGroupRetentionDays: z.literal(LOG_RETENTION_DAYS, { error: `one of ${LOG_RETENTION_DAYS.join(', ')}` })
      .describe(`CloudWatch Logs retention, one of ${LOG_RETENTION_DAYS.join(', ')}`),
    accessLogExpirationDays: days(1, 36500).describe('how long S3 server access logs are kept'),
  }),
  trail: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{2,127}$/, 'a trail name: 3 to 128 letters, digits, ".", "_" and "-", starting with a letter or digit')
      .default('genai-governance-organization-trail').describe('name of the organization trail in the management account'),
    bedrockDataEvents: z.array(z.enum(BEDROCK_DATA_EVENT_TYPES)).default([...BEDROCK_DATA_EVENT_TYPES])
      .describe('Bedrock data-event resource types the trail records (billed per event); management events, InvokeModel and Converse included, are always recorded'),
  }).prefault({}),
  observability: z.strictObject({
    modelPrices: z.array(z.strictObject({
      modelId: z.string().min(1).describe('an approved model id'),
      inputPerMillionTokens: z.number().min(0).describe('price of one million input tokens, in USD'),
      outputPerMillionTokens: z.number().min(0).describe('price of one million output tokens, in USD'),
    })).default([]).describe('on-demand token prices for the usage dashboard\'s estimated cost; models left out are not costed'),
    anomalyBandStandardDeviations: z.number().min(1).max(10).default(2)
      .describe('width of the anomaly band of the organization-level Bedrock AccessDenied alarm (home Region), in standard deviations'),
    accountHourlyLimits: AccountHourlyLimits.prefault({})
      .describe('DASH-1: how much of one approved model (one model or profile id) one account may use in one hour before the organization alarm on it fires'),
    spendAnomalies: z.strictObject({
      enabled: z.boolean().default(true)
        .describe('DASH-1: AWS Cost Anomaly Detection on the organization\'s Bedrock spend, in the management account (Cost Explorer must be enabled there)'),
      minimumImpactUsd: z.number().min(1).max(1_000_000).default(100)
        .describe('an anomaly notifies when its total cost impact (actual minus expected spend) reaches this many USD'),
      minimumImpactPercentage: z.number().min(1).max(10_000).optional()
        .describe('and, when given, also when its impact reaches this percentage of the expected spend (both must hold)'),
      additionalServiceCodes: z.array(z.string().regex(/^[A-Za-z0-9][\w.-]{0,127}$/, 'a Cost Explorer SERVICE_CODE value, e.g. "AmazonBedrock"')).default([])
        .describe('Cost Explorer SERVICE_CODE values counted as Bedrock spend besides AmazonBedrock: the AWS Marketplace line items of third-party models, as your bill names them'),
    }).prefault({}).describe('DASH-1: Cost Anomaly Detection on Bedrock spend (docs/adr/0011-three-layers-of-usage-and-spend-anomalies.md)'),
  }).prefault({}),
  audit: z.strictObject({
    auditorRoleName: roleName.default('genai-governance-auditor')
      .describe('role in the audit account that queries the archives: metadata columns only (LF-tag classification=internal)'),
    investigatorRoleName: roleName.default('genai-governance-investigator')
      .describe('role in the audit account that may also read prompt and response bodies (classification=confidential)'),
    athenaBytesScannedCutoffGb: z.number().int().min(1).max(10000).default(10).describe('per-query scan limit of the audit workgroup, in GB'),
    athenaResultsExpirationDays: days(1, 3650).default(30).describe('days Athena query results are kept'),
    projectionStartDate: z.string().regex(/^\d{4}\/\d{2}\/\d{2}$/, 'a date as yyyy/MM/dd, e.g. "2026/01/01"').default('2026/01/01')
      .describe('first day the Athena tables project partitions for'),
    macie: z.strictObject({
      automatedDiscovery: z.boolean().default(true)
        .describe('automated sensitive-data discovery for every member account, existing and new (Security Hub Macie.2); billed per object sampled'),
      classificationJobSchedule: z.enum(['daily', 'weekly', 'monthly']).default('daily')
        .describe('how often the classification job scans the objects added to the invocation-log archive since its last run (weekly: Mondays, monthly: the 1st)'),
      classificationJobSamplingPercentage: z.number().int().min(1).max(100).default(100)
        .describe('percentage of the new archive objects each run of the classification job analyses'),
    }).prefault({}),
  }).prefault({}),
  principals: z.strictObject({
    platformRoleName: roleName.describe('the pipeline role that deploys this app; exempt from tamper protection'),
    breakGlassRoleName: roleName.describe('the emergency role; exempt from tamper protection'),
    boundaryExemptRoleNamePatterns: z.array(roleNamePattern).default(['cdk-*-cfn-exec-role-*'])
      .describe('roles, by name pattern, that may create and change roles and users without the workload boundary (ORG-BOUNDARY-1), besides the platform, break-glass and StackSets execution roles; default: the CDK bootstrap CloudFormation execution roles'),
  }),
  baseline: z.strictObject({
    targetOrganizationalUnits: z.array(ouPath).min(1).optional()
      .describe('OU paths the baseline StackSets auto-deploy to; default: organization.workloadOrganizationalUnits'),
    delegatedAdministrator: accountName.optional()
      .describe('account registered as StackSets delegated administrator; the StackSets live there (CallAs DELEGATED_ADMIN); default: the management account (CallAs SELF)'),
    network: z.strictObject({
      vpcCidr: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-6])$/, 'an IPv4 CIDR from /16 to /26, e.g. "10.255.0.0/24"').default('10.255.0.0/24')
        .describe('CIDR of the private, egress-free VPC the baseline creates for the Bedrock endpoints'),
      additionalEndpoints: z.array(z.enum(['bedrock-agent', 'bedrock-mantle'])).default([])
        .describe('interface endpoints beyond bedrock, bedrock-runtime and bedrock-agent-runtime'),
      existingVpc: z.strictObject({
        vpcIdParameter: ssmParameterName.default('/genai-governance/network/vpc-id')
          .describe('SSM parameter holding the VPC id in every target account and Region'),
        subnetIdsParameter: ssmParameterName.default('/genai-governance/network/subnet-ids')
          .describe('SSM StringList parameter holding the subnet ids for the endpoints (one per Availability Zone)'),
        vpcCidrParameter: ssmParameterName.default('/genai-governance/network/vpc-cidr')
          .describe('SSM parameter holding the VPC CIDR, the only source the endpoint security group admits'),
      }).optional().describe('put the endpoints into an existing VPC of each account, named by SSM parameters, instead of creating one (vpcCidr is then unused)'),
    }).prefault({}),
    invocationLogging: z.strictObject({
      onStackDelete: z.enum(['keep-logging', 'stop-logging']).default('keep-logging')
        .describe('keep-logging: deleting the baseline stack leaves invocation logging on and keeps its bucket, key, log group and roles; stop-logging: deletes the logging configuration'),
      dataDelivery: z.strictObject({
        text: z.boolean().default(true),
        image: z.boolean().default(true),
        embedding: z.boolean().default(true),
        video: z.boolean().default(true),
        audio: z.boolean().default(true),
      }).prefault({}).describe('which request and response bodies Bedrock writes into the logs (metadata is always logged)'),
      localExpirationDays: days(1, 3650).default(30)
        .describe('days the member account keeps its own copy; the evidence copy is replicated to the log-archive Object Lock bucket'),
      metadataOnlyOrganizationalUnits: z.array(ouPath).default([])
        .describe('baseline target OUs whose accounts log invocation metadata only: no text, image, embedding, video or audio bodies, whatever dataDelivery says (docs/adr/0030-metadata-only-invocation-logging-by-ou.md)'),
    }).prefault({}),
    retainStacksOnAccountRemoval: z.boolean().default(false).describe('keep an account\'s baseline stacks when it leaves a target OU'),
    operationPreferences: z.strictObject({
      regionConcurrency: z.enum(['SEQUENTIAL', 'PARALLEL']).default('PARALLEL'),
      maxConcurrentPercentage: z.number().int().min(1).max(100).default(25).describe('accounts deployed at once per Region, percent'),
      failureTolerancePercentage: z.number().int().min(0).max(100).default(10).describe('failed accounts tolerated per Region before the operation stops, percent'),
    }).prefault({}),
  }).prefault({}),
  detective: z.strictObject({
    securityHub: z.strictObject({
      enabled: z.boolean().default(true)
        .describe('DET-SH-1: Security Hub CSPM administered from the audit account (delegated administrator, central configuration) with the AI Security Best Practices v1.0.0 standard on in every account of the baseline\'s target OUs and every governed Region (docs/adr/0026-aws-managed-detective-controls.md)'),
    }).prefault({}),
    configConformance: z.strictObject({
      enabled: z.boolean().default(true)
        .describe('DET-CFG-1: the governance conformance pack for Amazon Bedrock as an organization conformance pack from the audit account (delegated administrator) in every governed Region, evaluated in the accounts of the baseline\'s target OUs'),
      recorder: z.enum(['baseline', 'existing']).default('baseline')
        .describe('baseline: the member baseline creates the AWS Config recorder (only the resource types below) and its delivery channel in every target account and Region; existing: the accounts already record them (e.g. AWS Control Tower\'s recorder), and the baseline creates none'),
      recordingFrequency: z.enum(['CONTINUOUS', 'DAILY']).default('CONTINUOUS')
        .describe('how the baseline\'s recorder records: every change (USD 0.003 per configuration item) or at most once a day per changed resource (USD 0.012 per item)'),
      additionalResourceTypes: z.array(z.string().regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, 'an AWS Config resource type, e.g. "AWS::SageMaker::NotebookInstance"')).default([])
        .describe('resource types the baseline\'s recorder records besides the Bedrock and AgentCore types the pack and the AI standard evaluate, e.g. the SageMaker types for the standard\'s SageMaker controls (each is billed per configuration item)'),
    }).prefault({}),
  }).prefault({}).describe('AWS-managed detective controls beside the verification: Security Hub CSPM and AWS Config (docs/adr/0026-aws-managed-detective-controls.md)'),
  workloads: z.strictObject({
    supportChat: SupportChat.optional().describe('the support-chat tenant; left out, it is not deployed'),
  }).prefault({}).describe('governed tenants this app deploys into workload accounts'),
  pipeline: Pipeline.optional()
    .describe('the platform team\'s CDK pipeline; when given, the app synthesizes the pipeline stack and the estate inside its stages (docs/adr/0014-estate-in-pipeline-stages.md); left out, the estate as stacks for the CDK CLI'),
});

/** The config as written (defaults not yet applied). */
export type GovernanceConfigInput = z.input<typeof GovernanceConfigSchema>;
/** The config after validation, with defaults applied. */
export type GovernanceConfig = z.output<typeof GovernanceConfigSchema>;
