import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readAssembly } from './assembly';
import { expectedFacts } from './expected-facts';
import type { VerifyReport } from './finding';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import { assemblyDigest, fileDigest, type VerifyRunReport } from './run-record';
import { verify } from './verify';
import type { GovernanceConfig } from '../../config/schema';
import { organizationControls } from '../../policies/organization-controls';

/** One run of `npx projen verify`: the assembly's facts read against the estate, the report rendered. */

export type ReportFormat = 'json' | 'md' | 'html';

export interface RunVerifyOptions {
  readonly assemblyDirectory: string;
  readonly config: GovernanceConfig;
  readonly endpoint?: string;
  readonly concurrency?: number;
  /** The file `config` was loaded from, recorded in the report's `run` with its digest. */
  readonly configFile?: string;
}

export async function runVerify(options: RunVerifyOptions): Promise<VerifyRunReport> {
  const started = Date.now();
  const assembly = readAssembly(options.assemblyDirectory);
  const facts = expectedFacts(assembly, options.config);
  if (facts.length === 0) throw new Error(`${options.assemblyDirectory} holds nothing the verifier reads (no governance stacks)`);
  const assemblySha256 = assemblyDigest(options.assemblyDirectory);
  const report = await verify(facts, {
    assembly: options.assemblyDirectory,
    homeRegion: options.config.organization.homeRegion,
    controlIds: organizationControls(options.config).map((c) => c.controlId),
    endpoint: options.endpoint,
    concurrency: options.concurrency,
  });
  const configFile = options.configFile;
  return {
    ...report,
    run: {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      config: configFile === undefined ? '(given in memory)' : path.relative(process.cwd(), configFile) || configFile,
      configSha256: configFile === undefined ? '' : fileDigest(configFile),
      assemblySha256,
      concurrency: options.concurrency ?? 4,
      accountNames: Object.fromEntries(options.config.accounts.map((a) => [a.id, a.name])),
    },
  };
}

export function renderReport(report: VerifyReport | VerifyRunReport, format: ReportFormat): string {
  if (format === 'html') return renderHtml(report);
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
}

/** Writes `verify-report.<json|md|html>` into `directory` (created when missing) and returns its path. */
export function writeReport(report: VerifyReport | VerifyRunReport, format: ReportFormat, directory: string): string {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `verify-report.${format}`);
  writeFileSync(file, renderReport(report, format));
  return file;
}
