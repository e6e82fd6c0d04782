import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { APP_CONTEXT } from './app-context';
import { buildEstate } from './estate';
import { buildPipelineApp } from './pipeline/build-pipeline';
import { renderSummary } from './summary';
import { SUMMARY_FILE } from './summary-file';
import { registerGates } from '../building-blocks/gates/register-gates';
import { gateFindings } from '../building-blocks/gates/validation-outcome';
import { ConfigError } from '../config/config-error';
import { CONFIG_CONTEXT_KEY, describeSelection, loadConfigFile, selectConfigFile, type ConfigSelection } from '../config/load';
import type { GovernanceConfig } from '../config/schema';
import { PolicyBudgetError } from '../policies/compiler/compile';

/**
 * The app entry (`cdk.json`): load and validate the config, register the gates, compose the estate, synthesize, and
 * write the summary into the assembly (`SUMMARY_FILE`; `npx projen synth` prints it last). Which config: `selectConfigFile` (`-c config=<path>`, else `$GOVERNANCE_CONFIG`, else the example
 * organization). An invalid config, a config path that does not exist, or policies that do not fit their budget exit 1
 * before synthesis, so no assembly is written.
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
  registerGates(app);
  let stageIds: string[] = [];
  try {
    // With a pipeline section the estate lives inside the pipeline's Stages, built once (docs/adr/0014-estate-in-pipeline-stages.md).
    const pipelineConfig = config.pipeline;
    if (pipelineConfig) {
      // The pipeline synthesizes the config from its source: the file must be part of the project.
      const configFile = path.relative(process.cwd(), selection.file);
      if (configFile.startsWith('..') || path.isAbsolute(configFile)) {
        console.error(`${selection.file}: a config with a pipeline section must be inside the project (${process.cwd()}), where the pipeline's source has it`);
        process.exit(1);
      }
      stageIds = buildPipelineApp(app, { ...config, pipeline: pipelineConfig }, configFile).stages.map((s) => s.stage.stageName);
    } else {
      buildEstate(app, config);
    }
  } catch (e) {
    if (!(e instanceof PolicyBudgetError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  const assembly = app.synth();
  const findings = gateFindings(assembly);
  if (findings.length > 0) {
    console.error(['Synth failed: the gates report findings', ...findings.map((f) => `  ${f}`)].join('\n'));
    process.exitCode = 1;
    return;
  }
  // Printed by `npx projen synth` after the CDK CLI's own lines (stacks/print-summary.ts), so it is what the user reads last.
  writeFileSync(path.join(assembly.directory, SUMMARY_FILE), `${renderSummary(assembly, config, `${selection.file} (${describeSelection(selection)})`, stageIds)}\n`);
}

main();
