import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../config/config-error';
import { loadConfigFile, selectConfigFile } from '../../config/load';
import { EXAMPLE_CONFIG_TEXT } from '../support/example-config';
import { runApp } from '../support/run-app';

/**
 * What the app prints on stderr for a config file: it selects the file as for `-c config=<file>` and loads it, and prints
 * a ConfigError's message before it exits 1 (stacks/app.ts). In process, so the many cases below cost no app start each;
 * the real app (a child process, as under the CLI) runs in the cases that check its exit status, stderr and assembly.
 */
function reportOf(file: string): string {
  try {
    const selection = selectConfigFile(file, {});
    loadConfigFile(selection.file, selection);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

/** 1-based line of the first line, comments aside, containing `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => !l.trimStart().startsWith('#') && l.includes(needle));
  if (index < 0) throw new Error(`fixture broken: "${needle}" not found`);
  return index + 1;
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture broken: "${from}" not in the example config`);
  return text.replace(from, to);
}

interface BadConfigCase {
  readonly name: string;
  readonly text: string;
  /** Text on the offending line (to compute the expected line), or a line number. A missing key is reported at
   * the mapping that lacks it. */
  readonly line: string | number;
  readonly path: string;
  readonly expected: RegExp;
  readonly found: RegExp;
}

const ex = EXAMPLE_CONFIG_TEXT;
const unknownKey = replaceOnce(ex, '  rootId: r-4f2k\n', '  rootId: r-4f2k\n  colour: blue\n');
const misspelt = replaceOnce(ex, 'retention:\n', 'retension:\n');
const misspeltNested = replaceOnce(ex, 'objectLockDays:', 'objectLokDays:');
const badAccountId = replaceOnce(ex, '"402761958314"', '"40276195831"');
const badOuId = replaceOnce(ex, 'ou-4f2k-p4s8j2la', 'ou-4f2k-P4S8');
const foreignOuId = replaceOnce(ex, 'ou-4f2k-s1c5g9wd', 'ou-9zzz-s1c5g9wd');
const wrongType = replaceOnce(ex, 'objectLockDays: 2557', 'objectLockDays: seven years');
const outsideGeography = replaceOnce(ex, 'governedRegions: [eu-central-1, eu-west-1]', 'governedRegions: [eu-central-1, us-east-1]');
const notARegion = replaceOnce(ex, 'homeRegion: eu-central-1', 'homeRegion: eu-centrl-1');
const unknownModel = replaceOnce(ex, '- modelId: cohere.rerank-v3-5:0', '- modelId: cohere.rerank-v3-6:0');
const duplicateOu = replaceOnce(ex, '{ path: Sandbox, id: ou-4f2k-s1c5g9wd }', '{ path: Security, id: ou-4f2k-s1c5g9wd }');
const missingSection = ex.replace(/^principals:\n(  .*\n)+/m, '');
const unknownAccount = replaceOnce(ex, '  audit: audit\n', '  audit: audti\n');
const vpcEndpointsOutsideWorkloadOus = replaceOnce(ex, '  requireVpcEndpoint: []', '  requireVpcEndpoint: [Workloads/Prod, Security]');
const batchExceptionUnapproved = replaceOnce(ex, '    batchInference: allow', '    batchInferenceWithoutProfile: [amazon.titan-embed-text-v1]\n    batchInference: allow');
const batchExceptionWhileDenied = replaceOnce(ex, '    batchInference: allow', '    batchInferenceWithoutProfile: [amazon.titan-embed-text-v2:0]\n    batchInference: deny');

const CERTIFICATE = 'arn:aws:acm:us-east-1:741852096357:certificate/4c1d9e27-58b3-4f0a-9d6e-2a7b8c3f1e05';
const widgetDomainWithScheme = replaceOnce(ex, 'domainName: chat.example.com', 'domainName: https://chat.example.com');
const widgetCertificateElsewhere = replaceOnce(ex, CERTIFICATE, CERTIFICATE.replace('us-east-1', 'eu-central-1'));
const widgetCertificateOfAnotherAccount = replaceOnce(ex, CERTIFICATE, CERTIFICATE.replace('741852096357', '402761958314'));
const widgetOriginWithPath = replaceOnce(ex, 'https://www.example.com]', 'https://www.example.com/shop]');
const widgetRateUnderWaf = replaceOnce(ex, 'requestsPerFiveMinutes: 300', 'requestsPerFiveMinutes: 9');

const CASES: BadConfigCase[] = [
  { name: 'unknown key', text: unknownKey, line: 'colour: blue', path: 'organization.colour', expected: /one of the keys id, rootId, homeRegion/, found: /unknown key "colour"/ },
  { name: 'misspelt section', text: misspelt, line: 'retension:', path: 'retension', expected: /one of the keys/, found: /unknown key "retension" \(did you mean "retention"\?\)/ },
  { name: 'misspelt nested key', text: misspeltNested, line: 'objectLokDays:', path: 'retention.objectLokDays', expected: /one of the keys objectLockDays/, found: /did you mean "objectLockDays"\?/ },
  { name: 'bad account id', text: badAccountId, line: '"40276195831"', path: 'accounts[1].id', expected: /a 12-digit AWS account id/, found: /found string "40276195831"/ },
  { name: 'bad OU id', text: badOuId, line: 'ou-4f2k-P4S8', path: 'organizationalUnits[3].id', expected: /an OU id: "ou-"/, found: /found string "ou-4f2k-P4S8"/ },
  { name: 'OU id of another root', text: foreignOuId, line: 'ou-9zzz-s1c5g9wd', path: 'organizationalUnits[5].id', expected: /an OU id under root r-4f2k/, found: /"ou-9zzz-s1c5g9wd"/ },
  { name: 'wrong type', text: wrongType, line: 'objectLockDays: seven years', path: 'retention.objectLockDays', expected: /expected a number/, found: /found string "seven years"/ },
  { name: 'Region outside the geographies', text: outsideGeography, line: 'governedRegions:', path: 'organization.governedRegions[1]', expected: /a Region of the CRI geographies in bedrock.geographies \(eu: eu-central-1/, found: /"us-east-1"/ },
  { name: 'not a Region code', text: notARegion, line: 'homeRegion:', path: 'organization.homeRegion', expected: /a Region code such as "eu-central-1"/, found: /"eu-centrl-1" \(did you mean "eu-central-1"\?\)/ },
  { name: 'unknown model', text: unknownModel, line: 'cohere.rerank-v3-6:0', path: 'bedrock.approvedModels[4].modelId', expected: /one of the models in policies\/catalog\/models.ts/, found: /"cohere.rerank-v3-6:0" \(did you mean "cohere.rerank-v3-5:0"\?\)/ },
  { name: 'duplicate OU', text: duplicateOu, line: '{ path: Security, id: ou-4f2k-s1c5g9wd }', path: 'organizationalUnits[5].path', expected: /a unique OU path/, found: /"Security", already used at index 0/ },
  { name: 'account reference that does not exist', text: unknownAccount, line: 'audit: audti', path: 'topology.audit', expected: /one of the account names in accounts/, found: /"audti" \(did you mean "audit"\?\)/ },
  { name: 'VPC endpoints required in an OU that is no workload OU', text: vpcEndpointsOutsideWorkloadOus, line: 'requireVpcEndpoint:', path: 'bedrock.requireVpcEndpoint[1]', expected: /one of the workload OU paths in organization.workloadOrganizationalUnits: Workloads\/Prod, Workloads\/NonProd, Sandbox/, found: /"Security"/ },
  { name: 'a batch exception for a model that is not approved', text: batchExceptionUnapproved, line: 'batchInferenceWithoutProfile:', path: 'bedrock.paths.batchInferenceWithoutProfile[0]', expected: /one of the approved models in bedrock.approvedModels/, found: /"amazon.titan-embed-text-v1" \(did you mean "amazon.titan-embed-text-v2:0"\?\)/ },
  { name: 'a batch exception while batch inference is denied', text: batchExceptionWhileDenied, line: 'batchInferenceWithoutProfile:', path: 'bedrock.paths.batchInferenceWithoutProfile', expected: /no models while bedrock.paths.batchInference is deny/, found: /"amazon.titan-embed-text-v2:0"/ },
  { name: 'a widget domain that is not a host name', text: widgetDomainWithScheme, line: 'domainName: https://chat', path: 'workloads.supportChat.widget.domainName', expected: /a lowercase host name such as "chat.example.com"/, found: /"https:\/\/chat.example.com"/ },
  { name: 'a widget certificate outside us-east-1', text: widgetCertificateElsewhere, line: 'certificateArn:', path: 'workloads.supportChat.widget.certificateArn', expected: /an ACM certificate in us-east-1, where CloudFront reads certificates \(this one is in eu-central-1/, found: /"arn:aws:acm:eu-central-1:/ },
  { name: 'a widget certificate of another account', text: widgetCertificateOfAnotherAccount, line: 'certificateArn:', path: 'workloads.supportChat.widget.certificateArn', expected: /a certificate of the tenant's account 741852096357/, found: /a certificate of account 402761958314/ },
  { name: 'a widget embedding origin with a path', text: widgetOriginWithPath, line: 'embeddingOrigins:', path: 'workloads.supportChat.widget.embeddingOrigins[1]', expected: /an origin "https:\/\/<host>\[:<port>\]"/, found: /"https:\/\/www.example.com\/shop"/ },
  { name: 'a widget rate limit under WAF\'s least', text: widgetRateUnderWaf, line: 'requestsPerFiveMinutes: 9', path: 'workloads.supportChat.widget.requestsPerFiveMinutes', expected: /10/, found: /9/ },
  { name: 'missing required section', text: missingSection, line: 'organization:', path: 'principals', expected: /expected a mapping \(required\)/, found: /nothing: the key is missing/ },
  { name: 'not YAML at all', text: 'organization: [eu-central-1\n  accounts: }{\n', line: 1, path: '(document)', expected: /expected valid YAML/, found: /found .+/ },
  { name: 'a YAML scalar, not a document', text: 'Just some prose, not a config.\n', line: 1, path: '(document)', expected: /expected a mapping/, found: /found string "Just some prose/ },
];

describe('bad config: the report names file, path, line, expected and found', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bad-config-'));

  test.each(CASES)('$name', (c) => {
    const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, c.text);
    const line = typeof c.line === 'number' ? c.line : lineOf(c.text, c.line);

    const report = reportOf(file).split('\n').find((l) => l.includes(`  ${c.path}  `));

    expect(report).toBeDefined();
    expect(report).toContain(`${file}:${line}:`);
    expect(report).toMatch(c.expected);
    expect(report).toMatch(c.found);
  });
});

describe('bad config: the app exits non-zero, prints the report and writes no assembly', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bad-config-app-'));

  test('a config the schema rejects: exit 1, the report on stderr, no assembly and no summary', () => {
    const file = path.join(dir, 'unknown-key.yaml');
    writeFileSync(file, unknownKey);
    const run = runApp({ context: { config: file } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(reportOf(file));
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
    expect(run.stdout).not.toContain('Synthesized estate');
  });

  test('a config the cross-reference checks reject (an account name that does not exist): the same', () => {
    const file = path.join(dir, 'unknown-account.yaml');
    writeFileSync(file, unknownAccount);
    const run = runApp({ context: { config: file } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(reportOf(file));
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
  });

  test('a missing file is reported the same way', () => {
    const run = runApp({ context: { config: path.join(dir, 'nope.yaml') } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/nope\.yaml  \(document\)  expected a readable YAML file; found ENOENT/);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
  });

  test('the GOVERNANCE_CONFIG environment variable selects the file when no context is given', () => {
    const file = path.join(dir, 'env-selected.yaml');
    writeFileSync(file, badAccountId);
    const run = runApp({ env: { GOVERNANCE_CONFIG: file } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}:${lineOf(badAccountId, '"40276195831"')}:`);
  });
});

describe('bad config: the root cause, said once and plainly', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bad-config-root-cause-'));
  const sonnet = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
  const sonet = 'anthropic.claude-sonet-4-5-20250929-v1:0';

  /** The app's report on `text`; returns the file, the issue lines of the report, and the report as `run.stderr`. */
  function reject(name: string, text: string) {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    const stderr = reportOf(file);
    return { file, run: { stderr }, issues: stderr.split('\n').filter((l) => l.startsWith(`  ${file}`)) };
  }

  test('an unquoted account id with a leading zero: YAML read it as a number and dropped the zero; quote it', () => {
    const text = replaceOnce(ex, 'id: "853069217446"', 'id: 053069217446');
    const { file, run, issues } = reject('unquoted-account-id', text);
    expect(run.stderr).toContain(`Invalid governance config ${file}: 1 issue\n`);
    expect(issues).toEqual([
      `  ${file}:${lineOf(text, 'id: 053069217446')}:35  accounts[5].id  expected a 12-digit AWS account id as a quoted string; `
      + 'found number 53069217446: YAML read the unquoted 053069217446 as a number and dropped the leading zero (quote it: id: "053069217446")',
    ]);
  });

  test('an unquoted account id without a leading zero is still told to be quoted', () => {
    const text = replaceOnce(ex, 'id: "402761958314"', 'id: 402761958314');
    const { issues } = reject('unquoted-account-id-no-zero', text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/ {2}accounts\[1\]\.id {2}expected a 12-digit AWS account id as a quoted string; found number 402761958314: YAML read the unquoted 402761958314 as a number \(quote it: id: "402761958314"\)$/);
  });

  test('a misspelt approved model referenced correctly elsewhere: one issue, at the definition, suggesting the right id', () => {
    const text = replaceOnce(ex, `- modelId: ${sonnet}`, `- modelId: ${sonet}`);
    const { file, run, issues } = reject('misspelt-model-definition', text);
    expect(run.stderr).toContain(`Invalid governance config ${file}: 1 issue\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(`${file}:${lineOf(text, `- modelId: ${sonet}`)}:16  bedrock.approvedModels[0].modelId  expected one of the models in policies/catalog/models.ts: `);
    expect(issues[0]).toMatch(new RegExp(`; found "${sonet}" \\(did you mean "${sonnet}"\\?\\)$`));
    expect(run.stderr).not.toContain('observability.modelPrices');
  });

  test('a correct approved model referenced with a misspelling: one issue, at the reference, suggesting the approved id', () => {
    const text = replaceOnce(ex, `{ modelId: ${sonnet}`, `{ modelId: ${sonet}`);
    const { file, issues } = reject('misspelt-model-reference', text);
    expect(issues).toEqual([
      `  ${file}:${lineOf(text, `{ modelId: ${sonet}`)}:18  observability.modelPrices[0].modelId  expected one of the approved models in bedrock.approvedModels: `
      + `${sonnet}, anthropic.claude-haiku-4-5-20251001-v1:0, amazon.nova-lite-v1:0, amazon.titan-embed-text-v2:0, cohere.rerank-v3-5:0; `
      + `found "${sonet}" (did you mean "${sonnet}"?)`,
    ]);
  });

  test('a reference never suggests, or lists as approved, a model id that is itself invalid', () => {
    const sonnett = 'anthropic.claude-sonnett-4-5-20250929-v1:0';
    const text = replaceOnce(replaceOnce(ex, `- modelId: ${sonnet}`, `- modelId: ${sonet}`), `{ modelId: ${sonnet}`, `{ modelId: ${sonnett}`);
    const { file, issues } = reject('misspelt-model-both', text);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toContain('  bedrock.approvedModels[0].modelId  ');
    expect(issues[1]).toBe(
      `  ${file}:${lineOf(text, `{ modelId: ${sonnett}`)}:18  observability.modelPrices[0].modelId  expected one of the approved models in bedrock.approvedModels: `
      + 'anthropic.claude-haiku-4-5-20251001-v1:0, amazon.nova-lite-v1:0, amazon.titan-embed-text-v2:0, cohere.rerank-v3-5:0; '
      + `found "${sonnett}" (did you mean "${sonnet}"? bedrock.approvedModels[0].modelId misspells it)`,
    );
  });
});
