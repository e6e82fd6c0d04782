import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './run-app';

/**
 * The build synthesizes once for the whole run (docs/adr/0002-one-synth-per-test-run.md): its compile step runs the
 * README's main job (`npx projen synth`, build-tools/typecheck-and-synth.sh) into `cdk.out` and stamps the assembly with
 * the hash of the inputs it was built from and of what it wrote. The example estate of the tests and the main-job test
 * read that assembly when the stamp still matches both, so neither synthesizes the example again; any other `cdk.out`
 * (an older tree, another config, a synth by hand) does not match and they synthesize their own.
 */

/** The folders and files whose content decides the synthesized templates. */
const INPUTS = ['catalog', 'config', 'contracts', 'policies', 'building-blocks', 'dashboards', 'stacksets', 'workloads', 'operations', 'stacks',
  'package-lock.json', 'cdk.json', path.join('test', 'support', 'example-estate.ts')];

/** The build's assembly. */
export const BUILD_ASSEMBLY = path.join(PROJECT_ROOT, 'cdk.out');
/** The stamp the build writes into the assembly: `{ inputs, assembly }`. */
const STAMP_FILE = 'build-stamp.json';
/** The main job's output (stdout and stderr as a terminal shows them), written next to the stamp. */
export const MAIN_JOB_LOG = 'main-job.log';

function filesUnder(root: string, entry: string): string[] {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [entry];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => filesUnder(root, path.join(entry, d.name)));
}

function hashFiles(root: string, files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** A hash of every input's path and content. */
export function inputsHash(): string {
  return hashFiles(PROJECT_ROOT, INPUTS.flatMap((entry) => filesUnder(PROJECT_ROOT, entry)));
}

/** A hash of every file the synth wrote into `dir` (the stamp and the log aside). */
function assemblyHash(dir: string): string {
  return hashFiles(dir, filesUnder(dir, '.').filter((f) => f !== STAMP_FILE && f !== MAIN_JOB_LOG));
}

/**
 * `cdk.out` when the build synthesized it from the current inputs with the example config and nothing changed it since;
 * otherwise undefined.
 */
export function freshBuildAssembly(): string | undefined {
  const stampFile = path.join(BUILD_ASSEMBLY, STAMP_FILE);
  if (!existsSync(stampFile)) return undefined;
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { inputs?: string; assembly?: string };
  if (stamp.inputs !== inputsHash() || stamp.assembly !== assemblyHash(BUILD_ASSEMBLY)) return undefined;
  return BUILD_ASSEMBLY;
}

/** `inputs`: prints the inputs' hash (taken before the synth); `stamp <inputs hash>`: stamps `cdk.out` after it. */
if (require.main === module) {
  const [command, inputs] = process.argv.slice(2);
  if (command === 'inputs') {
    console.log(inputsHash());
  } else if (command === 'stamp' && /^[0-9a-f]{16}$/.test(inputs ?? '')) {
    writeFileSync(path.join(BUILD_ASSEMBLY, STAMP_FILE), `${JSON.stringify({ inputs, assembly: assemblyHash(BUILD_ASSEMBLY) })}\n`);
  } else {
    console.error('usage: build-assembly.ts inputs | stamp <16 hex digits>');
    process.exit(2);
  }
}
