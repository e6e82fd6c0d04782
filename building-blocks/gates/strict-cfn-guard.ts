import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { rulesConcerning, templateResourceTypes } from './guard-rule-selection';

/**
 * cfn-guard with the Control Tower proactive-control rules, made strict.
 *
 * The upstream plugin reports violations without a severity. Once any acknowledgement matches, aws-cdk-lib recomputes
 * a report's success from severities only, so every remaining guard finding would pass silently (observed with
 * @cdklabs/cdk-validator-cfnguard 0.0.62 and aws-cdk-lib 2.276).
 * This wrapper gives each violation severity `error`, so an acknowledgement removes only the finding it names.
 *
 * It also runs only the Control Tower rules that name a resource type the templates contain (`rulesConcerning`): the
 * others skip every resource, and parsing them was most of each synth's cfn-guard time.
 */
export class StrictCfnGuard implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-validator-cfnguard';
  private readonly inner: CfnGuardValidator;

  /** @param props passed to `CfnGuardValidator`; @default Control Tower rules enabled, none disabled */
  constructor(private readonly props: CfnGuardValidatorProps = {}) {
    this.inner = new CfnGuardValidator({ controlTowerRulesEnabled: true, ...props });
  }

  public get ruleIds(): string[] | undefined {
    return this.inner.ruleIds;
  }

  public get version(): string | undefined {
    return this.inner.version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const validator = this.selectedRules(context.templatePaths);
    // No rule names a type these templates have: every rule would skip, and cfn-guard refuses to run without rules.
    if (!validator) return { success: true, violations: [] };
    const report = validator.validate(context);
    return {
      ...report,
      success: report.success && report.violations.length === 0,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }

  /** A validator with the Control Tower rules that concern these templates' resource types, and any rules given. */
  private selectedRules(templatePaths: readonly string[]): CfnGuardValidator | undefined {
    const controlTower = this.props.controlTowerRulesEnabled ?? true
      ? rulesConcerning(templateResourceTypes(templatePaths), this.props.disabledRules)
      : [];
    const rules = [...controlTower, ...this.props.rules ?? []];
    return rules.length === 0 ? undefined : new CfnGuardValidator({ ...this.props, controlTowerRulesEnabled: false, rules });
  }
}
