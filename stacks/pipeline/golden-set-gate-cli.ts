import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { goldenSetVerdict } from './golden-set-gate';
import { loadConfigFile, resolveConfigFile } from '../../config/load';
import { tenantReleaseOf } from '../../config/schema';

/*
 * `npx ts-node --transpile-only -P tsconfig.json stacks/pipeline/golden-set-gate-cli.ts --report FILE [--config FILE]`:
 * the golden-set gate of the pipeline's tenant stage (golden-set-gate.ts) on a bench:quality report, with the config's
 * `pipeline.tenantRelease.goldenSet` thresholds. Exit 0 when it passes, 1 when a figure is below its threshold or the
 * run was not against Bedrock, 2 on bad arguments, a config or a report that cannot be read.
 */

const USAGE = `usage: golden-set-gate-cli.ts --report FILE [--config FILE]

  --report FILE   bench-out/quality-bedrock.json of npx projen bench:quality against the deployed knowledge base
  --config FILE   the governance config (default: GOVERNANCE_CONFIG, else the example)`;

export function main(argv: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  let values;
  try {
    values = parseArgs({ args: [...argv], options: { report: { type: 'string' }, config: { type: 'string' } }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.report) {
    err(`--report is required\n${USAGE}`);
    return 2;
  }
  try {
    const thresholds = tenantReleaseOf(loadConfigFile(resolveConfigFile(values.config, env))).goldenSet;
    const verdict = goldenSetVerdict(JSON.parse(readFileSync(values.report, 'utf8')), thresholds);
    for (const line of verdict.lines) out(line);
    out(verdict.passed ? 'golden set: passed' : 'golden set: FAILED, the tenant is not released');
    return verdict.passed ? 0 : 1;
  } catch (e) {
    err(`golden-set gate: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2).filter((a) => a !== '--'), process.env);
