import { App } from 'aws-cdk-lib';
import { APP_CONTEXT } from './app-context';
import { ConfigError } from '../config/config-error';
import { CONFIG_CONTEXT_KEY, loadConfigFile, selectConfigFile, type ConfigSelection } from '../config/load';
import type { GovernanceConfig } from '../config/schema';

/**
 * The app entry (`cdk.json`): load and validate the config, then register the gates, compose the estate, synthesize and
 * write the summary (`stacks/synthesize-app.ts`). Which config: `selectConfigFile` (`-c config=<path>`, else
 * `$GOVERNANCE_CONFIG`, else the example organization). An invalid config, a config path that does not exist, or
 * policies that do not fit their budget exit 1 before synthesis, so no assembly is written.
 */
function main(): void {
  const app = new App({ context: { ...APP_CONTEXT } });
  let config: GovernanceConfig;
  let selection: ConfigSelection;
  try {
    selection = selectConfigFile(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
    config = loadConfigFile(selection.file, selection);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // The estate's modules (every construct library, the gates' rule packs) load only once the config is valid: a bad
  // config is reported after about a second of CPU instead of six.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthesizeApp } = require('./synthesize-app') as typeof import('./synthesize-app');
  synthesizeApp(app, config, selection);
}

main();
