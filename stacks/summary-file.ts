import * as path from 'node:path';

/** The file in the cloud assembly the app writes its summary to; `npx projen synth` prints it after the CDK CLI is done. */
export const SUMMARY_FILE = 'governance-summary.txt';

/**
 * The assembly directory a `cdk synth` command line writes to: its `-o`/`--output` option (`-o dir`, `-o=dir`,
 * `--output dir`, `--output=dir`; the last one wins, as in the CLI), else `defaultOutdir` (cdk.json's `output`).
 * Other arguments (`-c config=…`, stack ids) are ignored.
 */
export function assemblyDirectoryOf(args: readonly string[], defaultOutdir: string): string {
  let outdir = defaultOutdir;
  for (let i = 0; i < args.length; i++) {
    const match = /^(?:-o|--output)(?:=(.*))?$/.exec(args[i]);
    if (!match) continue;
    const value = match[1] ?? args[i + 1];
    if (value === undefined || value === '') throw new Error(`${args[i]} needs a directory`);
    outdir = value;
    if (match[1] === undefined) i++;
  }
  return path.resolve(outdir);
}
