import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, single, UsageError, writeFileAtomically } from './cli-args';
import { readCloudTrailFile } from './cloudtrail-files';
import { InputError } from './input-error';
import { buildPreview } from './preview';
import { renderMarkdown } from './render-markdown';
import { parseSnapshot } from './snapshot-schema';
import { ConfigError } from '../../config/config-error';
import { CONFIG_CONTEXT_KEY, loadConfigFile, selectConfigFile } from '../../config/load';
import { PolicyBudgetError } from '../../policies/compiler/compile';

const USAGE = `Usage: npx projen policy:preview -- --deployed FILE [--activity FILE...] [--format md|json] [--out DIR] [-c config=PATH]

Compiles the config's Organizations policies (the compiler the management stack uses; no synth) and compares them with
a snapshot of the deployed ones (npx projen policy:snapshot): the policies and statements that change per target, the
decisions that flip (approved models and profiles, governed and CRI destination Regions, the tamper actions), the
recorded calls (CloudTrail log files) the change would have blocked, and conflicts with policies attached outside this
tool. Exit 0 whether or not anything changes (read "changed" in the JSON); 1 on bad input, nothing written.

  --deployed FILE    the snapshot (docs/policy-preview.md#snapshot-schema)
  --activity FILE    a CloudTrail log file ({"Records":[...]}, plain or .gz); repeat for more
  --format md|json   what to print without --out (default md)
  --out DIR          write both DIR/preview.json and DIR/preview.md instead of printing
  -c config=PATH     the config (else $GOVERNANCE_CONFIG, else the example organization config/governance.yaml)
  --help             this text`;

/** `-c config=PATH` as the app takes it from the CDK context. */
function contextConfig(values: readonly string[] | undefined): string | undefined {
  let config: string | undefined;
  for (const v of values ?? []) {
    const [key, ...rest] = v.split('=');
    if (key !== CONFIG_CONTEXT_KEY || rest.length === 0) throw new UsageError(`-c takes ${CONFIG_CONTEXT_KEY}=PATH, not "${v}"`);
    config = rest.join('=');
  }
  return config;
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    const args = parseArgs(argv, ['--deployed', '--activity', '--format', '--out', '-c']);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    const deployed = single(args, '--deployed');
    if (!deployed) throw new UsageError('--deployed FILE is required');
    const format = single(args, '--format') ?? 'md';
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format is md or json, not "${format}"`);
    options = { deployed, format, out: single(args, '--out'), activity: args.values.get('--activity') ?? [], config: contextConfig(args.values.get('-c')) };
  } catch (e) {
    console.error(`policy:preview: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  try {
    const selection = selectConfigFile(options.config);
    const config = loadConfigFile(selection.file, selection);
    let text: string;
    try {
      text = readFileSync(options.deployed, 'utf8');
    } catch (e) {
      throw new InputError(options.deployed, '$', `cannot be read (${(e as Error).message})`);
    }
    const snapshot = parseSnapshot(text, options.deployed);
    const records = options.activity.flatMap((f) => readCloudTrailFile(f));
    const preview = await buildPreview({
      config, configFile: selection.file, snapshot, snapshotFile: options.deployed, activityFiles: options.activity, records,
    });
    const outputs = { json: `${JSON.stringify(preview, null, 2)}\n`, md: renderMarkdown(preview) };
    if (options.out) {
      const dir = resolve(options.out);
      mkdirSync(dir, { recursive: true });
      // The Markdown first: a reader of preview.json's `changed` then always finds the Markdown beside it.
      writeFileAtomically(join(dir, 'preview.md'), outputs.md);
      const file = join(dir, 'preview.json');
      writeFileAtomically(file, outputs.json);
      console.log(`policy:preview: ${preview.changed ? 'changed' : 'no change'}; ${preview.decisions.flips.length} decision(s) flip`
        + `${preview.activity ? `, ${preview.activity.blockedRecords} recorded call(s) would be blocked` : ''}; written to ${file} and preview.md beside it`);
    } else {
      process.stdout.write(outputs[options.format as 'md' | 'json']);
    }
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof ConfigError || e instanceof PolicyBudgetError) {
      console.error(`policy:preview: ${e.message}\nnothing written`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`policy:preview: ${(e as Error).stack ?? e}\nnothing written`);
  process.exitCode = 1;
});
