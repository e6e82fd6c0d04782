import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../config/config-error';
import { didYouMean, editDistance } from '../../config/did-you-mean';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../../config/json-schema';
import { parseConfig, resolveConfigFile, DEFAULT_CONFIG_FILE } from '../../config/load';
import { profileLimits } from '../../config/organization-limits';
import { GovernanceConfigSchema, type GovernanceConfig } from '../../config/schema';
import { checkSemantics } from '../../config/semantics';
import { exampleConfig } from '../support/example-config';
import { PROJECT_ROOT } from '../support/run-app';

const EXAMPLE_TEXT = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

/** The issues parsing a config text reports (none when it loads). */
function issuesOfText(text: string) {
  try {
    parseConfig(text, 'x.yaml');
    return [];
  } catch (e) {
    return (e as ConfigError).issues;
  }
}

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
        c.observability.accountHourlyLimits.models = [];
        c.workloads = {};
      });
      expect(issues).toEqual([expect.objectContaining({ found: expect.stringContaining('have none of eu-south-2 as a source Region') })]);
    });

    test('a support-chat tenant outside the controls: account outside the workload OUs, Region not governed, models not approved text profiles', () => {
      const at = (...where: (string | number)[]) => expect.objectContaining({ path: ['workloads', 'supportChat', ...where] });
      expect(issuesOf((c) => { c.workloads.supportChat!.account = 'network'; })).toEqual([
        expect.objectContaining({ path: ['workloads', 'supportChat', 'account'], found: '"network" in "Infrastructure"' }),
      ]);
      expect(issuesOf((c) => { c.workloads.supportChat!.account = 'support-chat-prd'; })).toEqual([
        expect.objectContaining({ path: ['workloads', 'supportChat', 'account'], hint: 'did you mean "support-chat-prod"?' }),
      ]);
      expect(issuesOf((c) => { c.workloads.supportChat!.regions = ['eu-central-1', 'eu-west-3', 'eu-central-1']; })).toEqual([
        at('regions', 1), at('regions', 2),
      ]);
      expect(issuesOf((c) => {
        c.workloads.supportChat!.models.capable = 'anthropic.claude-sonet-4-5-20250929-v1:0';
        c.workloads.supportChat!.models.fallback = ['amazon.titan-embed-text-v2:0', 'amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'];
      })).toEqual([
        expect.objectContaining({ path: ['workloads', 'supportChat', 'models', 'capable'], hint: 'did you mean "anthropic.claude-sonnet-4-5-20250929-v1:0"?' }),
        expect.objectContaining({ path: ['workloads', 'supportChat', 'models', 'fallback', 0], expected: expect.stringContaining('approved text model with access inference-profile') }),
        at('models', 'fallback', 2),
      ]);
    });

    test('a support-chat identity provider that is not https, or an unknown key under the tenant', () => {
      const withTenant = (extra: string) => EXAMPLE_TEXT.replace('    conversations:\n      retentionDays: 90\n', `    conversations:\n      retentionDays: 90\n${extra}`);
      expect(() => parseConfig(withTenant('    identityProviders:\n      - { type: SAML, name: corp, metadataUrl: "http://idp.example.com/metadata" }\n'), 'x.yaml'))
        .toThrow(/workloads\.supportChat\.identityProviders\[0\]\.metadataUrl/);
      expect(() => parseConfig(withTenant('    wafRateLimit: 100\n'), 'x.yaml')).toThrow(/workloads\.supportChat.*wafRateLimit/);
      const parsed = parseConfig(withTenant('    identityProviders:\n      - { type: SAML, name: corp, metadataUrl: "https://idp.example.com/metadata" }\n'), 'x.yaml');
      expect(parsed.workloads.supportChat!.identityProviders).toEqual([{ type: 'SAML', name: 'corp', metadataUrl: 'https://idp.example.com/metadata' }]);
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

    test('metadata-only invocation logging names whole baseline target OUs, once, none above or beneath another target OU', () => {
      const at = (i: number) => ['baseline', 'invocationLogging', 'metadataOnlyOrganizationalUnits', i];
      const metadataOnly = (c: GovernanceConfig, ous: string[]) => { c.baseline.invocationLogging.metadataOnlyOrganizationalUnits = ous; };
      expect(issuesOf((c) => metadataOnly(c, ['Workloads/Prod']))).toEqual([]);
      expect(issuesOf((c) => metadataOnly(c, ['Workloads/Prd']))).toEqual([
        expect.objectContaining({ path: at(0), expected: expect.stringContaining('baseline target OUs'), hint: 'did you mean "Workloads/Prod"?' }),
      ]);
      expect(issuesOf((c) => metadataOnly(c, ['Security']))).toEqual([expect.objectContaining({ path: at(0), found: '"Security"' })]);
      expect(issuesOf((c) => metadataOnly(c, ['Workloads']))).toEqual([
        expect.objectContaining({ path: at(0), hint: '"Workloads" lies inside or above a target OU: list it in baseline.targetOrganizationalUnits itself' }),
      ]);
      expect(issuesOf((c) => metadataOnly(c, ['Sandbox', 'Sandbox']))).toEqual([expect.objectContaining({ path: at(1), expected: 'a unique OU path' })]);
      expect(issuesOf((c) => {
        c.baseline.targetOrganizationalUnits = ['Workloads', 'Workloads/Prod'];
        metadataOnly(c, ['Workloads/Prod']);
      })).toEqual([expect.objectContaining({ path: at(0), found: expect.stringContaining('overlaps the target OUs "Workloads"') })]);
    });

    test('a price for a model that is not approved, or two prices for one model', () => {
      expect(issuesOf((c) => { (c.observability.modelPrices as unknown[]).push({ modelId: 'amazon.nova-pro-v1:0', inputPerMillionTokens: 0.8, outputPerMillionTokens: 3.2 }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'modelPrices', 4, 'modelId'], expected: expect.stringContaining('approved models in bedrock.approvedModels') }),
      ]);
      expect(issuesOf((c) => { (c.observability.modelPrices as unknown[]).push({ ...c.observability.modelPrices[0] }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'modelPrices', 4, 'modelId'], expected: 'a unique model id' }),
      ]);
    });

    test('hourly account limits for a model that is not approved, or two entries for one model', () => {
      expect(issuesOf((c) => { c.observability.accountHourlyLimits.models.push({ modelId: 'amazon.nova-pro-v1:0', invocations: 5 }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'models', 1, 'modelId'], expected: expect.stringContaining('approved models in bedrock.approvedModels') }),
      ]);
      expect(issuesOf((c) => { c.observability.accountHourlyLimits.models.push({ modelId: 'amazon.nova-lite-v1:0' }); })).toEqual([]);
      expect(issuesOf((c) => { c.observability.accountHourlyLimits.models.push({ ...c.observability.accountHourlyLimits.models[0] }); })).toEqual([
        expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'models', 1, 'modelId'], expected: 'a unique model id' }),
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
    expect(config.organization.limits).toEqual({ ...profileLimits('aws-defaults'), reservedScpSlots: 1 });
    expect(profileLimits('aws-defaults')).toEqual({
      profile: 'aws-defaults',
      scpCharacters: 10240,
      scpsPerTarget: 10,
      reservedScpSlots: 0,
      rcpCharacters: 5120,
      rcpsPerTarget: 5,
      reservedRcpSlots: 0,
      bedrockPolicyCharacters: 10000,
      bedrockPoliciesPerTarget: 10,
    });
  });

  describe('organization.limits', () => {
    const withLimits = (limits: string) => EXAMPLE_TEXT.replace(/ {2}limits:.*\n(?: {4}.*\n)*/, `  limits:\n${limits}`);

    test('default to AWS\'s quotas of today when left out', () => {
      const config = parseConfig(EXAMPLE_TEXT.replace(/ {2}limits:.*\n(?: {4}.*\n)*/, ''), 'x.yaml');
      expect(config.organization.limits).toEqual(profileLimits('aws-defaults'));
      expect(config.organization.limits).toMatchObject({ scpCharacters: 10240, scpsPerTarget: 10, reservedScpSlots: 0 });
    });

    test('the pre-2026-05 profile gives the old SCP quotas; a key of its own overrides the profile', () => {
      expect(parseConfig(withLimits('    profile: pre-2026-05\n'), 'x.yaml').organization.limits)
        .toMatchObject({ profile: 'pre-2026-05', scpCharacters: 5120, scpsPerTarget: 5, rcpCharacters: 5120, rcpsPerTarget: 5, bedrockPolicyCharacters: 10000 });
      expect(parseConfig(withLimits('    profile: pre-2026-05\n    scpsPerTarget: 4\n'), 'x.yaml').organization.limits)
        .toMatchObject({ scpCharacters: 5120, scpsPerTarget: 4 });
    });

    test('a limit above AWS\'s maximum is rejected, saying what the maximum is', () => {
      expect(issuesOfText(withLimits('    scpCharacters: 20480\n'))).toEqual([expect.objectContaining({
        path: ['organization', 'limits', 'scpCharacters'],
        expected: 'a number <= 10240 (AWS\'s maximum for an SCP is 10,240 characters)',
        found: 'number 20480',
      })]);
      expect(issuesOfText(withLimits('    rcpsPerTarget: 10\n'))).toEqual([expect.objectContaining({
        path: ['organization', 'limits', 'rcpsPerTarget'], expected: 'a number <= 5 (AWS\'s maximum for RCPs per root, OU or account is 5)',
      })]);
      expect(issuesOfText(withLimits('    bedrockPolicyCharacters: 10001\n'))).toEqual([expect.objectContaining({
        path: ['organization', 'limits', 'bedrockPolicyCharacters'], expected: expect.stringContaining('10,000 characters'),
      })]);
    });

    test('an unknown profile, a reserve that leaves this tool no slot, and the old scpBudget key are reported clearly', () => {
      expect(issuesOfText(withLimits('    profile: pre-2026-5\n'))).toEqual([expect.objectContaining({
        path: ['organization', 'limits', 'profile'], expected: 'one of "aws-defaults", "pre-2026-05"', hint: 'did you mean "pre-2026-05"?',
      })]);
      expect(issuesOfText(withLimits('    profile: pre-2026-05\n    reservedScpSlots: 4\n'))).toEqual([expect.objectContaining({
        path: ['organization', 'limits', 'reservedScpSlots'],
        expected: 'at most 3: 5 SCPs per target (profile pre-2026-05) hold FullAWSAccess, the reserve and at least one of this tool\'s',
        found: 'number 4',
      })]);
      expect(issuesOfText(`${EXAMPLE_TEXT}scpBudget:\n  slotsPerTarget: 5\n`)).toEqual([expect.objectContaining({
        path: ['scpBudget'], hint: expect.stringContaining('scpBudget moved to organization.limits'),
      })]);
    });

    test('more governed Regions than Bedrock policies fit the root, with organization-policy enforcement', () => {
      const issues = issuesOf((c) => { c.organization.limits = { ...c.organization.limits, bedrockPoliciesPerTarget: 1 }; });
      expect(issues).toEqual([expect.objectContaining({ path: ['organization', 'governedRegions'], found: '2 Regions' })]);
      expect(issuesOf((c) => {
        c.organization.limits = { ...c.organization.limits, bedrockPoliciesPerTarget: 1 };
        c.bedrock.guardrail.enforcement = 'account';
      })).toEqual([]);
    });
  });

  describe('observability.accountHourlyLimits', () => {
    const withLimits = (limits: string) => EXAMPLE_TEXT.replace(/ {2}accountHourlyLimits:\n(?: {4}.*\n)*/, limits ? `  accountHourlyLimits:\n${limits}` : '');

    test('a limit that is not a whole number of at least 1, or a key the schema does not know, is rejected', () => {
      expect(issuesOfText(withLimits('    invocations: 0\n'))).toEqual([expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'invocations'] })]);
      expect(issuesOfText(withLimits('    inputTokens: 1.5\n'))).toEqual([expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'inputTokens'] })]);
      expect(issuesOfText(withLimits('    outputTokenz: 5\n'))).toEqual([expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'outputTokenz'] })]);
      expect(issuesOfText(withLimits('    models:\n      - { modelId: amazon.nova-lite-v1:0, tokens: 5 }\n')))
        .toEqual([expect.objectContaining({ path: ['observability', 'accountHourlyLimits', 'models', 0, 'tokens'] })]);
    });

    test('left out, every limit takes its default; the example sets them and one model of its own', () => {
      expect(parseConfig(withLimits(''), 'x.yaml').observability.accountHourlyLimits)
        .toEqual({ invocations: 10_000, inputTokens: 10_000_000, outputTokens: 2_000_000, models: [] });
      expect(exampleConfig().observability.accountHourlyLimits.models).toEqual([{ modelId: 'amazon.titan-embed-text-v2:0', inputTokens: 50_000_000 }]);
    });
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
      type Def = { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown };
      const def = (schema as { _zod: { def: Def } })._zod.def;
      if (def.innerType) return walk(def.innerType, prefix);
      if (def.type === 'pipe') return walk(def.in, prefix); // a transform: the keys are those of its input
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
