import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readAssembly } from '../../../operations/verify/assembly';
import { FACTS_MAX_BYTES, FACTS_SCHEMA, parseFactsDocument } from '../../../operations/verify/facts-document';
import { factsDocument } from '../../../operations/verify/facts-of-assembly';
import { main } from '../../../operations/verify/verify-facts-cli';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/* The expected facts document the daily verification reads: written from the assembly, refused when malformed. */

describe('verify-facts-cli and the facts document', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-facts-'));
  const quiet = () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  };
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the assembly\'s facts as one document that parses back to the facts verify computes', () => {
    quiet();
    const assembly = exampleAssemblyDirectory();
    const out = path.join(dir, 'facts.json');
    expect(main(['--assembly', assembly, '--out', out], {})).toBe(0);
    const parsed = parseFactsDocument(readFileSync(out, 'utf8'));
    expect(parsed).toEqual(JSON.parse(JSON.stringify(factsDocument(readAssembly(assembly), exampleConfig(), assembly))));
    expect(parsed.schema).toBe(FACTS_SCHEMA);
    expect(parsed.facts.length).toBeGreaterThan(100);
  });

  test.each([
    ['no --out', ['--assembly', 'cdk.out']],
    ['an unknown option', ['--out', 'x.json', '--format', 'md']],
    ['an assembly that is not one', ['--assembly', '/nonexistent', '--out', 'never.json']],
  ])('exits 2 on %s and writes nothing', (_, argv) => {
    quiet();
    const out = path.join(dir, argv.includes('never.json') ? 'never.json' : 'x.json');
    expect(main(argv.map((a) => (a === 'never.json' || a === 'x.json' ? out : a)), {})).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  test.each([
    ['an array', '[]', /not a JSON object/],
    ['no facts', JSON.stringify({ schema: FACTS_SCHEMA, assembly: 'a', homeRegion: 'eu-central-1', controlIds: [], facts: [] }), /non-empty list/],
    ['a home Region that is global', JSON.stringify({ schema: FACTS_SCHEMA, assembly: 'a', homeRegion: 'global', controlIds: [], facts: [] }), /homeRegion/],
    ['a fact without its expected value', JSON.stringify({
      schema: FACTS_SCHEMA,
      assembly: 'a',
      homeRegion: 'eu-central-1',
      controlIds: ['CT-1'],
      facts: [{ control: 'CT-1', account: '318274650913', region: 'eu-central-1', clientRegion: 'eu-central-1', kind: 'trail-logging', subject: 't', call: 'c' }],
    }), /facts\[0\]\.expected is missing/],
    ['more than the size limit', ' '.repeat(FACTS_MAX_BYTES + 1), /larger than/],
  ])('refuses a document with %s', (_, text, message) => {
    expect(() => parseFactsDocument(text)).toThrow(message);
  });
});
