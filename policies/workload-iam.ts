import { approvedInference } from './approved-inference';
import { foundationModelArn } from './arns';
import { ANY_FOUNDATION_MODEL, INVOKE_ACTIONS } from './bedrock-resources';
import { GLOBAL_PROFILE_PREFIX } from '../catalog/geographies';
import { findCatalogModel } from '../catalog/models';
import type { GovernanceConfig } from '../config/schema';
import { packStatements } from './compiler/pack';
import { policyDocument, type PolicyDocument, type PolicyStatement } from './policy-document';
import { KNOWLEDGE_BASE_ROLE_ARN_PATTERN } from '../contracts/knowledge-base-roles';

/** IAM quota: characters of a customer managed policy document (whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

/** The account's application inference profiles in `region` (`*`: any Region). */
function applicationProfileArn(region: string, account: string): string {
  return `arn:aws:bedrock:${region}:${account}:application-inference-profile/*`;
}

/**
 * BL-IAM-1: the CRI-only invoke policy for workload roles (the baseline deploys it as a managed policy). It allows the
 * approved models only through the approved geographies' profiles, called from the governed Regions, with the
 * foundation models allowed only through the approved geographies' profiles (AWS's pattern in
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html) or through the account's
 * application profiles, called from the governed Regions (the same page's pattern for those); the in-Region
 * exceptions directly in the governed Regions; `global.` profiles with AWS's three statements when the config allows
 * them; and applying the organization guardrail (enforcement needs it).
 *
 * @param account the workload account, usually `${AWS::AccountId}` of the member stack
 * @param guardrailAccount the account owning the enforced guardrail (the management account)
 */
export function criInvokeStatements(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyStatement[] {
  const { profileArns, profilePatterns, modelArns, exceptionArns, globalModels } = approvedInference(config, account);
  const statements: PolicyStatement[] = [
    {
      Sid: 'InvokeApprovedInferenceProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: profileArns,
      Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } },
    },
    // The account's application profiles (ADR 35): only the platform creates them (BR-AIP-1), and only over an approved
    // geography's profile (BR-CRI-2), which also judges where the model is served; BR-MODEL-1 judges the wrapped model.
    {
      Sid: 'InvokeOwnApplicationProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: config.organization.governedRegions.map((r) => applicationProfileArn(r, account)),
      Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } },
    },
    {
      Sid: 'InvokeModelsOnlyThroughApprovedProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: modelArns,
      Condition: { ArnLike: { 'bedrock:InferenceProfileArn': [...profilePatterns, applicationProfileArn('*', account)] } },
    },
  ];
  if (exceptionArns.length > 0) {
    statements.push({ Sid: 'InvokeInRegionExceptions', Effect: 'Allow', Action: [...INVOKE_ACTIONS], Resource: exceptionArns });
  }
  if (globalModels.length > 0) {
    const governed = config.organization.governedRegions;
    const globalProfiles = governed.flatMap((r) => globalModels.map((m) => `arn:aws:bedrock:${r}:${account}:inference-profile/${GLOBAL_PROFILE_PREFIX}.${m}`));
    statements.push(
      { Sid: 'GrantGlobalCrisInferenceProfileRegionAccess', Effect: 'Allow', Action: [...INVOKE_ACTIONS], Resource: globalProfiles, Condition: { StringEquals: { 'aws:RequestedRegion': governed } } },
      {
        Sid: 'GrantGlobalCrisInferenceProfileInRegionModelAccess',
        Effect: 'Allow',
        Action: [...INVOKE_ACTIONS],
        Resource: governed.flatMap((r) => globalModels.map((m) => foundationModelArn(r, m))),
        Condition: { StringEquals: { 'aws:RequestedRegion': governed }, ArnEquals: { 'bedrock:InferenceProfileArn': globalProfiles } },
      },
      {
        Sid: 'GrantGlobalCrisInferenceProfileGlobalModelAccess',
        Effect: 'Allow',
        Action: [...INVOKE_ACTIONS],
        Resource: globalModels.map((m) => foundationModelArn('', m)),
        Condition: { StringEquals: { 'aws:RequestedRegion': 'unspecified' }, ArnEquals: { 'bedrock:InferenceProfileArn': globalProfiles } },
      },
    );
  }
  statements.push({
    Sid: 'ApplyOrganizationGuardrail',
    Effect: 'Allow',
    Action: 'bedrock:ApplyGuardrail',
    Resource: `arn:aws:bedrock:*:${guardrailAccount}:guardrail/*`,
  });
  return statements;
}

