import { GuardrailPiiEntityType } from '@aws-sdk/client-bedrock';
import { EUROPEAN_PII_ENTITY_TYPES, withEuropeanIdentifiers } from '../../building-blocks/guardrail/european-identifiers';
import { guardrailProperties } from '../../building-blocks/guardrail/guardrail-properties';
import { DEFAULT_CONFIG_FILE, parseConfig } from '../../config/load';
import { STACK_RECIPES } from '../../stacks/estate';
import { synthOne } from '../support/estate';
import { EXAMPLE_CONFIG_TEXT, exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

const withOption = (value: string) =>
  EXAMPLE_CONFIG_TEXT.replace('    name: org-baseline-guardrail\n', `    name: org-baseline-guardrail\n    europeanIdentifiers: ${value}\n`);

describe('bedrock.guardrail.europeanIdentifiers: the European identifiers Bedrock Guardrails detects', () => {
  test('every type is one the Bedrock API knows (the SDK\'s GuardrailPiiEntityType), none invented', () => {
    expect(Object.values(GuardrailPiiEntityType)).toEqual(expect.arrayContaining([...EUROPEAN_PII_ENTITY_TYPES]));
  });

  test('off by default: the guardrail\'s PII list is piiEntities as configured', () => {
    const config = exampleConfig();
    expect(config.bedrock.guardrail.europeanIdentifiers).toBe('off');
    expect(guardrailProperties(config).sensitiveInformationPolicyConfig)
      .toEqual({ piiEntitiesConfig: config.bedrock.guardrail.piiEntities.map((p) => ({ ...p })) });
  });

  test('a value other than off, BLOCK or ANONYMIZE is refused with its path', () => {
    expect(() => parseConfig(withOption('MASK'), DEFAULT_CONFIG_FILE)).toThrow(/bedrock\.guardrail\.europeanIdentifiers/);
  });

  test('a type piiEntities already lists keeps its own action, and no type is listed twice', () => {
    const merged = withEuropeanIdentifiers([{ type: 'SWIFT_CODE', action: 'ANONYMIZE' }, { type: 'EMAIL', action: 'ANONYMIZE' }], 'BLOCK');
    expect(merged).toEqual([
      { type: 'SWIFT_CODE', action: 'ANONYMIZE' },
      { type: 'EMAIL', action: 'ANONYMIZE' },
      { type: 'UK_NATIONAL_HEALTH_SERVICE_NUMBER', action: 'BLOCK' },
      { type: 'UK_NATIONAL_INSURANCE_NUMBER', action: 'BLOCK' },
      { type: 'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER', action: 'BLOCK' },
      { type: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER', action: 'BLOCK' },
    ]);
    expect(withEuropeanIdentifiers([{ type: 'EMAIL', action: 'BLOCK' }], 'off')).toEqual([{ type: 'EMAIL', action: 'BLOCK' }]);
  });

  test('ANONYMIZE: the organization guardrail\'s template carries the five types besides the configured ones, under a new version', () => {
    const config = parseConfig(withOption('ANONYMIZE'), DEFAULT_CONFIG_FILE);
    const region = config.organization.governedRegions[0];
    const template = synthOne((app) => STACK_RECIPES.guardrail(app, config, region));
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    const guardrails = Object.values(resources).filter((r) => r.Type === 'AWS::Bedrock::Guardrail');
    expect(guardrails).toHaveLength(1);
    const pii = guardrails[0].Properties.SensitiveInformationPolicyConfig.PiiEntitiesConfig as Array<{ Type: string; Action: string }>;
    expect(pii).toEqual([
      ...config.bedrock.guardrail.piiEntities.map((p) => ({ Type: p.type, Action: p.action })),
      ...EUROPEAN_PII_ENTITY_TYPES.map((type) => ({ Type: type, Action: 'ANONYMIZE' })),
    ]);
    expect(new Set(pii.map((p) => p.Type)).size).toBe(pii.length);
    const versionIds = (r: typeof resources) => Object.keys(r).filter((k) => r[k].Type === 'AWS::Bedrock::GuardrailVersion');
    // The example (the option off), as every suite shares it.
    const off = exampleEstate().guardrails.find((stack) => stack.region === region)!;
    expect(versionIds(resources)).not.toEqual(versionIds(off.template.toJSON().Resources));
  });
});
