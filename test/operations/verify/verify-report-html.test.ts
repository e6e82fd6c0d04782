import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetTableCommand, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_CONFIG_FILE } from '../../../config/load';
import { startMoto, type MotoServer } from '../../../emulators/moto/moto-server';
import { readAssembly, resourcesOf } from '../../../operations/verify/assembly';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import { LOCAL_BASE_CREDENTIALS, seedClients } from '../../../operations/verify/local/seed-clients';
import { seedEstate } from '../../../operations/verify/local/seed-estate';
import { renderHtml } from '../../../operations/verify/render-html';
import type { VerifyRunReport } from '../../../operations/verify/run-record';
import { runVerify } from '../../../operations/verify/run-verify';
import { chromiumPath, seriousAxeViolations } from '../../support/browser';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';
import { PROJECT_ROOT } from '../../support/run-app';

/*
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): verify:local's seed of the example
 * estate on moto with one injected drift, a partition-projection value that holds markup, is reported, and its page
 * shows that drift as text, counts what the report counts, logs no console error, requests nothing but itself, filters
 * with its script and reads whole without it, and has no serious or critical axe-core violation. With
 * UPDATE_SCREENSHOTS=1 it saves the screenshot the README shows (docs/images/verify-report.png); otherwise the committed
 * file stays as it is. moto enforces nothing: this proves the report, not AWS.
 */

const SCREENSHOT = path.join(PROJECT_ROOT, 'docs', 'images', 'verify-report.png');
const INJECTED = 'eu-central-1</pre><script>window.__injected=1</script><img src="x" onerror="window.__injected=2">';
const config = exampleConfig();
const audit = '527038146692';
let moto: MotoServer | undefined;
let browser: Browser | undefined;
let report: VerifyRunReport;
let factCount: number;
let out: string;
let fileUrl: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };


beforeAll(async () => {
  const executablePath = chromiumPath();
  process.env.AWS_ACCESS_KEY_ID = LOCAL_BASE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_BASE_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  const directory = exampleAssemblyDirectory();
  const assembly = readAssembly(directory);
  factCount = expectedFacts(assembly, config).length;
  const [browserStarted, motoStarted] = await Promise.all([chromium.launch({ executablePath }), startMoto()]);
  browser = browserStarted;
  moto = motoStarted;
  await seedEstate(moto.endpoint, assembly, config);
  // The drift: one projection property of the invocation-log table changed to a value that holds markup.
  const analytics = assembly.stacks.find((s) => s.stackName === 'GovernanceAuditAnalytics')!.template;
  const [, table] = resourcesOf(analytics, 'AWS::Glue::Table').find(([, p]) => (p.TableInput as { Name: string }).Name === 'invocation_logs')!;
  const clients = await seedClients(moto.endpoint, audit, config.organization.homeRegion);
  try {
    const current = (await clients.glue.send(new GetTableCommand({ DatabaseName: String(table.DatabaseName), Name: 'invocation_logs' }))).Table!;
    const input: TableInput = {
      Name: current.Name,
      TableType: current.TableType,
      PartitionKeys: current.PartitionKeys,
      StorageDescriptor: current.StorageDescriptor,
      Parameters: { ...current.Parameters, 'projection.partition_region.values': INJECTED },
    };
    await clients.glue.send(new UpdateTableCommand({ DatabaseName: String(table.DatabaseName), TableInput: input }));
  } finally {
    clients.destroy();
  }
  report = await runVerify({ assemblyDirectory: directory, config, endpoint: moto.endpoint, configFile: DEFAULT_CONFIG_FILE });
  out = mkdtempSync(path.join(tmpdir(), 'verify-report-html-'));
  const file = path.join(out, 'verify-report.html');
  writeFileSync(file, renderHtml(report));
  fileUrl = pathToFileURL(file).href;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await moto?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
  for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_SESSION_TOKEN', saved.token]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** Opens the report in a fresh context, recording every request and every console error and page error. */
async function open(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean } = {}) {
  const context = await browser!.newContext({ viewport: { width: 1400, height: 1300 }, ...options });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(fileUrl, { waitUntil: 'load' });
  return { page, requests, errors, close: () => context.close() };
}

async function visibleRows(page: Page): Promise<number> {
  return page.locator('#findings tbody tr:visible').count();
}

test('the page shows the one injected drift as text, the counts of the report, no console error and no request but itself', async () => {
  expect(report.summary).toEqual({ pass: factCount - 1, drift: 1, unreadable: 0 });
  const { page, requests, errors, close } = await open();
  try {
    const counts = Object.fromEntries(await Promise.all(['pass', 'drift', 'unreadable'].map(async (s) => [s, Number(await page.locator(`[data-count="${s}"]`).textContent())])));
    expect(counts).toEqual(report.summary);
    expect(await page.title()).toBe(`Verification report: ${factCount - 1} pass, 1 drift, 0 unreadable`);
    const problems = page.locator('#problems article');
    expect(await problems.count()).toBe(1);
    const problem = (await problems.first().innerText());
    expect(problem).toContain('LF-1');
    expect(problem).toContain('glue:GetTable');
    expect(problem).toContain('audit (527038146692)');
    // The injected markup is text on the page (JSON-quoted), and none of it ran.
    expect(problem).toContain(JSON.stringify(INJECTED).slice(1, -1));
    expect(await page.evaluate('typeof window.__injected')).toBe('undefined');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#findings tbody tr').count()).toBe(factCount);
    expect(await page.locator('#controls').innerText()).toContain('LF-1');
    expect(await page.locator('#how-verified').innerText()).toContain(`live read of the emulator at ${moto!.endpoint}, not of AWS`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([fileUrl]);

    const screenshot = await page.screenshot();
    expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      writeFileSync(SCREENSHOT, screenshot);
    }
  } finally {
    await close();
  }
});

test('the filter shows only what is checked and matches text; without its script the page shows every finding and no filter', async () => {
  const withScript = await open();
  try {
    const { page } = withScript;
    expect(await page.locator('#filter').isVisible()).toBe(true);
    expect(await visibleRows(page)).toBe(factCount);
    await page.getByLabel('pass', { exact: true }).uncheck();
    expect(await visibleRows(page)).toBe(1);
    await page.getByLabel('pass', { exact: true }).check();
    await page.getByLabel('Show findings containing').fill('lakeformation:GetLFTag');
    const lfTags = report.findings.filter((f) => f.call.startsWith('lakeformation:GetLFTag')).length;
    expect(lfTags).toBeGreaterThan(0);
    expect(await visibleRows(page)).toBe(lfTags);
    expect(await page.locator('#filter-shown').textContent()).toBe(`${lfTags} of ${factCount} findings shown`);
    expect(withScript.errors).toEqual([]);
  } finally {
    await withScript.close();
  }
  const without = await open({ javaScriptEnabled: false });
  try {
    expect(await without.page.locator('#filter').isVisible()).toBe(false);
    expect(await visibleRows(without.page)).toBe(factCount);
    expect(await without.page.locator('#problems article').count()).toBe(1);
  } finally {
    await without.close();
  }
});

test('axe-core finds no serious or critical accessibility violation', async () => {
  // axe is injected through the DevTools protocol, which the page's Content Security Policy would otherwise refuse.
  const { page, close } = await open({ bypassCSP: true });
  try {
    expect(await seriousAxeViolations(page)).toEqual([]);
  } finally {
    await close();
  }
}, 120_000);
