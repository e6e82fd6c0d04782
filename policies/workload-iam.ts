import type { GovernanceConfig } from '../config/schema';
import { foundationModelArn } from './arns';
import { INVOKE_ACTIONS } from './bedrock-resources';
import { GLOBAL_PROFILE_PREFIX } from './catalog/geographies';
import { findCatalogModel, findGeographicProfile } from './catalog/models';
import type { PolicyDocument, PolicyStatement } from './policy-document';

/** IAM quota: characters of a customer managed policy document (whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

/** The profiles and model ARNs the config lets workloads use, per governed Region. */
function inferenceGrants(config: GovernanceConfig, account: string) {
  const governed = config.organization.governedRegions;
  const profileArns = new Set<string>();
  const modelArns = new Set<string>();
  const exceptionArns = new Set<string>();
  const globalModels: string[] = [];
  for (const approved of config.bedrock.approvedModels) {
    const model = findCatalogModel(approved.modelId)!;
    if (approved.access === 'in-region') {
      governed.forEach((r) => exceptionArns.add(foundationModelArn(r, model.modelId)));
      continue;
    }
    for (const geography of config.bedrock.geographies) {
      const profile = findGeographicProfile(model, geography);
      const sources = profile?.sourceRegions.filter((r) => governed.includes(r)) ?? [];
      if (!profile || sources.length === 0) continue;
      sources.forEach((r) => profileArns.add(`arn:aws:bedrock:${r}:${account}:inference-profile/${geography}.${model.modelId}`));
      profile.destinationRegions.forEach((r) => modelArns.add(foundationModelArn(r, model.modelId)));
    }
    if (config.bedrock.globalInference === 'allow' && model.globalProfile) globalModels.push(model.modelId);
  }
  return { profileArns: [...profileArns], modelArns: [...modelArns], exceptionArns: [...exceptionArns], globalModels };
}

/**
 * BL-IAM-1: the CRI-only invoke policy for workload roles (the baseline deploys it as a managed policy). It allows the
 * approved models only through the approved geographies' profiles, called from the governed Regions, with the
 * foundation models in every destination Region allowed only through those profiles (aws-facts §1.4); the in-Region
 * exceptions directly in the governed Regions; `global.` profiles with AWS's three statements when the config allows
 * them; and applying the organization guardrail (enforcement needs it).
 *
 * @param account the workload account, usually `${AWS::AccountId}` of the member stack
 * @param guardrailAccount the account owning the enforced guardrail (the management account)
 */
export function criInvokePolicy(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyDocument {
  const { profileArns, modelArns, exceptionArns, globalModels } = inferenceGrants(config, account);
  const statements: PolicyStatement[] = [
    { Sid: 'InvokeApprovedInferenceProfiles', Effect: 'Allow', Action: [...INVOKE_ACTIONS], Resource: profileArns },
    {
      Sid: 'InvokeModelsOnlyThroughApprovedProfiles',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: modelArns,
      Condition: { ArnEquals: { 'bedrock:InferenceProfileArn': profileArns } },
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
        Sid: 'GrantGlobalCrisInferenceProfileInRegionModelAccess', Effect: 'Allow', Action: [...INVOKE_ACTIONS],
        Resource: governed.flatMap((r) => globalModels.map((m) => foundationModelArn(r, m))),
        Condition: { StringEquals: { 'aws:RequestedRegion': governed }, ArnEquals: { 'bedrock:InferenceProfileArn': globalProfiles } },
      },
      {
        Sid: 'GrantGlobalCrisInferenceProfileGlobalModelAccess', Effect: 'Allow', Action: [...INVOKE_ACTIONS],
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
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * BL-IAM-1: the permission boundary for workload roles. Whatever a workload role's own policies say, it can use other
 * services, but Bedrock only as `criInvokePolicy` allows plus read-only calls, and IAM only to read and pass roles:
 * it cannot create roles, change policies or boundaries, or create Bedrock capacity or keys.
 */
export function workloadPermissionBoundary(config: GovernanceConfig, account: string, guardrailAccount: string): PolicyDocument {
  const invoke = criInvokePolicy(config, account, guardrailAccount).Statement.map((s) => ({ ...s, Sid: `Boundary${s.Sid}` }));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BoundaryOtherServices', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*', 'bedrock:*', 'bedrock-mantle:*'], Resource: '*' },
      { Sid: 'BoundaryIamReadAndPassRole', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:PassRole'], Resource: '*' },
      { Sid: 'BoundaryBedrockRead', Effect: 'Allow', Action: ['bedrock:Get*', 'bedrock:List*'], Resource: '*' },
      ...invoke,
    ],
  };
}
