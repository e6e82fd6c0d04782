import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readAssembly } from './assembly';
import { expectedFacts } from './expected-facts';
import type { VerifyReport } from './finding';
import { renderMarkdown } from './render-markdown';
import { verify } from './verify';
import type { GovernanceConfig } from '../../config/schema';
import { organizationControls } from '../../policies/organization-controls';

/** One run of `npx projen verify`: the assembly's facts read against the estate, the report rendered. */

export type ReportFormat = 'json' | 'md';

export interface RunVerifyOptions {
  readonly assemblyDirectory: string;
  readonly config: GovernanceConfig;
  readonly endpoint?: string;
  readonly concurrency?: number;
}

export async function runVerify(options: RunVerifyOptions): Promise<VerifyReport> {
  const assembly = readAssembly(options.assemblyDirectory);
  const facts = expectedFacts(assembly, options.config);
  if (facts.length === 0) throw new Error(`${options.assemblyDirectory} holds nothing the verifier reads (no governance stacks)`);
  return verify(facts, {
    assembly: options.assemblyDirectory,
    homeRegion: options.config.organization.homeRegion,
    controlIds: organizationControls(options.config).map((c) => c.controlId),
    endpoint: options.endpoint,
    concurrency: options.concurrency,
  });
}

export function renderReport(report: VerifyReport, format: ReportFormat): string {
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
}

/** Writes `verify-report.<json|md>` into `directory` (created when missing) and returns its path. */
export function writeReport(report: VerifyReport, format: ReportFormat, directory: string): string {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `verify-report.${format}`);
  writeFileSync(file, renderReport(report, format));
  return file;
}
