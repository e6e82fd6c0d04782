import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { SynthesizedStack } from './example-estate';
import { registerGates } from '../../building-blocks/gates/register-gates';
import { APP_CONTEXT } from '../../stacks/app-context';

export interface SynthesizedVariant<T> {
  /** What `build` returned: the stacks, as constructs. */
  readonly built: T;
  /** The app's assembly; synthesizing it ran every gate (in jest a finding throws `ValidationFailed`). */
  readonly assembly: CloudAssembly;
  /** A stack of the app (a member template's too), as synthesized. */
  synthesized(stack: IConstruct): SynthesizedStack;
}

/**
 * Builds only the stacks a config variant's test needs (with the recipes of `STACK_RECIPES`, or `buildEstate` where the
 * test is about the composition) in an app with every gate on, and synthesizes it once. The example organization's
 * estate is synthesized once per test run: `exampleEstate()`.
 */
export function synthVariant<T>(build: (app: App) => T): SynthesizedVariant<T> {
  const app = new App({ context: { ...APP_CONTEXT } });
  registerGates(app);
  const built = build(app);
  const assembly = app.synth();
  const assemblies = [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)];
  return {
    built,
    assembly,
    synthesized: (stack) => {
      const artifact = assemblies.flatMap((a) => a.stacks).find((s) => s.hierarchicalId === stack.node.path);
      if (!artifact) throw new Error(`${stack.node.path} is not a stack of this app`);
      return new SynthesizedStack(artifact);
    },
  };
}

/** The template of one stack built alone for a config variant, with the gates on (see {@link synthVariant}). */
export function synthOne(build: (app: App) => IConstruct): Template {
  const { built, synthesized } = synthVariant(build);
  return synthesized(built).template;
}
