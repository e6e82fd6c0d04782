import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';

/**
 * cfn-guard with the Control Tower proactive-control rules, made strict.
 *
 * The upstream plugin reports violations without a severity. Once any acknowledgement matches, aws-cdk-lib recomputes
 * a report's success from severities only, so every remaining guard finding would pass silently (observed with
 * @cdklabs/cdk-validator-cfnguard 0.0.62 and aws-cdk-lib 2.276).
 * This wrapper gives each violation severity `error`, so an acknowledgement removes only the finding it names.
 */
export class StrictCfnGuard implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-validator-cfnguard';
  private readonly inner: CfnGuardValidator;

  /** @param props passed to `CfnGuardValidator`; @default Control Tower rules enabled, none disabled */
  constructor(props: CfnGuardValidatorProps = {}) {
    this.inner = new CfnGuardValidator({ controlTowerRulesEnabled: true, ...props });
  }

  public get ruleIds(): string[] | undefined {
    return this.inner.ruleIds;
  }

  public get version(): string | undefined {
    return this.inner.version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.inner.validate(context);
    return {
      ...report,
      success: report.success && report.violations.length === 0,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}
