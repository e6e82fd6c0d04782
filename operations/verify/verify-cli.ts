import { parseArgs } from 'node:util';
import { renderReport, runVerify, writeReport, type ReportFormat } from './run-verify';
import { loadConfigFile, resolveConfigFile } from '../../config/load';

/*
 * `npx projen verify [-- options]`: reads the deployed estate with the SDK, assuming the verifier role in every account,
 * and reports per control and account × Region `pass`, `drift` or `unreadable` (docs/verification.md). Exits 0 when
 * every fact passes, 1 on any drift or unreadable fact, 2 on bad arguments or an unreadable assembly or config.
 */

const USAGE = `usage: npx projen verify [-- options]

  --assembly DIR        the synthesized assembly to verify against (default: cdk.out)
  --config FILE         the governance config that synthesized it (default: GOVERNANCE_CONFIG, else the example)
  --endpoint-url URL    endpoint of every AWS service read (default: AWS_ENDPOINT_URL, else AWS's), e.g. verify:local's
  --format json|md|html|all  the report's format (default: md); all: the three, with --out
  --out DIR             write DIR/verify-report.<format> and print one summary line (default: print the report)
  --concurrency N       accounts × Regions read at once (default: 4)
  --help                this text

Credentials: the environment's (AWS_PROFILE, AWS_ACCESS_KEY_ID, …), allowed to assume the verifier role
genai-governance-verifier in every account. Exit status: 0 all pass, 1 any drift or unreadable, 2 usage error.`;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        'assembly': { type: 'string', default: 'cdk.out' },
        'config': { type: 'string' },
        'endpoint-url': { type: 'string' },
        'format': { type: 'string', default: 'md' },
        'out': { type: 'string' },
        'concurrency': { type: 'string', default: '4' },
        'help': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = values.format as ReportFormat | 'all';
  if (!['json', 'md', 'html', 'all'].includes(format)) {
    process.stderr.write(`--format must be json, md, html or all, not ${values.format}\n`);
    return 2;
  }
  if (format === 'all' && values.out === undefined) {
    process.stderr.write('--format all writes three files: give --out DIR\n');
    return 2;
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    process.stderr.write(`--concurrency must be an integer from 1 to 64, not ${values.concurrency}\n`);
    return 2;
  }
  const endpoint = values['endpoint-url'] ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    process.stderr.write(`--endpoint-url must be an http(s) URL, not ${endpoint}\n`);
    return 2;
  }
  let report;
  try {
    const configFile = resolveConfigFile(values.config, env);
    const config = loadConfigFile(configFile);
    report = await runVerify({ assemblyDirectory: values.assembly!, config, endpoint, concurrency, configFile });
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\n`);
    return 2;
  }
  const { pass, drift, unreadable } = report.summary;
  if (values.out !== undefined) {
    const files = (format === 'all' ? ['json', 'md', 'html'] as const : [format]).map((f) => writeReport(report, f, values.out!));
    process.stdout.write(`verify: ${pass} pass, ${drift} drift, ${unreadable} unreadable: ${files.join(', ')}\n`);
  } else {
    process.stdout.write(renderReport(report, format as ReportFormat));
  }
  return drift + unreadable > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`verify: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
}
