import { GOVERNANCE_NAME_PREFIX } from './governance-names';

/**
 * Fixed names and identifiers of the AWS-managed detective controls (docs/adr/0026-aws-managed-detective-controls.md),
 * shared by the member baseline (the recorder), the audit account (Security Hub's central configuration, the
 * organization conformance pack), the tamper protection and the verifier.
 */

/**
 * Security Hub CSPM's AI Security Best Practices standard v1.0.0 in a Region. Source: Security Hub CSPM user guide,
 * "AI Security Best Practices standard in Security Hub CSPM" (standards-ai-security): the ARN is
 * `arn:aws:securityhub:{region}::standards/ai-security-best-practices/v/1.0.0`.
 */
export function aiSecurityStandardArn(region: string, partition = 'aws'): string {
  return `arn:${partition}:securityhub:${region}::standards/ai-security-best-practices/v/1.0.0`;
}

/** The central configuration policy's name in the audit account. */
export const SECURITY_HUB_POLICY_NAME = `${GOVERNANCE_NAME_PREFIX}ai-security`;

/** The organization conformance pack's name (members see it as `OrgConformsPack-genai-governance-bedrock-<suffix>`). */
export const CONFORMANCE_PACK_NAME = `${GOVERNANCE_NAME_PREFIX}bedrock`;

/** The baseline's recorder, its delivery prefix in the account's invocation-log bucket and its role. */
export const CONFIG_RECORDER_NAME = `${GOVERNANCE_NAME_PREFIX}recorder`;
export const CONFIG_DELIVERY_PREFIX = 'aws-config';
export const CONFIG_RECORDER_ROLE_NAME = `${GOVERNANCE_NAME_PREFIX}config-recorder`;

/** One rule of the governance conformance pack. */
export interface ConformancePackRule {
  /** The rule's name in each member account (the pack prefixes nothing; Config adds its own suffix to the pack). */
  readonly name: string;
  readonly description: string;
  readonly resourceType: string;
  /** An AWS Config managed rule by identifier, or a Guard custom-policy rule. */
  readonly source: { readonly managed: string } | { readonly guard: string };
  /** Regions the managed rule exists in, where AWS lists them; absent: every Region except `unavailableIn`. */
  readonly onlyIn?: readonly string[];
  readonly unavailableIn?: readonly string[];
  /** Where the rule's definition is documented. */
  readonly reference: string;
}

/**
 * The governance conformance pack's rules: Guard custom-policy rules over the Bedrock and AgentCore resource types the
 * Config API can record (`RECORDED_RESOURCE_TYPES`), reading the configuration items' fields as AWS's sample pack
 * "Amazon Bedrock Security and Governance Best Practices" (awslabs/aws-config-rules) reads them. AWS's managed rules
 * BEDROCK_DATA_SOURCE_ENCRYPTION_ENABLED (AWS::Bedrock::DataSource) and BEDROCK_AGENTCORE_MEMORY_ENCRYPTION_ENABLED
 * (AWS::BedrockAgentCore::Memory) are left out: neither resource type is a `ResourceType` of the Config API model
 * (@aws-sdk/client-config-service 3.1124.0), so no recorder can name it and the rules would have nothing to evaluate.
 */
const SAMPLE_PACK = 'https://github.com/awslabs/aws-config-rules/blob/master/aws-config-conformance-packs/Amazon-Bedrock-Security-and-Governance-Best-Practices.yaml';
export const CONFORMANCE_PACK_RULES: readonly ConformancePackRule[] = [
  {
    name: `${GOVERNANCE_NAME_PREFIX}bedrock-guardrail-ready`,
    description: 'Bedrock guardrails are usable (READY or VERSIONED), so an enforced guardrail does not fail the calls it guards',
    resourceType: 'AWS::Bedrock::Guardrail',
    source: { guard: 'rule guardrail_ready { configuration.Status in ["READY", "VERSIONED"] }' },
    reference: SAMPLE_PACK,
  },
  {
    name: `${GOVERNANCE_NAME_PREFIX}bedrock-knowledge-base-active`,
    description: 'Bedrock knowledge bases are ACTIVE (a failed or deleting knowledge base leaves retrieval without its documents)',
    resourceType: 'AWS::Bedrock::KnowledgeBase',
    source: { guard: 'rule knowledge_base_active { configuration.Status == "ACTIVE" }' },
    reference: SAMPLE_PACK,
  },
  {
    name: `${GOVERNANCE_NAME_PREFIX}agentcore-runtime-in-vpc`,
    description: 'Bedrock AgentCore runtimes run in a VPC (network isolation, as Security Hub BedrockAgentCore.1 asks)',
    resourceType: 'AWS::BedrockAgentCore::Runtime',
    source: { guard: 'rule runtime_in_vpc { configuration.NetworkConfiguration.NetworkModeConfig.VpcId exists }' },
    reference: SAMPLE_PACK,
  },
  {
    name: `${GOVERNANCE_NAME_PREFIX}agentcore-browser-in-vpc`,
    description: 'Bedrock AgentCore browsers run in a VPC',
    resourceType: 'AWS::BedrockAgentCore::BrowserCustom',
    source: { guard: 'rule browser_in_vpc { configuration.NetworkConfiguration.VpcConfig.VpcId exists }' },
    reference: SAMPLE_PACK,
  },
];

/** The rules available in a Region. */
export function conformancePackRulesIn(region: string): ConformancePackRule[] {
  return CONFORMANCE_PACK_RULES.filter((r) => (r.onlyIn ? r.onlyIn.includes(region) : !(r.unavailableIn ?? []).includes(region)));
}

/**
 * The resource types the baseline's recorder records: the Bedrock and AgentCore types the pack's rules evaluate, each a
 * `ResourceType` of the Config API model (@aws-sdk/client-config-service 3.1124.0; a test checks). Security Hub's AI
 * standard evaluates these too (BedrockAgentCore.1: runtimes; browsers); its SageMaker controls need
 * `detective.configConformance.additionalResourceTypes`.
 */
export const RECORDED_RESOURCE_TYPES = [
  'AWS::Bedrock::Guardrail', 'AWS::Bedrock::KnowledgeBase', 'AWS::BedrockAgentCore::BrowserCustom', 'AWS::BedrockAgentCore::Runtime',
] as const;
