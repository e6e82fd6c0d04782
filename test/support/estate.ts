import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { exampleConfig } from './example-config';
import { registerGates } from '../../building-blocks/gates/register-gates';
import type { GovernanceConfig } from '../../config/schema';
import { APP_CONTEXT } from '../../stacks/app-context';
import { buildEstate, type Estate } from '../../stacks/estate';

export interface SynthesizedEstate {
  readonly app: App;
  readonly estate: Estate;
  /** The assembly; synthesizing it ran every gate (in jest a finding throws `ValidationFailed`). */
  readonly assembly: CloudAssembly;
}

/** Builds and synthesizes the estate for a config (the example organization by default) with the gates on. */
export function synthEstate(config: GovernanceConfig = exampleConfig()): SynthesizedEstate {
  const app = new App({ context: { ...APP_CONTEXT } });
  registerGates(app);
  const estate = buildEstate(app, config);
  return { app, estate, assembly: app.synth() };
}
