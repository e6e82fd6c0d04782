import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../config/config-error';
import { didYouMean, editDistance } from '../../config/did-you-mean';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../../config/json-schema';
import { parseConfig, resolveConfigFile, DEFAULT_CONFIG_FILE } from '../../config/load';
import { GovernanceConfigSchema, type GovernanceConfig } from '../../config/schema';
import { checkSemantics } from '../../config/semantics';
import { exampleConfig } from '../support/example-config';
import { PROJECT_ROOT } from '../support/run-app';

function issuesOf(mutate: (c: GovernanceConfig) => void) {
  const config = structuredClone(exampleConfig());
  mutate(config);
  return checkSemantics(config);
}

describe('config schema', () => {
  describe('semantic checks reject', () => {
    test('an in-Region exception for a model that has a profile in the geography', () => {
      const issues = issuesOf((c) => { c.bedrock.approvedModels[0] = { ...c.bedrock.approvedModels[0], access: 'in-region' }; });
      expect(issues).toEqual([expect.objectContaining({ path: ['bedrock', 'approvedModels', 0, 'access'], expected: expect.stringContaining('"inference-profile"') })]);
    });

    test('inference-profile access for a model without a profile in the geography', () => {
      const issues = issuesOf((c) => { c.bedrock.approvedModels[3] = { ...c.bedrock.approvedModels[3], access: 'inference-profile' }; });
      expect(issues).toEqual([expect.objectContaining({ path: ['bedrock', 'approvedModels', 3, 'access'] })]);
    });

    test('a model whose profiles no governed Region can call', () => {
      // Claude 3.7 Sonnet's eu. profile has no eu-south-2 source in the catalog.
      const issues = issuesOf((c) => {
        c.organization.homeRegion = 'eu-south-2';
        c.organization.governedRegions = ['eu-south-2'];
        c.bedrock.approvedModels = [{ modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0', access: 'inference-profile', reason: 'legacy prompts' }];
        (c.observability as { modelPrices: unknown[] }).modelPrices = [];
      });
      expect(issues).toEqual([expect.objectContaining({ found: expect.stringContaining('have none of eu-south-2 as a source Region') })]);
    });

    test('a baseline target OU or delegated administrator that does not exist, or the management account as delegate', () => {
      expect(issuesOf((c) => { c.baseline.targetOrganizationalUnits = ['Workloads/Prd']; })).toEqual([
        expect.objectContaining({ path: ['baseline', 'targetOrganizationalUnits', 0], hint: 'did you mean "Workloads/Prod"?' }),
      ]);
      expect(issuesOf((c) => { c.baseline.delegatedAdministrator = 'netwrok'; })).toEqual([
        expect.objectContaining({ path: ['baseline', 'delegatedAdministrator'], hint: 'did you mean "network"?' }),
      ]);
      expect(issuesOf((c) => { c.baseline.delegatedAdministrator = 'management'; })).toEqual([
        expect.objectContaining({ path: ['baseline', 'delegatedAdministrator'], expected: expect.stringContaining('a member account') }),
      ]);
    });

    test('a price for a model that is not approved, or two prices for one model', () => {
      expect(issuesOf((c) => { (c.observability.modelPrices as unknown[]).push({ modelId: 'amazon.nova-pro-v1:0', inputPerMillionTokens: 0.8, outputPerMillionTokens: 3.2 }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'modelPrices', 4, 'modelId'], expected: expect.stringContaining('approved models in bedrock.approvedModels') }),
      ]);
      expect(issuesOf((c) => { (c.observability.modelPrices as unknown[]).push({ ...c.observability.modelPrices[0] }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'modelPrices', 4, 'modelId'], expected: 'a unique model id' }),
      ]);
    });

    test('a repeated geography', () => {
      const issues = issuesOf((c) => { c.bedrock.geographies = ['eu', 'eu']; });
      expect(issues).toEqual([expect.objectContaining({ path: ['bedrock', 'geographies', 1] })]);
    });

    test('a home Region that is not governed', () => {
      const issues = issuesOf((c) => { c.organization.homeRegion = 'eu-west-3'; });
      expect(issues).toEqual([expect.objectContaining({ path: ['organization', 'homeRegion'] })]);
    });

    test('an OU whose parent is not listed', () => {
      const issues = issuesOf((c) => { c.organizationalUnits = c.organizationalUnits.filter((o) => o.path !== 'Workloads'); });
      expect(issues.map((i) => i.expected)).toEqual([
        'its parent OU "Workloads" listed in organizationalUnits', 'its parent OU "Workloads" listed in organizationalUnits',
      ]);
    });

    test('a duplicate account id and a management account inside an OU', () => {
      const issues = issuesOf((c) => {
        c.accounts[3].id = c.accounts[2].id;
        c.accounts[0].organizationalUnit = 'Security';
      });
      expect(issues.map((i) => i.path)).toEqual([['accounts', 3, 'id'], ['accounts', 0, 'organizationalUnit']]);
    });

    test('the same account in two topology roles', () => {
      const issues = issuesOf((c) => { c.topology.audit = 'log-archive'; });
      expect(issues).toEqual([expect.objectContaining({ path: ['topology', 'audit'] })]);
    });
  });

  test('the example organization is valid and gets the safe guardrail defaults', () => {
    const config = exampleConfig();
    expect(checkSemantics(config)).toEqual([]);
    expect(config.bedrock.guardrail.contentFilters.find((f) => f.type === 'PROMPT_ATTACK')).toEqual({ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' });
    expect(config.scpBudget).toEqual({ slotsPerTarget: 5, reservedSlots: 1 });
  });

  test('every issue of a file is reported at once', () => {
    const text = readFileSync(DEFAULT_CONFIG_FILE, 'utf8').replace('"402761958314"', '"1"').replace('objectLockDays: 2557', 'objectLockDays: -1');
    expect(() => parseConfig(text, 'x.yaml')).toThrow(ConfigError);
    try { parseConfig(text, 'x.yaml'); } catch (e) {
      expect((e as ConfigError).issues.map((i) => i.path)).toEqual([['accounts', 1, 'id'], ['retention', 'objectLockDays']]);
    }
  });

  test('the committed JSON Schema matches the zod schema (run `npx projen config:schema` when this fails)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(renderJsonSchema());
  });

  test('docs/config-reference.md documents every key of the schema', () => {
    const keys: string[] = [];
    const walk = (schema: unknown, prefix: string): void => {
      const def = (schema as { _zod: { def: { type: string; innerType?: unknown; shape?: Record<string, unknown>; element?: unknown } } })._zod.def;
      if (def.innerType) return walk(def.innerType, prefix);
      if (def.type === 'object') return Object.entries(def.shape!).forEach(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k));
      if (def.type === 'array') return walk(def.element, `${prefix}[]`);
      keys.push(prefix);
    };
    walk(GovernanceConfigSchema, '');
    const readme = readFileSync(path.join(PROJECT_ROOT, 'docs', 'config-reference.md'), 'utf8');
    expect(keys.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });

  test('the config file comes from -c config=, else $GOVERNANCE_CONFIG, else the example', () => {
    expect(resolveConfigFile('a.yaml', { GOVERNANCE_CONFIG: 'b.yaml' })).toMatch(/\/a\.yaml$/);
    expect(resolveConfigFile(undefined, { GOVERNANCE_CONFIG: 'b.yaml' })).toMatch(/\/b\.yaml$/);
    expect(resolveConfigFile(undefined, {})).toBe(DEFAULT_CONFIG_FILE);
    expect(() => resolveConfigFile(42, {})).toThrow(/expected a file path; found number 42/);
  });

  describe('did you mean', () => {
    test('suggests a close key, counting a swap of neighbours as one edit', () => {
      expect(editDistance('audti', 'audit')).toBe(1);
      expect(didYouMean('retension', ['retention', 'region'])).toBe('retention');
    });
    test('stays silent when nothing is close', () => {
      expect(didYouMean('colour', ['id', 'rootId', 'homeRegion'])).toBeUndefined();
    });
  });
});
