import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readAssembly } from './assembly';
import { factsDocument } from './facts-of-assembly';
import { loadConfigFile, resolveConfigFile } from '../../config/load';

/*
 * `npx ts-node --transpile-only -P tsconfig.json operations/verify/verify-facts-cli.ts -- --out FILE`: the expected facts
 * of the assembly as one JSON document (schema `genai-governance/verify-facts/v1`), for the daily verification, which
 * has no assembly. Published to the trail archive's `verification/expected-facts.json` after every deploy
 * (docs/verification.md). Exits 0 when written, 2 on bad arguments or an assembly or config that cannot be read
 * (nothing is written then).
 */

const USAGE = `usage: verify-facts-cli.ts --out FILE [--assembly DIR] [--config FILE]

  --out FILE       where to write the facts document
  --assembly DIR   the synthesized assembly (default: cdk.out)
  --config FILE    the governance config that synthesized it (default: GOVERNANCE_CONFIG, else the example)`;

export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { assembly: { type: 'string', default: 'cdk.out' }, config: { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!values.out) {
    process.stderr.write(`--out is required\n${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    const config = loadConfigFile(resolveConfigFile(values.config, env));
    const document = factsDocument(readAssembly(values.assembly!), config, values.assembly!);
    text = `${JSON.stringify(document)}\n`;
    process.stdout.write(`verify-facts: ${document.facts.length} facts of ${new Set(document.facts.map((f) => f.account)).size} accounts: ${values.out}\n`);
  } catch (e) {
    process.stderr.write(`verify-facts: ${(e as Error).message}\n`);
    return 2;
  }
  writeFileSync(values.out, text);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2).filter((a) => a !== '--'), process.env);
