import { App } from 'aws-cdk-lib';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { cachedAssemblyDirectory } from './assembly-cache';
import { registerGates } from '../../building-blocks/gates/register-gates';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildPipelineApp, PIPELINE_STACK_ID } from '../../stacks/pipeline/build-pipeline';
import { CONNECTION_ARN, pipelineConfig } from '../stacks/pipeline/pipeline-config';

/**
 * The pipeline variant of the example organization (pipeline in the network account, a CodeConnections source, the
 * config file `config/org.yaml`), synthesized with every gate on once per set of inputs and shared by every suite that
 * asserts on the pipeline (test/support/assembly-cache.ts). A gate finding throws in the suite that synthesizes.
 */
export const EXAMPLE_PIPELINE_CONFIG = pipelineConfig({ connection: { connectionArn: CONNECTION_ARN, repository: 'example-org/genai-governance', branch: 'main' } });
export const EXAMPLE_PIPELINE_CONFIG_FILE = 'config/org.yaml';

function synthesizeExamplePipeline(outdir: string): void {
  const app = new App({ context: { ...APP_CONTEXT }, outdir });
  registerGates(app);
  buildPipelineApp(app, EXAMPLE_PIPELINE_CONFIG, EXAMPLE_PIPELINE_CONFIG_FILE);
  app.synth();
}

let cached: CloudAssembly | undefined;

/** The example pipeline's assembly: the pipeline stack, its cross-Region support stacks, the bootstrap StackSet and the wave Stages. */
export function examplePipelineAssembly(): CloudAssembly {
  cached ??= new CloudAssembly(cachedAssemblyDirectory('example-pipeline', synthesizeExamplePipeline));
  return cached;
}

/** The pipeline stack's artifact. */
export function examplePipelineStack(): CloudFormationStackArtifact {
  return examplePipelineAssembly().getStackArtifact(PIPELINE_STACK_ID);
}

/** The stacks of every wave Stage of the pipeline (`Wave0`, `Wave1`, …), in stage order. */
export function examplePipelineWaves(): Map<string, CloudFormationStackArtifact[]> {
  return new Map(examplePipelineAssembly().nestedAssemblies
    .filter((n) => /^assembly-Wave\d+$/.test(n.id))
    .sort((a, b) => Number(a.id.replace('assembly-Wave', '')) - Number(b.id.replace('assembly-Wave', '')))
    .map((n) => [n.id.replace('assembly-', ''), n.nestedAssembly.stacks]));
}
