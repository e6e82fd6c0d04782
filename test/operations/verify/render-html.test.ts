import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readAssembly } from '../../../operations/verify/assembly';
import { actionOf, CHECK_PROOFS } from '../../../operations/verify/check-proofs';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import { REPORT_SCHEMA, summarize, type Finding, type VerifyReport } from '../../../operations/verify/finding';
import { escapeHtml, renderHtml } from '../../../operations/verify/render-html';
import { assemblyDigest, type VerifyRun } from '../../../operations/verify/run-record';
import { main } from '../../../operations/verify/verify-cli';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/*
 * The HTML report without a browser: hostile values in every field come out as text, the page names nothing outside
 * itself, its one script and style are the ones its Content Security Policy allows by hash, the counts are the
 * report's; every call the verifier makes says how its reader is tested; `--format all` needs --out.
 */

const HOSTILE = '</pre></td><script>window.__x=1</script><img src=x onerror="alert(1)">\'&amp;';

function finding(status: Finding['status'], over: Partial<Finding> = {}): Finding {
  return {
    control: 'CT-1',
    account: '318274650913',
    region: 'eu-central-1',
    status,
    subject: 'genai-governance-organization-trail',
    expected: { IsLogging: true },
    found: { IsLogging: status === 'pass' },
    call: 'cloudtrail:GetTrailStatus genai-governance-organization-trail',
    ...over,
  };
}

type Report = VerifyReport & { run?: VerifyRun };

function report(findings: Finding[], extra: Partial<Omit<Report, 'run'>> & { run?: VerifyRun } = {}): Report {
  return { schema: REPORT_SCHEMA, assembly: 'cdk.out', endpoint: null, summary: summarize(findings), findings, ...extra };
}

const RUN = {
  startedAt: '2026-12-07T10:00:00.000Z',
  durationMs: 1234,
  config: 'config/governance.yaml',
  configSha256: 'a'.repeat(64),
  assemblySha256: 'b'.repeat(64),
  concurrency: 4,
  accountNames: { 318274650913: 'management' },
};

test('a hostile value in every field of a finding and of the run is text in the page, never markup', () => {
  const hostile = finding('drift', {
    control: HOSTILE,
    account: HOSTILE,
    region: HOSTILE,
    subject: HOSTILE,
    call: `cloudtrail:GetTrail ${HOSTILE}`,
    expected: { [HOSTILE]: HOSTILE },
    found: [HOSTILE, { nested: HOSTILE }],
  });
  const page = renderHtml(report([hostile, finding('pass')], {
    assembly: HOSTILE,
    endpoint: HOSTILE,
    run: { ...RUN, config: HOSTILE, accountNames: { [HOSTILE]: HOSTILE } },
  }));
  // One script element (the filter) and no element the hostile value would have made.
  expect(page.match(/<script/g)).toHaveLength(1);
  expect(page).not.toMatch(/<img|onerror="|<\/pre><\/td><script/);
  expect(page).toContain(escapeHtml('<script>window.__x=1</script>'));
  // The JSON of expected and found keeps the hostile text, escaped once.
  expect(page).toContain(escapeHtml(JSON.stringify([HOSTILE, { nested: HOSTILE }], null, 2)));
  expect(escapeHtml('<a href="x" title=\'y\'>&</a>')).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('the page loads nothing: no src, no external href, a policy of default-src none with its own style and script by hash', () => {
  const page = renderHtml(report([finding('pass'), finding('drift'), finding('unreadable', { found: { error: 'AccessDenied', message: 'no' } })], { run: RUN }));
  expect(page).not.toMatch(/\ssrc=/);
  expect([...page.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]).filter((h) => !h.startsWith('#'))).toEqual([]);
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1].replace(/&#39;/g, '\'');
  const digest = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1];
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
  expect(policy).toBe(`default-src 'none'; style-src ${digest(style)}; script-src ${digest(script)}; img-src 'none'; base-uri 'none'; form-action 'none'`);
  expect(page).not.toMatch(/\sstyle="/);
});

test('the summary counts, the verdict, the run and each section are the report\'s', () => {
  const findings = [finding('pass'), finding('pass', { control: 'ARC-1' }), finding('drift'), finding('unreadable', { found: { error: 'Throttling', message: 'slow' } })];
  const page = renderHtml(report(findings, { run: RUN }));
  expect([...page.matchAll(/data-count="(\w+)">(\d+)</g)].map((m) => [m[1], Number(m[2])])).toEqual([['pass', 2], ['drift', 1], ['unreadable', 1]]);
  expect(page).toContain('1 drift and 1 unreadable of 4 facts');
  for (const value of [RUN.startedAt, RUN.configSha256, RUN.assemblySha256, '1.2 s at concurrency 4', 'management (318274650913)']) expect(page).toContain(value);
  expect(page.match(/<article class="problem/g)).toHaveLength(2);
  expect(page.match(/<tr data-status=/g)).toHaveLength(4);
  for (const id of ['summary', 'controls', 'problems', 'findings', 'how-verified']) expect(page).toContain(`<section id="${id}"`);
  const clean = renderHtml(report([finding('pass')]));
  expect(clean).toContain('Every one of the 1 facts read was found as expected.');
  expect(clean).toContain('not recorded in this report');
});

test('every call of the example estate\'s facts says how its reader is tested, and the tests it names exist', () => {
  const facts = expectedFacts(readAssembly(exampleAssemblyDirectory()), exampleConfig());
  const actions = [...new Set(facts.map((f) => actionOf(f.call)))];
  expect(actions.filter((a) => !CHECK_PROOFS.some((p) => p.action === a))).toEqual([]);
  for (const proof of CHECK_PROOFS) {
    const source = readFileSync(path.join(__dirname, '..', '..', '..', proof.test), 'utf8');
    if (proof.proof === 'recorded-response') expect(source).toMatch(/recorded response/);
    else expect(source).toContain('startMoto');
  }
  expect(actionOf('macie2:DescribeOrganizationConfiguration, macie2:GetAutomatedDiscoveryConfiguration')).toBe(
    'macie2:DescribeOrganizationConfiguration, macie2:GetAutomatedDiscoveryConfiguration');
  expect(actionOf('glue:GetTable db.table')).toBe('glue:GetTable');
  const page = renderHtml(report(facts.slice(0, 1).map((f) => finding('pass', { call: f.call }))));
  expect(page).toContain('live read on the emulator (moto)');
  expect(renderHtml(report([finding('pass', { call: 'bedrock:GetFoundationModel x' })]))).toContain('no test of this call is recorded');
});

test('the assembly digest changes with the manifest or a template it names, not with a file it does not name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-digest-'));
  try {
    const manifest = { artifacts: { A: { type: 'aws:cloudformation:stack', environment: 'aws://318274650913/eu-central-1', properties: { templateFile: 'A.template.json' } } } };
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(dir, 'A.template.json'), '{"Resources":{}}');
    const first = assemblyDigest(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(path.join(dir, 'Stale.template.json'), '{}');
    expect(assemblyDigest(dir)).toBe(first);
    writeFileSync(path.join(dir, 'A.template.json'), '{"Resources":{"X":{"Type":"AWS::S3::Bucket"}}}');
    expect(assemblyDigest(dir)).not.toBe(first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--format all without --out and an unknown format exit 2 and write nothing', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'verify-html-'));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['--format', 'all'], {})).toBe(2);
    expect(await main(['--format', 'pdf', '--out', out], {})).toBe(2);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/--format all writes three files: give --out DIR[\s\S]*json, md, html or all, not pdf/);
  } finally {
    stderr.mockRestore();
    rmSync(out, { recursive: true, force: true });
  }
});
