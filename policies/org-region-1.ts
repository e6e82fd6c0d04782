import { bedrockResourcePattern } from './arns';
import { BATCH_ACTION, INVOKE_ACTIONS } from './bedrock-resources';
import { EDGE_GLOBAL_ACTIONS, edgeDeployment } from './edge-deployment';
import { platformPrincipalArns, unlessPrincipal } from './governance-principals';
import type { ConditionBlock, PolicyStatement } from './policy-document';
import { GLOBAL_PROFILE_PREFIX } from '../catalog/geographies';
import { findCatalogModel, findGeographicProfile } from '../catalog/models';
import type { GovernanceConfig } from '../config/schema';

/**
 * Actions of global services (served from us-east-1 or Region-less) and Region-independent reads that a Region deny
 * must not block, after AWS's example SCP "Deny access to AWS based on the requested AWS Region"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html).
 * Every entry is checked against AWS's IAM data by the policy lint.
 */
export const GLOBAL_SERVICE_ACTIONS = [
  'account:*', 'acm:*', 'aws-marketplace:*', 'aws-portal:*', 'billing:*', 'budgets:*', 'ce:*', 'cloudfront:*',
  'cur:*', 'directconnect:*', 'ec2:DescribeRegions', 'globalaccelerator:*', 'health:*', 'iam:*', 'kms:*',
  'networkmanager:*', 'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*', 's3:GetAccountPublicAccessBlock',
  's3:ListAllMyBuckets', 's3:PutAccountPublicAccessBlock', 'shield:*', 'sso:*', 'sts:*', 'support:*',
  'trustedadvisor:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
] as const;

/** Regions Bedrock may route the config's approved inference-profile models to (their profiles' destinations). */
export function criDestinationRegions(config: GovernanceConfig): string[] {
  const regions = new Set<string>();
  for (const approved of config.bedrock.approvedModels.filter((m) => m.access === 'inference-profile')) {
    const model = findCatalogModel(approved.modelId)!;
    for (const geography of config.bedrock.geographies) {
      findGeographicProfile(model, geography)?.destinationRegions.forEach((r) => regions.add(r));
    }
  }
  return [...regions].sort();
}

/**
 * ORG-REGION-1: only the governed Regions, except global services and the inference that cross-Region profiles route
 * to their destination Regions (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
 * - Everything but global services and inference is denied outside the governed Regions.
 * - Inference is denied outside the governed Regions plus the CRI destination Regions of the approved models. With
 *   global inference allowed, calls through `global.` profiles are exempt (they may be served in any commercial Region
 *   and evaluate the global model ARN with Region `unspecified`).
 * - Inference without an inference profile is denied outside the governed Regions, so a destination Region cannot be
 *   used directly.
 * The break-glass and platform roles are exempt from the general deny only.
 * - With the support-chat widget (`workloads.supportChat.widget`, docs/adr/0031), the tenant account's CDK bootstrap roles
 *   for us-east-1 are exempt from the general deny too, and held by a statement of their own, in every Region, to IAM,
 *   KMS, STS, WAF and their own resources (policies/edge-deployment.ts): the stack `SupportChatEdge` in us-east-1, the
 *   bootstrap's asset bucket there and its version parameter. So they deploy that stack, whose only resource is a
 *   `CLOUDFRONT` web ACL, and nothing else: no other stack, bucket, function or log group in us-east-1, nothing elsewhere.
 *   Every other principal stays under the general deny in us-east-1.
 */
export function orgRegion1Statements(config: GovernanceConfig): PolicyStatement[] {
  const governed = config.organization.governedRegions;
  const inference = [...INVOKE_ACTIONS, BATCH_ACTION];
  const globalProfiles: ConditionBlock = config.bedrock.globalInference === 'allow'
    ? { ArnNotLike: { 'bedrock:InferenceProfileArn': bedrockResourcePattern(`inference-profile/${GLOBAL_PROFILE_PREFIX}.*`) } }
    : {};
  const edge = edgeDeployment(config);
  return [
    {
      Sid: 'ORGREGION1DenyOutsideGovernedRegions',
      Effect: 'Deny',
      NotAction: [...GLOBAL_SERVICE_ACTIONS, ...inference],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': governed }, ...unlessPrincipal([...platformPrincipalArns(config), ...edge?.principals ?? []]) },
    },
    ...(edge ? [{
      Sid: 'ORGREGION1EdgeRolesOnlyTheirOwn',
      Effect: 'Deny' as const,
      NotAction: [...EDGE_GLOBAL_ACTIONS],
      NotResource: [...edge.resources],
      Condition: { ArnLike: { 'aws:PrincipalArn': [...edge.principals] } },
    }] : []),
    {
      Sid: 'ORGREGION1DenyInferenceOutsideCriDestinations',
      Effect: 'Deny',
      Action: inference,
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestedRegion': [...new Set([...governed, ...criDestinationRegions(config)])].sort() },
        ...globalProfiles,
      },
    },
    {
      Sid: 'ORGREGION1DenyDirectInferenceOutsideGovernedRegions',
      Effect: 'Deny',
      Action: inference,
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': governed }, Null: { 'bedrock:InferenceProfileArn': 'true' } },
    },
  ];
}

