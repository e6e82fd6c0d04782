import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SUMMARY_FILE, assemblyDirectoryOf } from './summary-file';

/**
 * The last step of `npx projen synth`: prints the summary the app wrote into the assembly, after the CDK CLI's own
 * lines, so the summary is what the command ends with. It receives the task's arguments to find the assembly
 * (`-o`/`--output`, else cdk.json's `output`).
 */
function main(): void {
  const root = path.resolve(__dirname, '..');
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as { output?: string };
  const file = path.join(assemblyDirectoryOf(process.argv.slice(2), path.join(root, cdkJson.output ?? 'cdk.out')), SUMMARY_FILE);
  if (!existsSync(file)) {
    console.error(`No summary at ${file}: the app writes it when a synth succeeds (npx projen synth)`);
    process.exit(1);
  }
  process.stdout.write(readFileSync(file, 'utf8'));
}

main();
