/**
 * `npx projen docs:deploying`: rewrites the generated sections of docs/deploying.md (which stacks go where, the
 * profiles, the bootstrap commands, the deploy waves) from the estate table and the example organization's config
 * (test/docs/deploy-guide.test.ts fails when the checked-in page differs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEPLOY_GUIDE_FILE, deployGuideSections, withGeneratedSections } from './deploy-guide';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load';
import type { GovernanceConfig } from '../config/schema';

const ROOT = path.join(__dirname, '..');

/** The config file the page's commands are written for, as the operator types it (relative to the project root). */
export const GUIDE_CONFIG_FILE = path.relative(ROOT, DEFAULT_CONFIG_FILE).split(path.sep).join('/');

/** The deploy guide with its generated sections for a config. */
export function deployGuide(page: string, config: GovernanceConfig): string {
  return withGeneratedSections(page, deployGuideSections(config, GUIDE_CONFIG_FILE));
}

function main(): void {
  const file = path.join(ROOT, DEPLOY_GUIDE_FILE);
  const before = readFileSync(file, 'utf8');
  const after = deployGuide(before, loadConfigFile(DEFAULT_CONFIG_FILE));
  writeFileSync(file, after);
  console.log(`${DEPLOY_GUIDE_FILE}: ${after === before ? 'unchanged' : 'rewritten'}`);
}

if (require.main === module) main();
