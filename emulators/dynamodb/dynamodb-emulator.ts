import { spawn } from 'node:child_process';
import { buildDynamoDbEmulator } from './dynamodb-build';

/** A running DynamoDB emulator. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: the SDK endpoint of DynamoDB. */
  readonly endpoint: string;
  /** Stops the server (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the DynamoDB emulator (`emulators/dynamodb`: minidyn, one per partition key) on a free 127.0.0.1 port, building it
 * first if its sources changed, and resolves once it answers a DynamoDB request (at most `timeoutMs`).
 *
 * What it is faithful to, and what it is not: each item operation, Query, and transactions within one partition key run
 * on minidyn under one lock per partition key, so a conditional write is atomic against concurrent requests, as on
 * DynamoDB (a test proves the emulator's atomicity, not AWS's). Not served: time to live (items never expire),
 * point-in-time recovery, deletion protection, table ARNs, global secondary indexes, transactions and BatchGetItem across
 * partition keys (one partition's are served; minidyn never leaves keys unprocessed), BatchWriteItem, and a Scan in
 * pages; IAM is not evaluated.
 */
export async function startLocalDynamoDb(timeoutMs = 30_000): Promise<LocalDynamoDb> {
  const binary = buildDynamoDbEmulator();
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the DynamoDB emulator did not start within ${timeoutMs} ms: ${output}`)), timeoutMs);
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the DynamoDB emulator exited with ${code}: ${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  // It answers: a DescribeTable of no table is a ResourceNotFoundException in DynamoDB's JSON.
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: { 'X-Amz-Target': 'DynamoDB_20120810.DescribeTable', 'Content-Type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ TableName: 'none' }),
  }).then((r) => r.json() as Promise<{ __type?: string }>).catch((error: unknown) => ({ __type: String(error) }));
  if (!answer.__type?.endsWith('ResourceNotFoundException')) {
    await stop();
    throw new Error(`the DynamoDB emulator on ${endpoint} answered ${JSON.stringify(answer)}`);
  }
  return { endpoint, stop };
}
