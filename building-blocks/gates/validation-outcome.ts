import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** `validation-report.json` as aws-cdk-lib writes it: one report per validation plugin. */
export interface ValidationReportJson {
  readonly pluginReports?: readonly {
    readonly pluginName: string;
    readonly conclusion: 'success' | 'failure';
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly violatingConstructs?: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * The findings of the gates for a synthesized assembly, one line each (`plugin rule construct-path: description`);
 * empty when the gates passed. Read from `validation-report.json`, which aws-cdk-lib writes for the whole tree, nested
 * Stages included. The app fails on these itself: the CDK CLI 2.1148 fails a synth on findings in top-level stacks but
 * reports success when they are only in a nested Stage (the member baseline's templates). Warnings count (strict mode).
 */
export function gateFindings(assembly: CloudAssembly): string[] {
  const report = validationReport(assembly);
  if (!report) return []; // no report: no plugin found anything to say
  return (report.pluginReports ?? []).flatMap((p) => p.violations.flatMap((v) => (v.violatingConstructs ?? [{ constructPath: '?' }])
    .map((c) => `${p.pluginName} ${v.ruleName} ${c.constructPath}: ${v.description}`)));
}

/** The assembly's `validation-report.json`; undefined when there is none (no validation plugin ran). */
export function validationReport(assembly: CloudAssembly): ValidationReportJson | undefined {
  try {
    return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
