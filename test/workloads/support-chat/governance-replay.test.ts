import { findCatalogModel, findGeographicProfile } from '../../../catalog/models';
import { KNOWLEDGE_BASE_ROLE_PATH } from '../../../contracts/knowledge-base-roles';
import { applicationProfileArnParameterName, type TenantModelRole } from '../../../contracts/tenant-inference-profiles';
import { WORKLOAD_CONTRACT } from '../../../contracts/workload-contract';
import { foundationModelArn } from '../../../policies/arns';
import { STACK_RECIPES } from '../../../stacks/estate';
import { SUPPORT_CHAT_TENANT } from '../../../stacksets/tenant-profiles/tenant-inference-profiles-stack';
import { tenantProfileSources } from '../../../stacksets/tenant-profiles/tenant-profile-sources';
import { agentJoinsKey, conversationConnectionsKey, OPEN_HAND_OFFS_KEY } from '../../../workloads/support-chat/chat/handlers/lib/connection-index';
import { relayRateKey, userKey } from '../../../workloads/support-chat/chat/handlers/lib/conversation-keys';
import { conversationSessionPolicy } from '../../../workloads/support-chat/chat/handlers/lib/session-policy';
import { REFUND_APPROVALS_KEY } from '../../../workloads/support-chat/handoff/handlers/lib/refund-approvals';
import { tenantAllowedProfiles, tenantModels } from '../../../workloads/support-chat/tenant/tenant-models';
import { synthVariant } from '../../support/estate';
import { exampleEstate, type SynthesizedStack } from '../../support/example-estate';
import { OrgSimulator, type OrgRequest } from '../../support/org-simulator';
import { resolveIntrinsics, type Template } from '../../support/resolve-intrinsics';

/**
 * The governance replay: the support-chat tenant's exact call sequence — each role, action, resource ARN and context,
 * every destination-Region evaluation of a cross-Region inference call included — evaluated with iam-simulate against
 * what the estate synthesizes: the SCPs and RCPs, the workload boundary and invoke policies of the member baseline,
 * the tenant's own role policies, trust and resource policies, and the per-user session policy. Every legitimate call
 * is allowed; the shortcuts (a direct model call, an unapproved model, another geography, a call without the
 * guardrail or with another version, another user's items) are denied.
 */
const REGION = 'eu-central-1';
const SUB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const UNAPPROVED = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const GUARDRAIL_VERSION = '3';

