/**
 * `npx projen docs:acknowledgements`: builds and synthesizes the example organization's estate and writes the register
 * of acknowledged gate findings to `docs/acknowledgements.md` (test/docs/acknowledgement-register.test.ts fails when
 * the checked-in file differs from it).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { APP_CONTEXT } from './app-context';
import { buildEstate } from './estate';
import { ACKNOWLEDGEMENT_REGISTER_FILE, acknowledgementRegisterOf } from '../building-blocks/gates/acknowledgement-register';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load';
import type { GovernanceConfig } from '../config/schema';

/** The register of a config's estate: built and synthesized (acknowledgements are recorded while the stacks are built). */
export function estateAcknowledgementRegister(config: GovernanceConfig): string {
  const app = new App({ context: { ...APP_CONTEXT } });
  buildEstate(app, config);
  return acknowledgementRegisterOf(app.synth());
}

function main(): void {
  const file = path.join(__dirname, '..', ACKNOWLEDGEMENT_REGISTER_FILE);
  const register = estateAcknowledgementRegister(loadConfigFile(DEFAULT_CONFIG_FILE));
  writeFileSync(file, register);
  const rows = register.split('\n').filter((l) => l.startsWith('| `')).length;
  console.log(`${path.relative(process.cwd(), file)}: ${rows} acknowledgements`);
}

if (require.main === module) main();
