import type { GovernanceConfig } from '../../../config/schema';
import { exampleConfig } from '../../support/example-config';

/** A CodeConnections connection of the example's network account, the deployment account of these tests. */
export const CONNECTION_ARN = 'arn:aws:codeconnections:eu-central-1:639415720488:connection/0b9d7a52-3c1e-4f6a-9d2b-7e8f1a2b3c4d';

/** The pipeline section as YAML, appended to the example organization's text. */
export const PIPELINE_YAML = `
pipeline:
  account: network
  source:
    connection:
      connectionArn: ${CONNECTION_ARN}
      repository: example-org/genai-governance
      branch: main
`;

/** The example organization with a pipeline in its network account, sourced from `source`. */
export function pipelineConfig(source: NonNullable<GovernanceConfig['pipeline']>['source']): GovernanceConfig & { pipeline: NonNullable<GovernanceConfig['pipeline']> } {
  return { ...exampleConfig(), pipeline: { account: 'network', name: 'genai-governance', source, bootstrapQualifier: 'genaigov' } };
}
