import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { anchorsOf, brokenReferences, markdownPages } from '../support/doc-references';
import { PROJECT_ROOT } from '../support/run-app';

// Files move (a layer split, a tenant laid out by capability) and the pages that name them drift. Every relative link
// of every Markdown page must reach a file (and, with `#anchor`, one of its headings), and every repository path in a
// code span must exist: from the repository root, from the page's folder, or, for a bare file name, somewhere under
// the page's folder or the tests mirroring it. Generated output (`cdk.out/`, `bench-out/`) and placeholders (`<name>`, `*`) are not checked.

describe('documentation: links and paths point at what exists', () => {
  const pages = markdownPages(PROJECT_ROOT);

  test('the pages are found (README, docs/, the ADRs, the folders\' READMEs)', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/testing.md', 'docs/adr/0001-layers-with-enforced-imports.md', 'workloads/support-chat/README.md']));
  });

  test.each(pages)('%s', (page) => {
    expect(brokenReferences(PROJECT_ROOT, page)).toEqual([]);
  });

  describe('the checker, on a planted repository', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'doc-references-'));
      mkdirSync(path.join(root, 'docs'));
      mkdirSync(path.join(root, 'tenant', 'chat', 'handlers'), { recursive: true });
      writeFileSync(path.join(root, 'tenant', 'chat', 'handlers', 'turn.ts'), '');
      writeFileSync(path.join(root, 'docs', 'guide.md'), '# Guide\n\n## Run it: `npx projen chat:local`\n\n## Run it: `npx projen chat:local`\n');
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const check = (page: string, text: string) => {
      writeFileSync(path.join(root, page), text);
      return brokenReferences(root, page);
    };

    test('fails: a link to a file that does not exist, or to a heading it lacks', () => {
      expect(check('README.md', 'See [the guide](docs/gone.md) and [a part](docs/guide.md#not-there).\n')).toEqual([
        'README.md:1: link docs/gone.md: docs/gone.md does not exist',
        'README.md:1: link docs/guide.md#not-there: docs/guide.md has no heading #not-there',
      ]);
    });

    test('fails: a path in a code span that moved, from the root or from the page\'s folder', () => {
      expect(check('tenant/README.md', 'The turn (`handlers/turn.ts`, `tenant/handlers/turn.ts`, `gone-core.ts`).\n\nLater: `a`, `b\nc`, `tenant/gone/turn.ts`.\n')).toEqual([
        'tenant/README.md:1: `handlers/turn.ts` is neither under the repository root nor under tenant/',
        'tenant/README.md:1: `tenant/handlers/turn.ts` is neither under the repository root nor under tenant/',
        'tenant/README.md:1: `gone-core.ts` is neither under the repository root nor under tenant/, nor the name of a file under tenant/ or test/tenant/',
        'tenant/README.md:4: `tenant/gone/turn.ts` is neither under the repository root nor under tenant/',
      ]);
    });

    test('passes: paths from the root or the page\'s folder, bare names under it, headings (a repeated one too)', () => {
      expect(check('tenant/README.md', [
        'The turn: `chat/handlers/turn.ts`, `tenant/chat/handlers/turn.ts`, `turn.ts`; [guide](../docs/guide.md#run-it-npx-projen-chatlocal),',
        '[again](../docs/guide.md#run-it-npx-projen-chatlocal-1), [here](#the-tenant).',
        '',
        '## The tenant',
      ].join('\n'))).toEqual([]);
    });

    test('passes: generated output, placeholders, package names, SSM names, URLs and fenced code', () => {
      expect(check('README.md', [
        'Writes `cdk.out/`, `bench-out/chat.json` and `docs/dashboards/<name>.png`; imports `aws-cdk-lib/assertions` and',
        '`@aws-sdk/client-appconfig`; reads `/genai-governance/workload/*`; the bundle\'s `index.js`; `.sql` files;',
        '[AWS](https://docs.aws.amazon.com/bedrock/); a span that wraps, `npx',
        'projen synth`, then `docs/guide.md`.',
        '```sh',
        'cat gone/file.ts  # [x](gone.md)',
        '```',
      ].join('\n'))).toEqual([]);
    });
  });

  test('anchors follow GitHub: lower case, punctuation dropped, spaces to dashes, repeats numbered, code blocks skipped', () => {
    expect([...anchorsOf('# Under load: `npx projen bench:chat`\n## ORG-TAMPER-*, BL-IAM-1\n```sh\n# not a heading\n```\n## ORG-TAMPER-*, BL-IAM-1\n')])
      .toEqual(['under-load-npx-projen-benchchat', 'org-tamper--bl-iam-1', 'org-tamper--bl-iam-1-1']);
  });
});
