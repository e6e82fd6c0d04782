import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

interface ValidationReportJson {
  readonly pluginReports?: readonly {
    readonly pluginName: string;
    readonly conclusion: 'success' | 'failure';
    readonly violations: readonly { readonly severity?: string }[];
  }[];
}

/**
 * Whether the gates passed for a synthesized assembly. Under the CDK CLI the app does not fail by itself: aws-cdk-lib
 * writes `validation-report.json` and the CLI fails the synth from it. The app reads the same file so it prints the
 * summary only for an assembly that passed. Any unacknowledged finding fails, warnings included (strict mode).
 */
export function gatesPassed(assembly: CloudAssembly): boolean {
  let report: ValidationReportJson;
  try {
    report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  } catch {
    return true; // no report: no plugin found anything to say
  }
  return (report.pluginReports ?? []).every((r) => r.conclusion === 'success' && r.violations.length === 0);
}