/**
 * The CRI-only invoke statements packed into as few managed policies as fit IAM's 6,144-character limit (a role may
 * carry several; the baseline attaches them all). One document for a typical config; two for 20 models in 3 geographies.
 */
export function criInvokePolicies(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyDocument[] {
  const { documents, oversized } = packStatements(criInvokeStatements(config, account, guardrailAccount), MANAGED_POLICY_MAX_CHARACTERS);
  if (oversized.length > 0) {
    throw new Error(`BL-IAM-1: statements ${oversized.map((s) => s.Sid).join(', ')} exceed ${MANAGED_POLICY_MAX_CHARACTERS} characters on their own`);
  }
  return documents.map((statements) => policyDocument(statements));
}

/**
 * BL-IAM-1: the permission boundary for workload roles, the ceiling whatever a role's own policies say: other services
 * as granted; Bedrock only reads, inference through the approved geographies' profiles started in a governed Region,
 * the in-Region exceptions, and applying the organization guardrail (which models are approved is BR-MODEL-1's job, so
 * the boundary stays small at any number of models), and through the account's application profiles (which only the
 * platform creates, over an approved geography's profile: ADR 35); IAM only to read and pass roles. It cannot create
 * roles, change policies or boundaries, or create Bedrock capacity or keys.
 *
 * Knowledge bases: the in-Region embedding models only for knowledge-base service roles (`KNOWLEDGE_BASE_ROLE_PATH`,
 * as BR-CRI-1 says), the other in-Region exceptions (rerank) for any role; retrieving from, and starting the ingestion
 * of, the account's own knowledge bases, and reranking (`bedrock:Rerank` has no resource type: `*`).
 */
export function workloadPermissionBoundary(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyDocument {
  const geographyProfiles = config.bedrock.geographies.map((g) => `arn:aws:bedrock:*:${account}:inference-profile/${g}.*`);
  const inRegion = config.bedrock.approvedModels.filter((m) => m.access === 'in-region');
  const isEmbedding = (modelId: string) => findCatalogModel(modelId)?.kind === 'embedding';
  const inGovernedRegions = (models: typeof inRegion) => models
    .flatMap((m) => config.organization.governedRegions.map((r) => foundationModelArn(r, m.modelId)));
  const exceptions = inGovernedRegions(inRegion.filter((m) => !isEmbedding(m.modelId)));
  const embeddings = inGovernedRegions(inRegion.filter((m) => isEmbedding(m.modelId)));
  return policyDocument([
    { Sid: 'BoundaryOtherServices', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*', 'bedrock:*', 'bedrock-mantle:*'], Resource: '*' },
    { Sid: 'BoundaryIamReadAndPassRole', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:PassRole'], Resource: '*' },
    { Sid: 'BoundaryBedrockRead', Effect: 'Allow', Action: ['bedrock:Get*', 'bedrock:List*'], Resource: '*' },
    {
      Sid: 'BoundaryInvokeGeographyProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: geographyProfiles,
      Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } },
    },
    {
      Sid: 'BoundaryInvokeOwnApplicationProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: applicationProfileArn('*', account),
      Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } },
    },
    {
      Sid: 'BoundaryInvokeModelsThroughGeographyProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: ANY_FOUNDATION_MODEL,
      Condition: { ArnLike: { 'bedrock:InferenceProfileArn': [...geographyProfiles, applicationProfileArn('*', account)] } },
    },
    ...(exceptions.length > 0 ? [{ Sid: 'BoundaryInvokeInRegionExceptions', Effect: 'Allow' as const, Action: [...INVOKE_ACTIONS], Resource: exceptions }] : []),
    ...(embeddings.length > 0 ? [{
      Sid: 'BoundaryInvokeEmbeddingsAsKnowledgeBase',
      Effect: 'Allow' as const,
      Action: [...INVOKE_ACTIONS],
      Resource: embeddings,
      Condition: { ArnLike: { 'aws:PrincipalArn': KNOWLEDGE_BASE_ROLE_ARN_PATTERN } },
    }] : []),
    {
      Sid: 'BoundaryOwnKnowledgeBases',
      Effect: 'Allow',
      Action: ['bedrock:Retrieve', 'bedrock:StartIngestionJob'],
      Resource: `arn:aws:bedrock:*:${account}:knowledge-base/*`,
      Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } },
    },
    { Sid: 'BoundaryRerank', Effect: 'Allow', Action: 'bedrock:Rerank', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': config.organization.governedRegions } } },
    { Sid: 'BoundaryApplyOrganizationGuardrail', Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: `arn:aws:bedrock:*:${guardrailAccount}:guardrail/*` },
  ]);
}
