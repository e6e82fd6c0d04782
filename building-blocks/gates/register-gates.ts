import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { StrictCfnGuard } from './strict-cfn-guard';

/**
 * Registers the synth-time gates on a scope (normally the App): cdk-nag's AwsSolutions, NIST 800-53 rev 5 and HIPAA
 * Security packs, and cfn-guard with the Control Tower rules. Together with the context flag
 * `@aws-cdk/core:strictCfnValidateErrors` (cdk.json), any finding fails synth; the only way past one is an
 * acknowledgement on the one resource it concerns (see `acknowledgeFinding`).
 */
export function registerGates(scope: IConstruct): void {
  Validations.of(scope).addPlugins(
    new AwsSolutionsChecks(scope),
    new NIST80053R5Checks(scope),
    new HIPAASecurityChecks(scope),
    new StrictCfnGuard(),
  );
}
