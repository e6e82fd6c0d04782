import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from './run-app';

/** Debian's chromium, which the browser tests drive with playwright-core, and the project's script that installs it. */
const CHROMIUM = '/usr/bin/chromium';
const INSTALLER = 'build-tools/install-chromium.sh';

/** The browser, installed by the project's script when missing; fails (never skips) when it cannot be. */
export function chromiumPath(): string {
  if (!existsSync(CHROMIUM)) {
    const install = spawnSync('bash', [INSTALLER], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (!existsSync(CHROMIUM)) {
      throw new Error(`chromium is not installed at ${CHROMIUM} and ${INSTALLER} could not install it (exit ${install.status}):\n`
        + `${install.stderr}\nInstall it with: apt-get install -y chromium (CI runs ${INSTALLER})`);
    }
  }
  return CHROMIUM;
}

/**
 * axe-core's serious and critical violations on the page, one line each (impact, rule, help, up to three targets). The
 * page must have been opened with `bypassCSP`: axe is injected through the DevTools protocol, which the page's Content
 * Security Policy would otherwise refuse.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
  const violations = await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)') as Violation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}
