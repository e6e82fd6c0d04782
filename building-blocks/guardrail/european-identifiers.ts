import type { GovernanceConfig } from '../../config/schema';

type PiiEntity = GovernanceConfig['bedrock']['guardrail']['piiEntities'][number];

/**
 * The PII entity types Amazon Bedrock Guardrails detects that identify people and accounts in Europe: the three UK
 * identifiers and the two bank identifiers used across the EU and EEA (IBAN, SWIFT/BIC). Guardrails has no entity type for
 * an EU member state's national identifiers (the full list: `GuardrailPiiEntityConfig.type` in the Bedrock API Reference,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailPiiEntityConfig.html).
 */
export const EUROPEAN_PII_ENTITY_TYPES = [
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'SWIFT_CODE',
] as const satisfies readonly PiiEntity['type'][];

/**
 * `piiEntities` with the European identifiers added at `action` (`bedrock.guardrail.europeanIdentifiers`); a type the list
 * already names keeps its own action. `off` returns the list as it is.
 */
export function withEuropeanIdentifiers(piiEntities: readonly PiiEntity[], action: 'off' | PiiEntity['action']): PiiEntity[] {
  if (action === 'off') return [...piiEntities];
  const listed = new Set(piiEntities.map((p) => p.type));
  return [...piiEntities, ...EUROPEAN_PII_ENTITY_TYPES.filter((type) => !listed.has(type)).map((type) => ({ type, action }))];
}