describe('support-chat governance replay (synthesized SCPs, RCPs, boundary, role, trust, resource and session policies)', () => {
  const estate = exampleEstate();
  const { config } = estate;
  const tenant = config.workloads.supportChat!;
  const account = config.accounts.find((a) => a.name === tenant.account)!.id;
  const management = config.accounts.find((a) => a.name === config.topology.management)!.id;
  const place = { account, region: REGION };
  /** The ARN of a role's application profile in the tenant's account (Bedrock's ids are 12 lowercase letters and digits). */
  const applicationProfileArnOf = (role: string) =>
    `arn:aws:bedrock:${REGION}:${account}:application-inference-profile/${role.replace(/[^a-z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`;
  const simulator = new OrgSimulator(estate.assembly, config);
  const chat = estate.supportChat.find((s) => s.region === REGION)!;
  const guardrailStack = estate.guardrails.find((g) => g.region === REGION)!;
  const guardrailPolicyResource = Object.values(guardrailStack.template.findResources('AWS::Bedrock::ResourcePolicy'))[0];
  const guardrailPolicy = resolveIntrinsics(guardrailPolicyResource.Properties.PolicyDocument,
    { ...(guardrailStack.template.toJSON() as Template) }, { account: management, region: REGION });
  /** The organization guardrail's ARN as the guardrail stack names it (its id is the guardrail's, known only after deploy). */
  const guardrailArn: string = guardrailPolicy.Statement[0].Resource;
  const guardrailIdentifier = `${guardrailArn}:${GUARDRAIL_VERSION}`;

  /** The tenant template with its SSM-typed parameters set to what the workload contract holds in this account and Region. */
  const contractValues: Record<string, string> = {
    [WORKLOAD_CONTRACT.guardrailArn]: guardrailArn,
    [WORKLOAD_CONTRACT.guardrailVersion]: GUARDRAIL_VERSION,
    [WORKLOAD_CONTRACT.permissionsBoundaryArn]: `arn:aws:iam::${account}:policy/genai-governance-workload-boundary`,
    [WORKLOAD_CONTRACT.vpcId]: 'vpc-0a1b2c3d4e5f60718',
    [WORKLOAD_CONTRACT.endpointSecurityGroupId]: 'sg-0a1b2c3d4e5f60718',
    // The tenant's application inference profiles, as the platform's StackSet publishes them (ADR 35).
    ...Object.fromEntries(Object.keys(tenantProfileSources(config, REGION)).map((role) => [
      applicationProfileArnParameterName(SUPPORT_CHAT_TENANT, role as TenantModelRole), applicationProfileArnOf(role),
    ])),
  };
  const withContract = (stack: SynthesizedStack): Template => {
    const template = stack.template.toJSON() as Template & { Parameters: Record<string, { Type: string; Default?: unknown }> };
    const parameters = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([id, p]) =>
      [id, { ...p, Default: contractValues[String(p.Default)] ?? p.Default }]));
    return { ...template, Parameters: parameters };
  };
  const chatTemplate = withContract(chat);
  const resolved = (value: unknown, template: Template = chatTemplate) => resolveIntrinsics(value, template, place);
  const managedPolicy = (stack: SynthesizedStack, template: Template, name: string) => {
    const found = Object.values(stack.template.findResources('AWS::IAM::ManagedPolicy')).find((p) => resolved(p.Properties.ManagedPolicyName, template) === name);
    if (!found) throw new Error(`no managed policy ${name} in ${stack.artifact.stackName}`);
    return resolved(found.Properties.PolicyDocument, template);
  };
  const baselineGlobal = estate.baseline.global.template.toJSON() as Template;
  const globalPolicies = Object.values(estate.baseline.global.template.findResources('AWS::IAM::ManagedPolicy'));
  const boundary = resolveIntrinsics(globalPolicies.find((p) => p.Properties.ManagedPolicyName === 'genai-governance-workload-boundary')!.Properties.PolicyDocument, baselineGlobal, place);
  const invokePolicies = globalPolicies.filter((p) => String(p.Properties.ManagedPolicyName).startsWith('genai-governance-cri-invoke-'))
    .map((p) => resolveIntrinsics(p.Properties.PolicyDocument, baselineGlobal, place));
  const merged = (...documents: { Statement: unknown[] }[]) => ({ Version: '2012-10-17', Statement: documents.flatMap((d) => d.Statement) });

  const turnRoleName = `support-chat-turn-${REGION}`;
  const turnPolicy = managedPolicy(chat, chatTemplate, turnRoleName);
  const turnIdentity = merged(turnPolicy, ...invokePolicies);
  const dataRoleName = `support-chat-conversation-data-${REGION}`;
  const dataPolicy = managedPolicy(chat, chatTemplate, dataRoleName);
  const relayPolicy = managedPolicy(chat, chatTemplate, `support-chat-relay-${REGION}`);
  const tracingPolicy = managedPolicy(chat, chatTemplate, `support-chat-tracing-${REGION}`);
  // The knowledge base (workloads.supportChat.knowledge): its service role, the sync function's role, its ARN and index.
  const knowledge = tenant.knowledge!;
  const kbRoleName = `${KNOWLEDGE_BASE_ROLE_PATH.slice(1)}support-chat-knowledge-${REGION}`;
  const kbPolicy = managedPolicy(chat, chatTemplate, `support-chat-knowledge-${REGION}`);
  const syncRoleName = `support-chat-knowledge-sync-${REGION}`;
  const syncPolicy = managedPolicy(chat, chatTemplate, syncRoleName);
  const kbArn: string = resolved({ 'Fn::GetAtt': [Object.keys(chat.template.findResources('AWS::Bedrock::KnowledgeBase'))[0], 'KnowledgeBaseArn'] });
  const indexArn: string = resolved({ 'Fn::GetAtt': [Object.keys(chat.template.findResources('AWS::S3Vectors::Index'))[0], 'IndexArn'] });
  const [dataSource] = Object.values(chat.template.findResources('AWS::Bedrock::DataSource'));
  const documentsObject = `${resolved(dataSource.Properties.DataSourceConfiguration.S3Configuration.BucketArn)}/faqs/returns.en.md`;
  const asKnowledgeBase = (action: string, resource: string, context: Record<string, string> = {}): OrgRequest => ({
    account: tenant.account, role: kbRoleName, action, resource, identityPolicy: kbPolicy, permissionBoundary: boundary, context: { 'aws:RequestedRegion': REGION, ...context },
  });
  const asSync = (action: string, resource: string): OrgRequest => ({
    account: tenant.account, role: syncRoleName, action, resource, identityPolicy: syncPolicy, permissionBoundary: boundary, context: { 'aws:RequestedRegion': REGION },
  });
  const tableArn = resolved({ 'Fn::GetAtt': [Object.keys(chat.template.findResources('AWS::DynamoDB::Table'))[0], 'Arn'] });
  const [dataRole] = Object.values(chat.template.findResources('AWS::IAM::Role')).filter((r) => resolved(r.Properties.RoleName) === dataRoleName);
  const relayRoleName = `support-chat-relay-${REGION}`;
  /** The turn's alias `live`: what the relay invokes (the unqualified ARN's policy denies every principal). */
  const turnArn = `arn:aws:lambda:${REGION}:${account}:function:support-chat-turn:live`;
  /** The resource-based policy of the turn's alias (`AWS::Lambda::ResourcePolicy`), for every invocation of the turn. */
  const turnResourcePolicy = (() => {
    const found = Object.values(chat.template.findResources('AWS::Lambda::ResourcePolicy'))
      .find((p) => JSON.stringify(p.Properties.PolicyDocument).includes('"TheRelayInvokes"'));
    return found && resolved(found.Properties.PolicyDocument);
  })();
  /** The relay's `@connections` calls on a connection of this API's `live` stage: `<api>/live/<METHOD>/@connections/<id>`. */
  const connectionArn = (method: string) => {
    const post = relayPolicy.Statement.find((st: { Sid?: string }) => st.Sid === 'PostToConnections').Resource as string;
    return post.replace('/POST/', `/${method}/`).replace(/\*$/, 'Zk3abcDEFgoCFtw=');
  };
  /** The refund approval workflow (ADR 33): its function's role, the state machine's and the rule's. */
  const refundRoleName = (what: string) => `support-chat-${what}-${REGION}`;
  const asRefund = (what: string, action: string, resource: string, context: Record<string, string | string[]> = {}): OrgRequest => ({
    account: tenant.account,
    role: refundRoleName(what),
    action,
    resource,
    identityPolicy: managedPolicy(chat, chatTemplate, refundRoleName(what)),
    permissionBoundary: boundary,
    context: { 'aws:RequestedRegion': REGION, ...context },
  });
  const refundMachineArn = `arn:aws:states:${REGION}:${account}:stateMachine:support-chat-refund-approval`;
  const relay = (action: string, resource: string, extra: Partial<OrgRequest> = {}): OrgRequest => ({
    account: tenant.account,
    role: relayRoleName,
    action,
    resource,
    identityPolicy: relayPolicy,
    permissionBoundary: boundary,
    context: { 'aws:RequestedRegion': REGION },
    ...extra,
  });

  const turn = (action: string, resource: string, context: Record<string, string | string[]>, extra: Partial<OrgRequest> = {}): OrgRequest => ({
    account: tenant.account, role: turnRoleName, action, resource, context, identityPolicy: turnIdentity, permissionBoundary: boundary, ...extra,
  });
  const profileArn = (profileId: string) => `arn:aws:bedrock:${REGION}:${account}:inference-profile/${profileId}`;
  /** One CRI call as Bedrock authorizes it: the profile, then the foundation model in each destination Region. */
  const criCall = (action: string, profileId: string, guardrail: string | null = guardrailIdentifier): [string, OrgRequest][] => {
    const modelId = profileId.slice(profileId.indexOf('.') + 1);
    const geography = profileId.slice(0, profileId.indexOf('.')) as 'eu';
    const destinations = findGeographicProfile(findCatalogModel(modelId)!, geography)?.destinationRegions ?? [REGION];
    const withGuardrail: Record<string, string> = guardrail === null ? {} : { 'bedrock:GuardrailIdentifier': guardrail };
    return [
      [`${action} on ${profileId} (profile)`, turn(action, profileArn(profileId), { ...withGuardrail, 'aws:RequestedRegion': REGION })],
      ...destinations.map((r): [string, OrgRequest] => [
        `${action} on ${modelId} in ${r} through ${geography}.`,
        turn(action, foundationModelArn(r, modelId), { ...withGuardrail, 'bedrock:InferenceProfileArn': profileArn(profileId) }),
      ]),
    ];
  };

  /**
   * One call through an application profile as Bedrock authorizes it (ADR 35): the application profile, then the
   * foundation model in each destination Region of the system profile it wraps, `bedrock:InferenceProfileArn` being the
   * application profile's ARN (never the wrapped one's).
   */
  const applicationProfileCall = (action: string, wrappedProfileId: string, applicationProfile: string): [string, OrgRequest][] => {
    const modelId = wrappedProfileId.slice(wrappedProfileId.indexOf('.') + 1);
    const geography = wrappedProfileId.slice(0, wrappedProfileId.indexOf('.')) as 'eu' | 'us';
    const destinations = findGeographicProfile(findCatalogModel(modelId)!, geography)!.destinationRegions;
    const withGuardrail = { 'bedrock:GuardrailIdentifier': guardrailIdentifier };
    return [
      [`${action} on the application profile over ${wrappedProfileId}`, turn(action, applicationProfile, { ...withGuardrail, 'aws:RequestedRegion': REGION })],
      ...destinations.map((r): [string, OrgRequest] => [
        `${action} on ${modelId} in ${r} through the application profile over ${geography}.`,
        turn(action, foundationModelArn(r, modelId), { ...withGuardrail, 'bedrock:InferenceProfileArn': applicationProfile }),
      ]),
    ];
  };
  /** What the turn gets in APPLICATION_PROFILES, resolved with the contract's values. */
  const turnFunction = Object.values(chat.template.findResources('AWS::Lambda::Function'))
    .find((f) => f.Properties.Environment?.Variables?.APPLICATION_PROFILES !== undefined)!;
  const turnApplicationProfiles = JSON.parse(resolved(turnFunction.Properties.Environment.Variables.APPLICATION_PROFILES)) as Record<string, string>;

  const models = tenantModels(config, REGION);
  /** The tenant's AppConfig configuration, as the turn policy names it. */
  const settingsArn: string = turnPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'ReadTheSettings').Resource;
  const legitimate: [string, OrgRequest][] = [
    // The settings (AppConfig's data plane, through Powertools Parameters): a session, then the latest version.
    ...['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'].map((action): [string, OrgRequest] => [
      `${action} on the tenant's settings`, turn(action, settingsArn, { 'aws:RequestedRegion': REGION }),
    ]),
    // The classifier (Converse authorizes as InvokeModel), then the answer (ConverseStream as InvokeModelWithResponseStream), and each fallback.
    ...criCall('bedrock:InvokeModel', models.classifier),
    ...[models.fast, models.capable, ...models.fallback].flatMap((p) => criCall('bedrock:InvokeModelWithResponseStream', p)),
    // The same calls as the turn sends them: through the tenant's application profile over each role's system profile.
    ...applicationProfileCall('bedrock:InvokeModel', models.classifier, turnApplicationProfiles[models.classifier]),
    ...[...new Set([models.fast, models.capable, ...models.fallback])]
      .flatMap((p) => applicationProfileCall('bedrock:InvokeModelWithResponseStream', p, turnApplicationProfiles[p])),
    // The guardrail is the management account's: applied with the caller's credentials under its resource policy, by every
    // Converse with the guardrail and by the turn itself, which redacts each new message with it before storing it (ADR 36).
    ['bedrock:ApplyGuardrail on the organization guardrail', turn('bedrock:ApplyGuardrail', guardrailArn, { 'aws:RequestedRegion': REGION }, {
      resourceAccount: management, resourcePolicy: guardrailPolicy,
    })],
    ['sts:AssumeRole of the conversation-data role', turn('sts:AssumeRole', `arn:aws:iam::${account}:role/${dataRoleName}`, {}, { resourcePolicy: resolved(dataRole.Properties.AssumeRolePolicyDocument) })],
    ['dynamodb:UpdateItem on the tenant\'s counter', turn('dynamodb:UpdateItem', tableArn, { 'dynamodb:LeadingKeys': ['TENANT'], 'aws:RequestedRegion': REGION })],
    ...['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'].map((action): [string, OrgRequest] => [
      `${action} on the user's items in the user's session`,
      {
        account: tenant.account,
        role: dataRoleName,
        action,
        resource: tableArn,
        identityPolicy: dataPolicy,
        permissionBoundary: boundary,
        sessionPolicy: conversationSessionPolicy(tableArn, SUB),
        context: { 'dynamodb:LeadingKeys': [userKey(SUB)], 'aws:RequestedRegion': REGION },
      },
    ]),
    ['lambda:InvokeFunction of the turn by the relay (its role policy and the turn\'s resource policy)', relay('lambda:InvokeFunction', turnArn, {
      resourcePolicy: turnResourcePolicy,
    })],
    ['dynamodb:UpdateItem: the relay counts the user\'s message of the minute before the turn (RATE# partition)', relay('dynamodb:UpdateItem', tableArn, {
      context: { 'dynamodb:LeadingKeys': [relayRateKey(SUB, '2026-12-07T08:00').pk], 'aws:RequestedRegion': REGION },
    })],
    ...['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'].map((action): [string, OrgRequest] => [
      `${action} on the tenant's settings by the relay (its per-user rate)`, relay(action, settingsArn),
    ]),
    ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'].flatMap((action): [string, OrgRequest][] => [
      [`${action}: the relay keeps a handed-off conversation's connections (CONN#<customer>#<conversation>)`, relay(action, tableArn, {
        context: { 'dynamodb:LeadingKeys': [conversationConnectionsKey(SUB, 'c-42')], 'aws:RequestedRegion': REGION },
      })],
      [`${action}: the relay keeps the open hand-offs (${OPEN_HAND_OFFS_KEY})`, relay(action, tableArn, {
        context: { 'dynamodb:LeadingKeys': [OPEN_HAND_OFFS_KEY], 'aws:RequestedRegion': REGION },
      })],
    ]),
    ['dynamodb:BatchGetItem: a reconnected agent\'s rejoin reads the open hand-offs they joined', relay('dynamodb:BatchGetItem', tableArn, {
      context: { 'dynamodb:LeadingKeys': [OPEN_HAND_OFFS_KEY], 'aws:RequestedRegion': REGION },
    })],
    ['execute-api:ManageConnections: the relay posts a frame to a connection', relay('execute-api:ManageConnections', connectionArn('POST'))],
    ['execute-api:ManageConnections: the relay closes a connection whose token expired', relay('execute-api:ManageConnections', connectionArn('DELETE'))],
    // The refund approval (ADR 33): the relay takes a pending approval and answers its task; the workflow's roles.
    ...['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:Query'].map((action): [string, OrgRequest] => [
      `${action}: the relay reads and takes a pending refund approval (${REFUND_APPROVALS_KEY})`,
      relay(action, tableArn, { context: { 'dynamodb:LeadingKeys': [REFUND_APPROVALS_KEY], 'aws:RequestedRegion': REGION } }),
    ]),
    ...['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'].map((action): [string, OrgRequest] => [
      `${action}: the relay keeps the conversations an agent joined (CONN#AGENT#<sub>), for a reconnect`,
      relay(action, tableArn, { context: { 'dynamodb:LeadingKeys': [agentJoinsKey(OTHER_SUB)], 'aws:RequestedRegion': REGION } }),
    ]),
    ['states:SendTaskSuccess: the relay answers the refund approval\'s waiting task (no resource type: *)', relay('states:SendTaskSuccess', '*')],
    ['events → states:StartExecution of the refund approval workflow by the rule\'s role', asRefund('refund-approval-start', 'states:StartExecution', refundMachineArn)],
    ['lambda:InvokeFunction of the workflow function by the state machine\'s role', asRefund('refund-approval-states', 'lambda:InvokeFunction',
      `arn:aws:lambda:${REGION}:${account}:function:support-chat-refund-approval`)],
    ['dynamodb:PutItem: the workflow function stores a pending refund approval', asRefund('refund-approval', 'dynamodb:PutItem', tableArn, {
      'dynamodb:LeadingKeys': [REFUND_APPROVALS_KEY],
    })],
    ['dynamodb:Query: the workflow function finds the customer\'s connections', asRefund('refund-approval', 'dynamodb:Query', tableArn, {
      'dynamodb:LeadingKeys': [conversationConnectionsKey(SUB, 'c-42')],
    })],
    ['execute-api:ManageConnections: the workflow function posts the outcome to the customer', asRefund('refund-approval', 'execute-api:ManageConnections', connectionArn('POST'))],
    // Active tracing: Lambda's X-Ray daemon sends each function's segments with the function's role (ADR 8).
    ...['turn', 'relay', 'authorizer'].flatMap((fn) => ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action): [string, OrgRequest] => [
      `${action} with the ${fn} function's role (active tracing)`,
      {
        account: tenant.account,
        role: `support-chat-${fn}-${REGION}`,
        action,
        resource: '*',
        identityPolicy: tracingPolicy,
        permissionBoundary: boundary,
        context: { 'aws:RequestedRegion': REGION },
      },
    ])),
    // The knowledge base: the turn retrieves and reranks (the rerank model invoked with the turn's own credentials, without
    // the guardrail); Bedrock embeds, reads the documents and uses the index as the knowledge base's service role; the
    // sync function starts and lists ingestion jobs.
    ['bedrock:Retrieve on the tenant\'s knowledge base', turn('bedrock:Retrieve', kbArn, { 'aws:RequestedRegion': REGION })],
    ['bedrock:Rerank of the retrieved passages', turn('bedrock:Rerank', '*', { 'aws:RequestedRegion': REGION })],
    ['bedrock:InvokeModel on the rerank model (Rerank\'s own call, no guardrail)', turn('bedrock:InvokeModel', foundationModelArn(REGION, knowledge.rerankModel!), { 'aws:RequestedRegion': REGION })],
    ['bedrock:InvokeModel on the embedding model by the knowledge-base service role', asKnowledgeBase('bedrock:InvokeModel', foundationModelArn(REGION, knowledge.embeddingModel))],
    ['s3:GetObject of a document by the knowledge-base service role', asKnowledgeBase('s3:GetObject', documentsObject, { 'aws:ResourceAccount': account })],
    ...['s3vectors:PutVectors', 's3vectors:QueryVectors', 's3vectors:DeleteVectors'].map((action): [string, OrgRequest] => [
      `${action} on the index by the knowledge-base service role`, asKnowledgeBase(action, indexArn),
    ]),
    ['bedrock:StartIngestionJob by the sync function', asSync('bedrock:StartIngestionJob', kbArn)],
    ['bedrock:ListIngestionJobs by the sync function', asSync('bedrock:ListIngestionJobs', kbArn)],
  ];

  test('the call sequence covers every model of the tenant through every destination Region of its profile', () => {
    const profiles = new Set([models.classifier, models.fast, models.capable, ...models.fallback]);
    expect(profiles.size).toBeGreaterThanOrEqual(2);
    for (const p of profiles) expect(p.startsWith('eu.')).toBe(true);
    expect(legitimate.filter(([name]) => / in [a-z]+-[a-z]+-\d through eu\./.test(name)).length).toBeGreaterThan(profiles.size * 2);
  });

  test('the turn gets each role\'s application profile by the system profile it wraps, the first role winning a shared one', () => {
    const sources = Object.entries(tenantProfileSources(config, REGION));
    const expected: Record<string, string> = {};
    for (const [role, profile] of sources) expected[profile] ??= applicationProfileArnOf(role);
    expect(turnApplicationProfiles).toEqual(expected);
    const wrapped = new Set([models.classifier, models.fast, models.capable, ...models.fallback]);
    expect(Object.keys(turnApplicationProfiles).sort()).toEqual([...wrapped].sort());
  });

  test('the settings ARN is this account\'s configuration of the tenant\'s application, environment and profile', () => {
    expect(settingsArn).toMatch(new RegExp(`^arn:aws:appconfig:${REGION}:${account}:application/[^/*]+/environment/[^/*]+/configuration/[^/*]+$`));
  });

  // Any version AppConfig's validator admits may route to any allowed profile: each must pass the governance.
  const admitted = tenantAllowedProfiles(config, REGION).flatMap((p) => criCall('bedrock:InvokeModelWithResponseStream', p));
  test.each(admitted)('allowed for a settings version the validator admits: %s', async (_, request) => {
    expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test.each(legitimate)('allowed: %s', async (_, request) => {
    expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  const shortcuts: [string, OrgRequest, string?][] = [
    ['a direct model call (no profile)', turn('bedrock:InvokeModelWithResponseStream', foundationModelArn(REGION, tenant.models.capable), {
      'bedrock:GuardrailIdentifier': guardrailIdentifier, 'aws:RequestedRegion': REGION,
    }), 'BRCRI1'],
    ['an unapproved model through the eu. profile', turn('bedrock:InvokeModelWithResponseStream', foundationModelArn(REGION, UNAPPROVED), {
      'bedrock:GuardrailIdentifier': guardrailIdentifier, 'bedrock:InferenceProfileArn': profileArn(`eu.${UNAPPROVED}`),
    }), 'BRMODEL1'],
    ['another geography (a us. profile)', turn('bedrock:InvokeModelWithResponseStream', foundationModelArn(REGION, tenant.models.capable), {
      'bedrock:GuardrailIdentifier': guardrailIdentifier, 'bedrock:InferenceProfileArn': `arn:aws:bedrock:us-east-1:${account}:inference-profile/us.${tenant.models.capable}`,
    }), 'BRCRI2'],
    // An application profile of the tenant's account over a us. profile (a platform mistake): the model served in us-east-1.
    ...applicationProfileCall('bedrock:InvokeModelWithResponseStream', `us.${tenant.models.capable}`,
      turnApplicationProfiles[models.capable]).filter(([, request]) => request.resource === foundationModelArn('us-east-1', tenant.models.capable))
      .map(([name, request]): [string, OrgRequest, string] => [`an application profile over a us. profile: ${name}`, request, 'BRCRI2']),
    ['another application profile of the account (not the tenant\'s)', turn('bedrock:InvokeModelWithResponseStream',
      `arn:aws:bedrock:${REGION}:${account}:application-inference-profile/other0000001`, {
        'bedrock:GuardrailIdentifier': guardrailIdentifier, 'aws:RequestedRegion': REGION,
      }), 'OnlyTheTenantsApplicationProfiles'],
    ...criCall('bedrock:InvokeModelWithResponseStream', models.capable, null).map(([name, request]): [string, OrgRequest] => [`without the guardrail: ${name}`, request]),
    ...criCall('bedrock:InvokeModelWithResponseStream', models.capable, `${guardrailArn}:1`).map(([name, request]): [string, OrgRequest] => [`with another guardrail version: ${name}`, request]),
    ['the turn role reading another AppConfig configuration of the account', turn('appconfig:GetLatestConfiguration',
      `arn:aws:appconfig:${REGION}:${account}:application/other01/environment/prod01/configuration/flags01`, { 'aws:RequestedRegion': REGION })],
    ['the turn applying another guardrail of the guardrail account (the baseline allows every one; the turn policy only the contract\'s)',
      turn('bedrock:ApplyGuardrail', `arn:aws:bedrock:${REGION}:${management}:guardrail/othergr00001`, { 'aws:RequestedRegion': REGION }, {
        resourceAccount: management, resourcePolicy: { ...guardrailPolicy, Statement: [{ ...guardrailPolicy.Statement[0], Resource: '*' }] },
      }), 'NoOtherGuardrail'],
    ['the relay applying the guardrail itself (the redaction runs in the turn)', {
      account: tenant.account,
      role: `support-chat-relay-${REGION}`,
      action: 'bedrock:ApplyGuardrail',
      identityPolicy: relayPolicy,
      permissionBoundary: boundary,
      resource: guardrailArn,
      resourceAccount: management,
      resourcePolicy: guardrailPolicy,
      context: { 'aws:RequestedRegion': REGION },
    }],
    ['the turn role reading a user\'s items with its own credentials', turn('dynamodb:Query', tableArn, { 'dynamodb:LeadingKeys': [userKey(SUB)], 'aws:RequestedRegion': REGION })],
    ['a user\'s session reading another user\'s items', {
      account: tenant.account,
      role: dataRoleName,
      action: 'dynamodb:Query',
      resource: tableArn,
      identityPolicy: dataPolicy,
      permissionBoundary: boundary,
      sessionPolicy: conversationSessionPolicy(tableArn, SUB),
      context: { 'dynamodb:LeadingKeys': [userKey(OTHER_SUB)], 'aws:RequestedRegion': REGION },
    }],
    ['the relay reading a connection\'s details (GET @connections)', relay('execute-api:ManageConnections', connectionArn('GET'))],
    ...['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'].map((action): [string, OrgRequest] => [
      `the relay's ${action} on a user's conversation partition`,
      relay(action, tableArn, { context: { 'dynamodb:LeadingKeys': [userKey(SUB)], 'aws:RequestedRegion': REGION } }),
    ]),
    ...['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable'].map((action): [string, OrgRequest] => [
      `the relay's ${action} on the connection index`,
      relay(action, tableArn, { context: { 'dynamodb:LeadingKeys': [OPEN_HAND_OFFS_KEY], 'aws:RequestedRegion': REGION } }),
    ]),
    ['the relay\'s Query naming a connection partition and a user\'s conversation partition at once', relay('dynamodb:Query', tableArn, {
      context: { 'dynamodb:LeadingKeys': [conversationConnectionsKey(SUB, 'c-42'), userKey(SUB)], 'aws:RequestedRegion': REGION },
    })],
    ['the relay reading its rate items (GetItem)', relay('dynamodb:GetItem', tableArn, {
      context: { 'dynamodb:LeadingKeys': [relayRateKey(SUB, '2026-12-07T08:00').pk], 'aws:RequestedRegion': REGION },
    })],
    ['the relay\'s UpdateItem on the tenant\'s counter', relay('dynamodb:UpdateItem', tableArn, { context: { 'dynamodb:LeadingKeys': ['TENANT'], 'aws:RequestedRegion': REGION } })],
    ['the relay posting to another API\'s connections', relay('execute-api:ManageConnections',
      `arn:aws:execute-api:${REGION}:${account}:otherapi01/live/POST/@connections/Zk3abcDEFgoCFtw=`)],
    ['the workflow function reading a customer\'s conversation', asRefund('refund-approval', 'dynamodb:Query', tableArn, { 'dynamodb:LeadingKeys': [userKey(SUB)] })],
    ['the workflow function closing a connection', asRefund('refund-approval', 'execute-api:ManageConnections', connectionArn('DELETE'))],
    ['the relay failing a task (only SendTaskSuccess is granted)', relay('states:SendTaskFailure', '*')],
    ['the relay starting the refund workflow itself', relay('states:StartExecution', refundMachineArn)],
    ['the relay calling Bedrock itself', {
      account: tenant.account,
      role: `support-chat-relay-${REGION}`,
      action: 'bedrock:InvokeModel',
      identityPolicy: relayPolicy,
      permissionBoundary: boundary,
      resource: profileArn(models.fast),
      context: { 'bedrock:GuardrailIdentifier': guardrailIdentifier },
    }],
    ['the turn invoking the embedding model itself', turn('bedrock:InvokeModel', foundationModelArn(REGION, knowledge.embeddingModel), {
      'bedrock:GuardrailIdentifier': guardrailIdentifier, 'aws:RequestedRegion': REGION,
    }), 'BRCRI1'],
    ['the knowledge-base service role invoking a chat model directly', asKnowledgeBase('bedrock:InvokeModel', foundationModelArn(REGION, tenant.models.capable)), 'BRCRI1'],
    ['the knowledge-base service role invoking a chat model through the eu. profile', asKnowledgeBase('bedrock:InvokeModel', profileArn(models.capable))],
    ['the knowledge-base service role embedding in another governed Region', asKnowledgeBase('bedrock:InvokeModel', foundationModelArn('eu-west-1', knowledge.embeddingModel))],
    ['the knowledge-base service role retrieving from its knowledge base', asKnowledgeBase('bedrock:Retrieve', kbArn)],
    ['the turn retrieving from another knowledge base of the account', turn('bedrock:Retrieve', `arn:aws:bedrock:${REGION}:${account}:knowledge-base/OTHERKB0001`, { 'aws:RequestedRegion': REGION })],
    ['the turn starting an ingestion job', turn('bedrock:StartIngestionJob', kbArn, { 'aws:RequestedRegion': REGION })],
    ['the sync function retrieving from the knowledge base', asSync('bedrock:Retrieve', kbArn)],
    ['the sync function invoking the embedding model', asSync('bedrock:InvokeModel', foundationModelArn(REGION, knowledge.embeddingModel)), 'BRCRI1'],
    ['the relay retrieving from the knowledge base', relay('bedrock:Retrieve', kbArn)],
  ];

  /**
   * BR-VPCE-1 on for the tenant's OU (a config variant; its SCPs synthesized from the management stack): the turn runs
   * in the baseline VPC, so each of its Bedrock calls arrives through the baseline's `bedrock-runtime` endpoint of its
   * own account (private DNS on) — `aws:SourceVpce` set, and `aws:VpceAccount` where AWS reports it. Every legitimate
   * call passes; the same ConverseStream from the Bedrock console's playground is denied.
   */
  describe('with bedrock.requireVpcEndpoint on for the tenant\'s OU (BR-VPCE-1)', () => {
    const variant = structuredClone(config);
    const ou = config.accounts.find((a) => a.name === tenant.account)!.organizationalUnit!;
    variant.bedrock.requireVpcEndpoint = [ou];
    const vpcSimulator = new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, variant)).assembly, variant);
    const throughEndpoint = { 'aws:SourceVpce': 'vpce-0b1c2d3e4f5a60718', 'aws:VpceAccount': account, 'aws:ViaAWSService': 'false' };
    // The baseline's endpoint of the call's API, and its policy (BL-VPCE-1): bedrock-runtime for inference and
    // ApplyGuardrail, bedrock-agent-runtime for Retrieve and Rerank.
    const regional = estate.baseline.regional.template;
    const endpointPolicy = (service: string) => resolveIntrinsics(Object.values(regional.findResources('AWS::EC2::VPCEndpoint'))
      .find((e) => e.Properties.ServiceName['Fn::Join'][1].at(-1) === `.${service}`)!.Properties.PolicyDocument, regional.toJSON() as Template, place);
    const runtimeEndpoint = endpointPolicy('bedrock-runtime');
    const agentRuntimeEndpoint = endpointPolicy('bedrock-agent-runtime');
    const inVpc = (request: OrgRequest): OrgRequest => (request.action.startsWith('bedrock:') && request.role === turnRoleName
      ? {
        ...request,
        context: { ...request.context, ...throughEndpoint },
        vpcEndpointPolicy: ['bedrock:Retrieve', 'bedrock:Rerank'].includes(request.action) ? agentRuntimeEndpoint : runtimeEndpoint,
      } : request);

    test('the option applies to the tenant\'s account: its OU is listed', () => {
      expect(variant.bedrock.requireVpcEndpoint).toEqual([ou]);
      expect(legitimate.filter(([, r]) => r.action.startsWith('bedrock:Invoke')).length).toBeGreaterThan(0);
    });

    // The knowledge-base service role's calls come from Bedrock's network, not the tenant's VPC (below).
    const fromTheTenant = [...legitimate, ...admitted].filter(([, request]) => request.role !== kbRoleName);
    test.each(fromTheTenant)('allowed from the VPC: %s', async (_, request) => {
      expect(await vpcSimulator.evaluate(inVpc(request))).toEqual({ result: 'Allowed', deniedBy: [] });
    });

    // A documented limit of BR-VPCE-1 (policies/br-vpce-1.ts): a service role's model call carries no key that marks it,
    // so the knowledge base's embeddings are denied where the option is on; the example organization leaves it off.
    test('denied where the option is on (a documented limit): the knowledge-base service role\'s embeddings from Bedrock\'s network', async () => {
      const embed = legitimate.find(([, request]) => request.role === kbRoleName && request.action === 'bedrock:InvokeModel')![1];
      expect((await vpcSimulator.evaluate({ ...embed, context: { ...embed.context, 'aws:ViaAWSService': 'false' } })).deniedBy).toEqual(['BRVPCE1DenyInferenceOutsideVpcEndpoints']);
    });

    // The console playground: a person's console session calls the same profile from the browser, through no endpoint.
    const playground = criCall('bedrock:InvokeModelWithResponseStream', models.capable).map(([name, request]): [string, OrgRequest] => [name, {
      account: tenant.account, role: 'support-chat-developer', action: request.action, resource: request.resource, context: { ...request.context, 'aws:ViaAWSService': 'false' },
    }]);
    test.each(playground)('denied from the console playground: %s', async (_, request) => {
      const { result, deniedBy } = await vpcSimulator.evaluate(request);
      expect([result, deniedBy.includes('BRVPCE1DenyInferenceOutsideVpcEndpoints')]).toEqual(['ExplicitlyDenied', true]);
    });

    test.each(playground)('allowed from the console playground while the option is off (the example): %s', async (_, request) => {
      expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
    });
  });

  /**
   * Only the relay may invoke the turn: a principal of the tenant's account whose own policies allow invoking any
   * function (an administrator's role, no boundary) is denied by the turn's resource policy, an explicit Deny for every
   * principal but the relay's role; without that policy the same request is allowed.
   */
  describe('the turn\'s resource policy', () => {
    const anyInvoke = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] };
    const others: [string, OrgRequest][] = [
      ['an administrator\'s role of the account', { account: tenant.account, role: 'support-chat-admin', action: 'lambda:InvokeFunction', resource: turnArn, identityPolicy: anyInvoke }],
      ['the authorizer\'s role, given invoke rights', { account: tenant.account, role: `support-chat-authorizer-${REGION}`, action: 'lambda:InvokeFunction', resource: turnArn, identityPolicy: anyInvoke }],
    ];

    test('the turn function has one, naming the relay\'s role', () => {
      expect(turnResourcePolicy).toBeDefined();
      expect(JSON.stringify(turnResourcePolicy)).toContain(`:role/${relayRoleName}`);
    });

    test.each(others)('denied by it: %s', async (_, request) => {
      const { result, deniedBy } = await simulator.evaluate({ ...request, resourcePolicy: turnResourcePolicy });
      expect([result, deniedBy]).toEqual(['ExplicitlyDenied', ['OnlyTheRelayInvokes']]);
    });

    test.each(others)('allowed without it (what the policy adds): %s', async (_, request) => {
      expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
    });
  });

  // Every row with three cells: jest passes a done callback in a missing third one.
  test.each(shortcuts.map(([name, request, scp]) => [name, request, scp ?? ''] as const))('denied: %s', async (_, request, scp) => {
    const { result, deniedBy } = await simulator.evaluate(request);
    expect(result).not.toBe('Allowed');
    // Where an SCP is the control that must stop it, the denial names it (a Sid of that control).
    if (scp) expect(deniedBy.some((sid) => sid.startsWith(scp))).toBe(true);
  });
});
