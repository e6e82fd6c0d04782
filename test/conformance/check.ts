import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * Runs cfn-lint and checkov (from the venv) over every `*.template.json` under cdk.out, StackSet member templates in
 * subfolders included, applies the skips of skips.yaml and exits 1 on any remaining finding or any stale skip.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'cdk.out');
const BIN = path.join(ROOT, '.venv', 'bin');

interface Finding { tool: 'cfn-lint' | 'checkov'; check: string; template: string; resource: string; message: string }
interface Skip { tool: string; check: string; template: string; resource: string; reason: string }

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return templates(file);
    return name.endsWith('.template.json') ? [file] : [];
  });
}

function run(command: string, args: string[]): string {
  const result = spawnSync(path.join(BIN, command), args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' }, // checkov: no download of guideline mappings (offline)
  });
  if (result.error) throw result.error;
  if (!result.stdout.trim()) throw new Error(`${command} printed no report (exit ${result.status}): ${result.stderr}`);
  return result.stdout;
}

function cfnLint(files: string[]): Finding[] {
  const report = JSON.parse(run('cfn-lint', ['--format', 'json', '--', ...files])) as {
    Rule: { Id: string }; Level: string; Message: string; Filename: string; Location: { Path?: (string | number)[] };
  }[];
  return report.map((m) => ({
    tool: 'cfn-lint',
    check: m.Rule.Id,
    template: path.relative(OUT, m.Filename),
    resource: String(m.Location.Path?.[0] === 'Resources' ? m.Location.Path[1] : m.Location.Path?.join('/') ?? ''),
    message: `${m.Level}: ${m.Message}`,
  }));
}

/** checkov reports `-f` files by absolute path or relative to the working directory with a leading "/". */
function reportedFile(reported: string, files: string[]): string {
  return files.find((f) => f === reported || f === path.join(ROOT, reported) || f.endsWith(reported)) ?? reported;
}

function checkov(files: string[]): Finding[] {
  const parsed = JSON.parse(run('checkov', ['--framework', 'cloudformation', '--output', 'json', '--quiet', '--compact', '--skip-download', ...files.flatMap((f) => ['-f', f])]));
  type FailedCheck = { check_id: string; file_path: string; resource: string; check_name: string };
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as { results?: { failed_checks?: FailedCheck[] } }[];
  return reports.flatMap((r) => r.results?.failed_checks ?? []).map((c) => ({
    tool: 'checkov',
    check: c.check_id,
    template: path.relative(OUT, reportedFile(c.file_path, files)),
    resource: c.resource.split('.').slice(1).join('.'),
    message: c.check_name,
  }));
}

function main(): void {
  const files = templates(OUT);
  if (files.length === 0) throw new Error(`no templates under ${OUT}: synthesize first`);
  const skips = (parse(readFileSync(path.join(__dirname, 'skips.yaml'), 'utf8')) ?? []) as Skip[];
  const findings = [...cfnLint(files), ...checkov(files)];
  const matches = (s: Skip, f: Finding) => s.tool === f.tool && s.check === f.check && s.template === f.template && s.resource === f.resource;

  const failures = findings.filter((f) => !skips.some((s) => matches(s, f)));
  const stale = skips.filter((s) => !findings.some((f) => matches(s, f)));
  const weak = skips.filter((s) => !s.reason || s.reason.trim().length < 20);

  console.log(`conformance: ${files.length} templates (${files.map((f) => path.relative(OUT, f)).join(', ')})`);
  for (const f of findings) {
    const skipped = skips.find((s) => matches(s, f));
    console.log(`  ${skipped ? 'skipped' : 'FAIL   '} ${f.tool} ${f.check} ${f.template} ${f.resource}: ${f.message}${skipped ? ` (${skipped.reason})` : ''}`);
  }
  for (const s of stale) console.log(`  STALE   skip ${s.tool} ${s.check} ${s.template} ${s.resource} matches no finding: remove it`);
  for (const s of weak) console.log(`  WEAK    skip ${s.tool} ${s.check} ${s.resource} needs a reason of at least 20 characters`);
  const bad = failures.length + stale.length + weak.length;
  console.log(`conformance: ${findings.length - failures.length} skipped with reasons, ${failures.length} failing, ${stale.length} stale skips`);
  process.exit(bad === 0 ? 0 : 1);
}

main();
