import { createHash } from 'node:crypto';
import type { CfnGuardrailProps } from 'aws-cdk-lib/aws-bedrock';
import { withEuropeanIdentifiers } from './european-identifiers';
import type { GovernanceConfig } from '../../config/schema';

/**
 * The guardrail's content from `bedrock.guardrail`: content filters, denied topics, PII entities (with the European
 * identifiers when `europeanIdentifiers` is on), custom and managed word lists and, when configured, the contextual
 * grounding check. Shared by the org-level guardrail and (account enforcement) the baseline's.
 */
export function guardrailProperties(config: GovernanceConfig): Omit<CfnGuardrailProps, 'tags' | 'kmsKeyArn'> {
  const g = config.bedrock.guardrail;
  const piiEntities = withEuropeanIdentifiers(g.piiEntities, g.europeanIdentifiers);
  return {
    name: g.name,
    description: 'Organization guardrail of the generative-AI governance control plane (BR-GR-1)',
    blockedInputMessaging: g.blockedInputMessaging,
    blockedOutputsMessaging: g.blockedOutputsMessaging,
    contentPolicyConfig: { filtersConfig: g.contentFilters.map((f) => ({ ...f })) },
    ...(g.deniedTopics.length > 0 && {
      topicPolicyConfig: { topicsConfig: g.deniedTopics.map((t) => ({ name: t.name, definition: t.definition, examples: [...t.examples], type: 'DENY' })) },
    }),
    ...(piiEntities.length > 0 && { sensitiveInformationPolicyConfig: { piiEntitiesConfig: piiEntities.map((p) => ({ ...p })) } }),
    ...((g.words.length > 0 || g.managedWordLists.length > 0) && {
      wordPolicyConfig: {
        ...(g.words.length > 0 && { wordsConfig: g.words.map((text) => ({ text })) }),
        ...(g.managedWordLists.length > 0 && { managedWordListsConfig: g.managedWordLists.map((type) => ({ type })) }),
      },
    }),
    ...(g.grounding && {
      contextualGroundingPolicyConfig: {
        filtersConfig: [
          { type: 'GROUNDING', threshold: g.grounding.groundingThreshold },
          { type: 'RELEVANCE', threshold: g.grounding.relevanceThreshold },
        ],
      },
    }),
  };
}

/**
 * A short hash of the guardrail's content. Version resources carry it in their construct id, so a change of content
 * creates a new numeric version (and enforcement moves to it) instead of leaving enforcement on the old one.
 */
export function guardrailContentHash(content: object): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12);
}
