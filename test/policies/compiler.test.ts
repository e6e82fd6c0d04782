import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compileOrganizationPolicies, PolicyBudgetError } from '../../policies/compiler/compile';
import { packStatements, statementCharacters } from '../../policies/compiler/pack';
import { organizationControls } from '../../policies/organization-controls';
import { SCP_MAX_CHARACTERS, minify, policyDocument, type PolicyStatement } from '../../policies/policy-document';
import { EXAMPLE_CONFIG_TEXT, exampleConfig } from '../support/example-config';
import { runApp } from '../support/run-app';

/** A Deny statement of about `size` characters. */
function statementOf(sid: string, size: number): PolicyStatement {
  const base = { Sid: sid, Effect: 'Deny' as const, Action: 's3:GetObject', Resource: '' };
  return { ...base, Resource: `arn:aws:s3:::${'x'.repeat(Math.max(1, size - JSON.stringify(base).length - 14))}` };
}

describe('policy compiler', () => {
  describe('fails cleanly', () => {
    test('when a target needs more slots than its budget: the error is the budget table naming the target and statements', () => {
      const config = structuredClone(exampleConfig());
      config.scpBudget = { slotsPerTarget: 3, reservedSlots: 1 };
      const error = (() => {
        try {
          compileOrganizationPolicies(config, organizationControls(config));
          return undefined;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(PolicyBudgetError);
      expect(error!.message).toMatch(/Root \(r-4f2k\): 2 SCPs needed \+ 2 reserved \(FullAWSAccess \+ 1 configured\) > 3 slots; statements: ORGREGION1DenyOutsideGovernedRegions \d+/);
      expect(error!.message).toMatch(/Policy budget\n/);
      expect(error!.message).not.toMatch(/Workloads\/Prod \(ou-4f2k-p4s8j2la\): \d+ SCPs needed/);
    });

    test('when one statement exceeds the character limit alone', () => {
      const config = exampleConfig();
      const huge = statementOf('Huge', SCP_MAX_CHARACTERS + 10);
      expect(() => compileOrganizationPolicies(config, [{ controlId: 'TEST-1', policyType: 'SERVICE_CONTROL_POLICY', attachTo: 'root', statements: [huge] }]))
        .toThrow(/Huge \(TEST-1\) is \d+ characters: no SCP can hold it \(limit 5120\)/);
    });

    test('the app exits 1 with the budget table and writes no assembly', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'budget-'));
      const file = path.join(dir, 'over-budget.yaml');
      writeFileSync(file, EXAMPLE_CONFIG_TEXT.replace('slotsPerTarget: 5', 'slotsPerTarget: 3'));
      const run = runApp({ context: { config: file } });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/Organizations policies do not fit their budget:\n {2}Root \(r-4f2k\)/);
      expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
    });
  });

  describe('packing', () => {
    test('never exceeds the limit and keeps every statement once, in original order within a policy', () => {
      const statements = [900, 3000, 1200, 2500, 400, 4000, 700].map((n, i) => statementOf(`S${i}`, n));
      const { documents, oversized } = packStatements(statements, SCP_MAX_CHARACTERS);
      expect(oversized).toEqual([]);
      for (const d of documents) {
        expect(minify(policyDocument(d)).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
        expect(d.map((s) => statements.indexOf(s))).toEqual([...d.map((s) => statements.indexOf(s))].sort((a, b) => a - b));
      }
      expect(documents.flat().map((s) => s.Sid).sort()).toEqual(statements.map((s) => s.Sid).sort());
    });

    test('packs into fewer policies than filling them in order would', () => {
      // Filled in order: [3000] [3000] [2000 2000]; first-fit decreasing pairs each 3000 with a 2000.
      const statements = [3000, 3000, 2000, 2000].map((n, i) => statementOf(`S${i}`, n));
      expect(statements.map(statementCharacters).reduce((a, b) => a + b)).toBeLessThan(2 * SCP_MAX_CHARACTERS);
      expect(packStatements(statements, SCP_MAX_CHARACTERS).documents).toHaveLength(2);
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

  test('the example fits: one SCP per workload OU, two at the root, one RCP on the log-archive account', () => {
    const config = exampleConfig();
    const { policies, budgets } = compileOrganizationPolicies(config, organizationControls(config));
    expect(policies.map((p) => [p.name, p.targets.map((t) => t.label)])).toEqual([
      ['genai-governance-scp-workload-ous-1', ['Workloads/Prod', 'Workloads/NonProd', 'Sandbox']],
      ['genai-governance-scp-root-1', ['Root']],
      ['genai-governance-scp-root-2', ['Root']],
      ['genai-governance-rcp-log-archive-account-1', ['account log-archive']],
    ]);
    for (const b of budgets) expect(b.used + b.reserved).toBeLessThanOrEqual(b.limit);
  });
});
