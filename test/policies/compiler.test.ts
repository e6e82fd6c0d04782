import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { profileLimits } from '../../config/organization-limits';
import type { GovernanceConfig } from '../../config/schema';
import { compileOrganizationPolicies, PolicyBudgetError } from '../../policies/compiler/compile';
import { packStatements, statementCharacters } from '../../policies/compiler/pack';
import { organizationControls } from '../../policies/organization-controls';
import { minify, policyDocument, type PolicyStatement } from '../../policies/policy-document';
import { EXAMPLE_CONFIG_TEXT, exampleConfig } from '../support/example-config';
import { runApp } from '../support/run-app';

/** The SCP character limit under the conservative profile, which the packing tests were written against. */
const SCP_CHARACTERS = profileLimits('pre-2026-05').scpCharacters;

/** The example organization with `organization.limits` changed. */
function withLimits(change: Partial<GovernanceConfig['organization']['limits']>): GovernanceConfig {
  const config = structuredClone(exampleConfig());
  config.organization.limits = { ...config.organization.limits, ...change };
  return config;
}

/** What `compileOrganizationPolicies` throws, or undefined. */
function compileError(config: GovernanceConfig, controls = organizationControls(config)): Error | undefined {
  try {
    compileOrganizationPolicies(config, controls);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/** A Deny statement of about `size` characters. */
function statementOf(sid: string, size: number): PolicyStatement {
  const base = { Sid: sid, Effect: 'Deny' as const, Action: 's3:GetObject', Resource: '' };
  return { ...base, Resource: `arn:aws:s3:::${'x'.repeat(Math.max(1, size - JSON.stringify(base).length - 14))}` };
}

describe('policy compiler', () => {
  describe('fails cleanly', () => {
    test('when a target needs more slots than its budget: the error is the budget table naming the target and statements', () => {
      // The conservative profile needs two SCPs at the root and at each workload OU; with 3 slots, FullAWSAccess and 1
      // reserved, only one fits. The evidence accounts' one RCP fits, so they are not named.
      const error = compileError(withLimits({ ...profileLimits('pre-2026-05'), scpsPerTarget: 3, reservedScpSlots: 1 }));
      expect(error).toBeInstanceOf(PolicyBudgetError);
      expect(error!.message).toMatch(/Root \(r-4f2k\): 2 SCPs needed \+ 2 reserved \(FullAWSAccess \+ 1 configured\) > 3 slots; statements: ORGREGION1DenyOutsideGovernedRegions \d+/);
      expect(error!.message).toMatch(/Workloads\/Prod \(ou-4f2k-p4s8j2la\): 2 SCPs needed \+ 2 reserved \(FullAWSAccess \+ 1 configured\) > 3 slots; statements: BRCRI1DenyDirectFoundationModelInvoke \d+/);
      expect(error!.message).toMatch(/Policy budget\n/);
      expect(error!.message).not.toMatch(/account (log-archive|audit) \d+\): \d+ RCPs? needed/);
    });

    test('when a config cannot fit even 10 SCPs per target: fails with the budget table', () => {
      // Eleven statements of 6,000 characters at the root: one per 10,240-character SCP, 11 + FullAWSAccess > 10 slots.
      const config = exampleConfig();
      const statements = Array.from({ length: 11 }, (_, i) => statementOf(`Big${i}`, 6000));
      const error = compileError(config, [{ controlId: 'TEST-1', policyType: 'SERVICE_CONTROL_POLICY', attachTo: 'root', statements }]);
      expect(config.organization.limits.scpsPerTarget).toBe(10);
      expect(error).toBeInstanceOf(PolicyBudgetError);
      expect(error!.message).toMatch(/^Organizations policies do not fit their budget:\n {2}Root \(r-4f2k\): 11 SCPs needed \+ 2 reserved \(FullAWSAccess \+ 1 configured\) > 10 slots; statements: Big0 \d+/);
      expect(error!.message).toMatch(/\n {2}genai-governance-scp-root-11 +\d+ \/ 10240 +TEST-1\n/);
      expect(error!.message).toMatch(/\n {2}Root r-4f2k +SERVICE_CONTROL_POLICY +11 \+ 2 \/ 10$/);
    });

    test('when one statement exceeds the character limit alone', () => {
      const config = exampleConfig();
      const huge = statementOf('Huge', config.organization.limits.scpCharacters + 10);
      expect(() => compileOrganizationPolicies(config, [{ controlId: 'TEST-1', policyType: 'SERVICE_CONTROL_POLICY', attachTo: 'root', statements: [huge] }]))
        .toThrow(/Huge \(TEST-1\) is \d+ characters: no SCP can hold it \(limit 10240\)/);
    });

    test('the app exits 1 with the budget table and writes no assembly', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'budget-'));
      const file = path.join(dir, 'over-budget.yaml');
      writeFileSync(file, EXAMPLE_CONFIG_TEXT.replace('profile: aws-defaults', 'profile: pre-2026-05\n    scpsPerTarget: 3'));
      const run = runApp({ context: { config: file } });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/Organizations policies do not fit their budget:\n {2}Workloads\/Prod \(ou-4f2k-p4s8j2la\)/);
      expect(run.stderr).toMatch(/\n {2}Root \(r-4f2k\): 2 SCPs needed/);
      expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
    });
  });

  describe('packing', () => {
    test('never exceeds the limit and keeps every statement once, in original order within a policy', () => {
      const statements = [900, 3000, 1200, 2500, 400, 4000, 700].map((n, i) => statementOf(`S${i}`, n));
      const { documents, oversized } = packStatements(statements, SCP_CHARACTERS);
      expect(oversized).toEqual([]);
      for (const d of documents) {
        expect(minify(policyDocument(d)).length).toBeLessThanOrEqual(SCP_CHARACTERS);
        expect(d.map((s) => statements.indexOf(s))).toEqual([...d.map((s) => statements.indexOf(s))].sort((a, b) => a - b));
      }
      expect(documents.flat().map((s) => s.Sid).sort()).toEqual(statements.map((s) => s.Sid).sort());
    });

    test('packs into fewer policies than filling them in order would', () => {
      // Filled in order: [3000] [3000] [2000 2000]; first-fit decreasing pairs each 3000 with a 2000.
      const statements = [3000, 3000, 2000, 2000].map((n, i) => statementOf(`S${i}`, n));
      expect(statements.map(statementCharacters).reduce((a, b) => a + b)).toBeLessThan(2 * SCP_CHARACTERS);
      expect(packStatements(statements, SCP_CHARACTERS).documents).toHaveLength(2);
    });

    test('a document measures exactly what the packer counted', () => {
      const statements = [statementOf('A', 2000), statementOf('B', 3000)];
      const size = minify(policyDocument(statements)).length;
      const counted = '{"Version":"2012-10-17","Statement":[]}'.length + statements.map(statementCharacters).reduce((a, b) => a + b) - 1;
      expect(size).toBe(counted);
      expect(packStatements(statements, size).documents).toHaveLength(1);
      expect(packStatements(statements, size - 1).documents).toHaveLength(2);
    });

    test('is deterministic: the same statements give the same policies', () => {
      const config = exampleConfig();
      const once = compileOrganizationPolicies(config, organizationControls(config));
      const twice = compileOrganizationPolicies(config, organizationControls(config));
      expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    });
  });

  test('the example fits: one SCP per workload OU, one at the root, one RCP on the log-archive account', () => {
    const config = exampleConfig();
    const { policies, budgets } = compileOrganizationPolicies(config, organizationControls(config));
    expect(policies.map((p) => [p.name, p.targets.map((t) => t.label), p.limit])).toEqual([
      ['genai-governance-scp-workload-ous-1', ['Workloads/Prod', 'Workloads/NonProd', 'Sandbox'], 10240],
      ['genai-governance-scp-root-1', ['Root'], 10240],
      ['genai-governance-rcp-evidence-accounts-1', ['account log-archive', 'account audit'], 5120],
    ]);
    for (const b of budgets) expect(b.used + b.reserved).toBeLessThanOrEqual(b.limit);
    expect(budgets.find((b) => b.target.label === 'Root')).toMatchObject({ used: 1, reserved: 2, limit: 10 });
  });

  describe('BR-VPCE-1 (bedrock.requireVpcEndpoint)', () => {
    const withVpcEndpoints = (ous: string[], limits?: Partial<GovernanceConfig['organization']['limits']>) => {
      const config = limits ? withLimits(limits) : structuredClone(exampleConfig());
      config.bedrock.requireVpcEndpoint = ous;
      return compileOrganizationPolicies(config, organizationControls(config));
    };
    const slots = (compiled: ReturnType<typeof withVpcEndpoints>, label: string) => compiled.budgets.find((b) => b.target.label === label && b.policyType === 'SERVICE_CONTROL_POLICY')!.used;

    test('off by default: no statement is written', () => {
      const { policies } = withVpcEndpoints([]);
      expect(policies.flatMap((p) => p.document.Statement.map((s) => s.Sid)).filter((sid) => sid.startsWith('BRVPCE1'))).toEqual([]);
    });

    test('for some workload OUs: a policy of its own attached to those OUs only, one slot more there', () => {
      const compiled = withVpcEndpoints(['Workloads/Prod']);
      const own = compiled.policies.filter((p) => p.controls.includes('BR-VPCE-1'));
      expect(own.map((p) => [p.name, p.targets.map((t) => t.label), p.controls])).toEqual([
        ['genai-governance-scp-vpc-endpoint-ous-1', ['Workloads/Prod'], ['BR-VPCE-1']],
      ]);
      const before = withVpcEndpoints([]);
      expect([slots(compiled, 'Workloads/Prod'), slots(compiled, 'Workloads/NonProd')]).toEqual([slots(before, 'Workloads/Prod') + 1, slots(before, 'Workloads/NonProd')]);
    });

    test('for every workload OU: packed with the other Bedrock controls, no slot more', () => {
      const compiled = withVpcEndpoints(['Workloads/Prod', 'Workloads/NonProd', 'Sandbox']);
      expect(compiled.policies.filter((p) => p.controls.includes('BR-VPCE-1')).map((p) => p.name)).toEqual(['genai-governance-scp-workload-ous-1']);
      expect(slots(compiled, 'Sandbox')).toBe(slots(withVpcEndpoints([]), 'Sandbox'));
    });

    test('under the pre-2026-05 limits it still fits: its own policy takes the last free slot of the OU, counted with the OU\'s other policies', () => {
      const limits = { ...profileLimits('pre-2026-05'), reservedScpSlots: 1 };
      const compiled = withVpcEndpoints(['Workloads/Prod'], limits);
      expect(compiled.budgets.filter((b) => b.target.label === 'Workloads/Prod')).toEqual([expect.objectContaining({ used: 3, reserved: 2, limit: 5 })]);
    });

    test('a target reached by two attachment points fails when their policies together exceed its slots', () => {
      const config = withLimits({ ...profileLimits('pre-2026-05'), reservedScpSlots: 2 });
      config.bedrock.requireVpcEndpoint = ['Workloads/Prod'];
      const error = compileError(config);
      expect(error).toBeInstanceOf(PolicyBudgetError);
      expect(error!.message).toMatch(/Workloads\/Prod \(ou-4f2k-p4s8j2la\): 3 SCPs needed \+ 3 reserved \(FullAWSAccess \+ 2 configured\) > 5 slots; statements: .*BRVPCE1DenyInferenceOutsideVpcEndpoints \d+/);
      expect(error!.message).not.toMatch(/Workloads\/NonProd \(ou-[a-z0-9-]+\): \d+ SCPs needed/);
    });
  });

  test('the conservative profile (pre-2026-05) packs the same statements into 5,120-character SCPs: two at the root and at each workload OU, 5 slots', () => {
    const config = withLimits(profileLimits('pre-2026-05'));
    config.organization.limits = { ...config.organization.limits, reservedScpSlots: 1 };
    const { policies, budgets } = compileOrganizationPolicies(config, organizationControls(config));
    expect(policies.map((p) => [p.name, p.limit])).toEqual([
      ['genai-governance-scp-workload-ous-1', 5120],
      ['genai-governance-scp-workload-ous-2', 5120],
      ['genai-governance-scp-root-1', 5120],
      ['genai-governance-scp-root-2', 5120],
      ['genai-governance-rcp-evidence-accounts-1', 5120],
    ]);
    expect(budgets.find((b) => b.target.label === 'Root')).toMatchObject({ used: 2, reserved: 2, limit: 5 });
    expect(budgets.find((b) => b.target.label === 'Workloads/Prod')).toMatchObject({ used: 2, reserved: 2, limit: 5 });
    // The statements are the same either way, only split differently.
    const today = compileOrganizationPolicies(exampleConfig(), organizationControls(exampleConfig()));
    const sids = (ps: typeof policies, kind: string) => ps.filter((p) => p.name.includes(kind))
      .flatMap((p) => p.document.Statement.map((s) => s.Sid)).sort();
    for (const kind of ['-root-', '-workload-ous-']) expect(sids(policies, kind)).toEqual(sids(today.policies, kind));
  });
});
