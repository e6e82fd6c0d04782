import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../support/run-app';

/**
 * Lambda handlers are bundled by esbuild at synth (building-blocks/custom-resources/inline-handler.ts and the tenant's
 * chat-function.ts). A handler that reaches aws-cdk-lib through a shared import (a contract that used `Match` from
 * aws-cdk-lib/aws-events did) ships megabytes of synth-time code to Lambda and costs every estate build tens of seconds
 * of bundling. No handler's bundle may contain a synth-time library.
 */
const SYNTH_TIME_PACKAGES = /^node_modules\/(aws-cdk-lib|constructs|cdk-nag|@cdklabs|@aws-cdk)\//;
const SOURCE_FOLDERS = ['building-blocks', 'stacks', 'stacksets', 'workloads'];

/** Every Lambda entry point: a `handlers/` file (not `handlers/lib/`) that exports `handler`. */
function handlerEntries(): string[] {
  const entries: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (path.basename(dir) === 'handlers' && e.name.endsWith('.ts')
        && /^export (const|async function|function) handler\b/m.test(readFileSync(file, 'utf8'))) entries.push(file);
    }
  };
  for (const folder of SOURCE_FOLDERS) walk(path.join(PROJECT_ROOT, folder));
  return entries.map((f) => path.relative(PROJECT_ROOT, f)).sort();
}

const entries = handlerEntries();

test('the handler entries are found (the turn, the relay, the daily verification among them)', () => {
  expect(entries).toEqual(expect.arrayContaining([
    'workloads/support-chat/chat/handlers/turn.ts',
    'workloads/support-chat/chat/handlers/relay.ts',
    'stacks/audit/handlers/daily-verification.ts',
  ]));
});

test.each(entries)('%s bundles without aws-cdk-lib, constructs or a gate library', async (entry) => {
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const synthTime = Object.keys(result.metafile.inputs).filter((input) => SYNTH_TIME_PACKAGES.test(input));
  expect(synthTime).toEqual([]);
});
