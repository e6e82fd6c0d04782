import { readFileSync } from 'node:fs';
import { fixture, fixtureFiles } from './fixtures/fixtures';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../../config/load';
import { organizationControls } from '../../../policies/organization-controls';

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
