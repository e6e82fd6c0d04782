import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { buildEstate } from './estate';
import { buildPipelineApp } from './pipeline/build-pipeline';
import { renderSummary } from './summary';
import { SUMMARY_FILE } from './summary-file';
import { registerGates } from '../building-blocks/gates/register-gates';
import { gateFindings } from '../building-blocks/gates/validation-outcome';
import { describeSelection, type ConfigSelection } from '../config/load';
import type { GovernanceConfig } from '../config/schema';
import { PolicyBudgetError } from '../policies/compiler/compile';

/**
 * The app entry's second half (`stacks/app.ts` loads it once the config is valid): register the gates, compose the
 * estate (or the pipeline with the estate in its Stages), synthesize, and write the summary into the assembly
 * (`SUMMARY_FILE`; `npx projen synth` prints it last). Policies that do not fit their budget exit 1 before synthesis, so
 * no assembly is written; a gate finding sets exit code 1.
 */
export function synthesizeApp(app: App, config: GovernanceConfig, selection: ConfigSelection): void {
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
