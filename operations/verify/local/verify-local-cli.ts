import { parseArgs } from 'node:util';
import { readAssembly } from '../assembly';
import { LOCAL_BASE_CREDENTIALS, SEED_ROLE_NAME } from './seed-clients';
import { seedEstate } from './seed-estate';
import { loadConfigFile, resolveConfigFile } from '../../../config/load';
// verify:local is a development command like chat:local: it composes the moto launcher with the seed (a local/ harness,
// the one place in the layers that may import emulators/).
import { startMoto } from '../../../emulators/moto/moto-server';

/*
 * `npx projen verify:local [-- options]`: the pinned moto server seeded with the estate an assembly deploys (its
 * organization, trail, archive buckets, alarms, contract parameters, Glue tables and LF-tags; docs/verification.md),
 * for `npx projen verify -- --endpoint-url <url>`. Prints one line `VERIFY_ENDPOINT=<url>` on stdout once seeded,
 * how to reach the accounts on stderr, and serves until stopped (Ctrl-C, SIGTERM). Nothing here is AWS: moto does
 * not enforce SCPs, RCPs or IAM.
 */

const USAGE = `usage: npx projen verify:local [-- options]

  --assembly DIR   the synthesized assembly to seed from (default: cdk.out)
  --config FILE    the governance config that synthesized it (default: GOVERNANCE_CONFIG, else the example)
  --help           this text

Prints VERIFY_ENDPOINT=<url> when the emulated estate is seeded, then serves until stopped.`;

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: { assembly: { type: 'string', default: 'cdk.out' }, config: { type: 'string' }, help: { type: 'boolean', default: false } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config;
  let assembly;
  try {
    config = loadConfigFile(resolveConfigFile(values.config));
    assembly = readAssembly(values.assembly!);
  } catch (e) {
    process.stderr.write(`verify:local: ${(e as Error).message}\n`);
    return 2;
  }
  const moto = await startMoto();
  const stop = () => void moto.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const organization = await seedEstate(moto.endpoint, assembly, config);
    const lines = [
      `verify:local: the estate of ${values.assembly} is seeded in moto at ${moto.endpoint}. Verify it with:`,
      `  AWS_ACCESS_KEY_ID=${LOCAL_BASE_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_BASE_CREDENTIALS.secretAccessKey} `
        + `npx projen verify -- --endpoint-url ${moto.endpoint} --format json --out verify-out`,
      'Reach an account to change the emulated estate (moto tells accounts apart by assumed-role credentials):',
      `  aws sts assume-role --endpoint-url ${moto.endpoint} --role-arn arn:aws:iam::<account>:role/${SEED_ROLE_NAME} --role-session-name me`,
      'Accounts (config id; moto\'s own id in its organization where it chose another):',
      ...config.accounts.map((a) => {
        const emulated = organization.accountIds.get(a.name);
        return `  ${a.name.padEnd(24)} ${a.id}${emulated && emulated !== a.id ? ` (organization member ${emulated})` : ''}`;
      }),
      'Stop with Ctrl-C.',
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
    // Last, when everything is ready: a script may start verifying as soon as it reads this line.
    process.stdout.write(`VERIFY_ENDPOINT=${moto.endpoint}\n`);
  } catch (e) {
    await moto.stop();
    throw e;
  }
  return new Promise<number>(() => undefined);
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`verify:local: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
