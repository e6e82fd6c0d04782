import { App } from 'aws-cdk-lib';
import { APP_CONTEXT } from './app-context';
import { buildEstate } from './estate';
import { renderSummary } from './summary';
import { ConfigError } from '../config/config-error';
import { CONFIG_CONTEXT_KEY, loadConfigFile, resolveConfigFile } from '../config/load';
import type { GovernanceConfig } from '../config/schema';
import { registerGates } from './gates/register-gates';
import { gatesPassed } from './gates/validation-outcome';
import { PolicyBudgetError } from '../policies/compiler/compile';

/**
 * The app entry (`cdk.json`): load and validate the config, register the gates, compose the estate, synthesize, and
 * print the summary. An invalid config, or policies that do not fit their budget, exit 1 before synthesis, so no
 * assembly is written.
 */
function main(): void {
  const app = new App({ context: { ...APP_CONTEXT } });
  let config: GovernanceConfig;
  try {
    config = loadConfigFile(resolveConfigFile(app.node.tryGetContext(CONFIG_CONTEXT_KEY)));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  registerGates(app);
  try {
    buildEstate(app, config);
  } catch (e) {
    if (!(e instanceof PolicyBudgetError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  const assembly = app.synth();
  // A gate finding is reported (and fails the synth) by the CDK CLI from the assembly's validation report.
  if (!gatesPassed(assembly)) return;
  console.log(renderSummary(assembly, config));
}

main();
