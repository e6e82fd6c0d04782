import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PRIVACY_ACTIONS, type PrivacyAnswer } from '../handlers/lib/privacy-request';
import { PRIVACY_FUNCTION_NAME } from '../privacy-wiring';

/*
 * The privacy officer's command, run from a checkout on the officer's machine (nothing here is deployed): one request
 * to the privacy function, with the officer's credentials (the privacy officer's role: the only principal the
 * function's resource policy admits), and its one answer.
 *
 *   npx ts-node --transpile-only -P tsconfig.json workloads/support-chat/privacy/local/privacy-cli.ts \
 *     <export|erase|hold|release> --sub <cognito sub> [--request-id <id>] [--case <reference>] [--region <r>] [--out <file>]
 *
 * A request id is made up when none is given and printed first: send the same id again to resume an erasure that
 * stopped. `export` writes the customer's records to --out (or stdout). Exit status: 0 completed, 2 refused (a legal
 * hold, a request id used for another customer), 1 failed or invalid (the answer says which and why).
 */

const USAGE = 'usage: privacy-cli.ts <export|erase|hold|release> --sub <cognito sub> [--request-id <id>] [--case <reference>] [--region <r>] [--out <file>]';

/** What the command needs from outside: the caller's ARN, one invocation of the function, and where it writes. */
export interface PrivacyCliPorts {
  readonly callerArn: () => Promise<string>;
  readonly invoke: (request: Record<string, unknown>) => Promise<PrivacyAnswer>;
  readonly print: (line: string) => void;
  readonly writeFile: (file: string, text: string) => void;
}

/** Runs one command line; resolves to the exit status. */
export async function runPrivacyCli(argv: readonly string[], ports: PrivacyCliPorts): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'sub': { type: 'string' }, 'request-id': { type: 'string' }, 'case': { type: 'string' }, 'region': { type: 'string' }, 'out': { type: 'string' },
      },
    });
  } catch (error) {
    ports.print(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 1;
  }
  const [action, ...rest] = parsed.positionals;
  if (!(PRIVACY_ACTIONS as readonly string[]).includes(action ?? '') || rest.length > 0 || !parsed.values.sub) {
    ports.print(USAGE);
    return 1;
  }
  const requestId = parsed.values['request-id'] ?? `${action}-${randomUUID()}`;
  ports.print(`request ${requestId}`);
  const answer = await ports.invoke({
    action,
    requestId,
    sub: parsed.values.sub,
    requestedBy: await ports.callerArn(),
    ...(parsed.values.case !== undefined ? { caseReference: parsed.values.case } : {}),
  });
  const { data, ...summary } = answer;
  ports.print(`${answer.status}${answer.code ? ` (${answer.code})` : ''}: ${answer.message}`);
  if (answer.subjectHash) ports.print(`customer (keyed hash): ${answer.subjectHash}`);
  if (data) {
    const text = `${JSON.stringify({ ...summary, data }, null, 2)}\n`;
    if (parsed.values.out) ports.writeFile(parsed.values.out, text);
    else ports.print(text);
  }
  return answer.status === 'completed' ? 0 : answer.status === 'refused' ? 2 : 1;
}

/** The ports on AWS: STS for the caller, Lambda's synchronous `Invoke` of the privacy function. */
function awsPorts(region: string | undefined): PrivacyCliPorts {
  const lambda = new LambdaClient(region ? { region } : {});
  const sts = new STSClient(region ? { region } : {});
  return {
    callerArn: async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn!,
    invoke: async (request) => {
      const result = await lambda.send(new InvokeCommand({ FunctionName: PRIVACY_FUNCTION_NAME, Payload: Buffer.from(JSON.stringify(request)) }));
      const payload = Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8');
      if (result.FunctionError) {
        return { requestId: String(request.requestId), action: 'invalid', status: 'failed', code: 'internal', message: `the function failed (${result.FunctionError}): ${payload.slice(0, 500)}` };
      }
      return JSON.parse(payload) as PrivacyAnswer;
    },
    print: (line) => console.log(line),
    writeFile: (file, text) => writeFileSync(file, text, { mode: 0o600 }),
  };
}

if (require.main === module) {
  const region = process.argv.slice(2).find((_, i, all) => all[i - 1] === '--region');
  runPrivacyCli(process.argv.slice(2), awsPorts(region)).then((status) => {
    process.exitCode = status;
  }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
