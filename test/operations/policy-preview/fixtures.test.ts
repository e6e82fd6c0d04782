import { readFileSync } from 'node:fs';
import { fixture, fixtureFiles } from './fixtures/fixtures';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../../config/load';
import { organizationControls } from '../../../policies/organization-controls';
import { exampleEstate } from '../../support/example-estate';
import { synthesizedPolicies } from '../../support/org-simulator';

/** The checked-in fixtures are what fixtures.ts derives from the example organization today. */
test.each(Object.keys(fixtureFiles()))('fixture %s is up to date (else: npx ts-node --transpile-only -P tsconfig.json test/operations/policy-preview/fixtures/write-fixtures.ts)', (name) => {
  expect(readFileSync(fixture(name)).equals(fixtureFiles()[name])).toBe(true);
});

test('the deployed example holds every statement of every control, each once', () => {
  const snapshot = JSON.parse(readFileSync(fixture('deployed-example.json'), 'utf8'));
  const sids: string[] = snapshot.policies.flatMap((p: any) => (Array.isArray(p.content.Statement) ? p.content.Statement.map((s: any) => s.Sid) : []))
    .filter((s: string | undefined) => s !== undefined);
  const expected = organizationControls(loadConfigFile(DEFAULT_CONFIG_FILE)).flatMap((c) => c.statements.map((s) => s.Sid!));
  expect([...sids].sort()).toEqual([...expected].sort());
});

test('the deployed example is what the synthesized templates deploy: every SCP and RCP by name, type, targets and document; the Bedrock policies by name and targets', () => {
  const snapshot = JSON.parse(readFileSync(fixture('deployed-example.json'), 'utf8'));
  const ours = snapshot.policies.filter((p: any) => !p.awsManaged);
  const synthesized = synthesizedPolicies(exampleEstate().assembly);
  const shape = (p: { name: string; type: string; targetIds: readonly string[]; content: unknown }) =>
    ({ name: p.name, type: p.type, targetIds: [...p.targetIds].sort(), content: p.type === 'BEDROCK_POLICY' ? undefined : p.content });
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  expect(ours.map(shape).sort(byName)).toEqual(synthesized.map(shape).sort(byName));
});
