import { resolve } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { parseArgs, single, UsageError, writeFileAtomically } from './cli-args';
import { takeSnapshot } from './snapshot-reader';

const USAGE = `Usage: npx projen policy:snapshot -- --out FILE

Writes the organization's deployed Organizations policies (SCP, RCP, BEDROCK_POLICY where the endpoint offers it),
their targets and the organization's tree (roots, OUs, accounts) to one JSON file (schema: docs/policy-preview.md).
Reads with the management account's (or a delegated administrator's) credentials through the AWS SDK's standard
settings: AWS_PROFILE / AWS_REGION / AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_ORGANIZATIONS). Exit 0 when written,
1 on a bad command line or any read error (nothing is written then).

  --out FILE   the snapshot file to write
  --help       this text`;

async function main(argv: readonly string[]): Promise<number> {
  let out: string | undefined;
  try {
    const args = parseArgs(argv, ['--out']);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    out = single(args, '--out');
    if (!out) throw new UsageError('--out FILE is required');
  } catch (e) {
    console.error(`policy:snapshot: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const endpoint = process.env.AWS_ENDPOINT_URL_ORGANIZATIONS || process.env.AWS_ENDPOINT_URL || undefined;
  // Organizations is a global service served from us-east-1; the SDK resolves its endpoint from any Region.
  const client = new OrganizationsClient({ region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1' });
  try {
    const snapshot = await takeSnapshot(client, { endpoint });
    writeFileAtomically(resolve(out), `${JSON.stringify(snapshot, null, 2)}\n`);
    const unsupported = Object.entries(snapshot.policyTypes).filter(([, s]) => s.status === 'unsupported').map(([t]) => t);
    console.log(`policy:snapshot: ${snapshot.policies.length} policies, ${snapshot.organization.organizationalUnits.length} OUs, `
      + `${snapshot.organization.accounts.length} accounts written to ${out}`
      + (unsupported.length > 0 ? `; not offered by the endpoint: ${unsupported.join(', ')}` : ''));
    return 0;
  } catch (e) {
    console.error(`policy:snapshot: ${(e as Error).name}: ${(e as Error).message}; nothing written`);
    return 1;
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`policy:snapshot: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
