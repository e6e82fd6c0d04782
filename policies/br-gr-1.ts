import type { PolicyDocument } from './policy-document';
import { findCatalogModel } from '../catalog/models';
import type { GovernanceConfig } from '../config/schema';

/** Name of the Organizations Bedrock policy of BR-GR-1 in a Region (the management stack's and the preview's). */
export function bedrockPolicyName(region: string): string {
  return `genai-governance-bedrock-guardrail-${region}`;
}

/**
 * Longest guardrail identifier the policy can hold in a Region, for measuring before deploy (the real one is known only
 * after the guardrail is created): guardrail ids are 12 characters, numeric versions are kept under 10,000.
 */
export function placeholderGuardrailIdentifier(region: string, account: string): string {
  return `arn:aws:bedrock:${region}:${account}:guardrail/xxxxxxxxxxxx:9999`;
}

/**
 * Models the org-wide guardrail does not apply to: the config's embedding and rerank models (a guardrail judges
 * generated text; AWS's own example excludes embedding models).
 */
export function guardrailExcludedModels(config: GovernanceConfig): string[] {
  return config.bedrock.approvedModels
    .filter((m) => findCatalogModel(m.modelId)?.kind !== 'text')
    .map((m) => m.modelId);
}

/**
 * BR-GR-1: the Organizations Bedrock policy (`BEDROCK_POLICY`) that makes Bedrock apply a guardrail to every
 * invocation in one Region (syntax: orgs_manage_policies_bedrock_syntax.html). `identifier` is the guardrail ARN with
 * a numeric version, owned by the management account and created in that Region. Guarding is comprehensive on system
 * prompts and messages alike: callers cannot skip parts of the prompt with input tags.
 */
export function bedrockPolicyContent(config: GovernanceConfig, region: string, guardrailIdentifier: string): object {
  return {
    bedrock: {
      guardrail_inference: {
        [region]: {
          config_1: {
            identifier: { '@@assign': guardrailIdentifier },
            selective_content_guarding: { system: { '@@assign': 'comprehensive' }, messages: { '@@assign': 'comprehensive' } },
            model_enforcement: {
              included_models: { '@@assign': ['ALL'] },
              excluded_models: { '@@assign': guardrailExcludedModels(config) },
            },
          },
        },
      },
    },
  };
}

/**
 * The guardrail's resource-based policy: every principal of the organization may apply it (needed by org-level
 * enforcement: without it, members' Bedrock calls fail with AccessDenied), nobody outside.
 */
export function guardrailResourcePolicy(config: GovernanceConfig, guardrailArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'BRGR1OrganizationMayApplyGuardrail',
      Effect: 'Allow',
      Principal: '*',
      Action: 'bedrock:ApplyGuardrail',
      Resource: guardrailArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': config.organization.id } },
    }],
  };
}
