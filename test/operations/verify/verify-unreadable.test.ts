import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAssembly } from '../../../operations/verify/assembly';
import { expectedFacts } from '../../../operations/verify/expected-facts';
import { verify } from '../../../operations/verify/verify';
import { organizationControls } from '../../../policies/organization-controls';
import { exampleConfig } from '../../support/example-config';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/*
 * What cannot be read is `unreadable`, never `pass`: an endpoint that refuses every connection, and one that answers
 * every request with throttling (after the SDK's retries). No emulator: the failure is the network's or the server's.
 */

const config = exampleConfig();
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
});

afterAll(() => {
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
});

/** Two attempts a call keep the SDK's backoff (up to 20 s a retry when throttled) short; the CLI makes five. */
function options(endpoint: string) {
  return {
    endpoint,
    assembly: 'example',
    homeRegion: config.organization.homeRegion,
    maxAttempts: 2,
    controlIds: organizationControls(config).map((c) => c.controlId),
  };
}

test('an endpoint that refuses connections makes every fact unreadable, naming sts:AssumeRole', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const facts = expectedFacts(readAssembly(exampleAssemblyDirectory()), config);
  const report = await verify(facts, options(`http://127.0.0.1:${port}`));
  expect(report.summary).toEqual({ pass: 0, drift: 0, unreadable: facts.length });
  expect(new Set(report.findings.map((f) => (f.found as { call: string }).call))).toEqual(new Set(['sts:AssumeRole']));
}, 120_000);

test('an endpoint that throttles every request is unreadable after the SDK retries, both attempts made', async () => {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(400, { 'content-type': 'text/xml' });
    res.end('<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const facts = expectedFacts(readAssembly(exampleAssemblyDirectory()), config).filter((f) => f.kind === 'trail-logging');
    const report = await verify(facts, options(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    expect(report.findings.map((f) => [f.status, f.control, (f.found as { error: string }).error])).toEqual([['unreadable', 'CT-1', 'Throttling']]);
    expect(requests).toBe(2);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 120_000);
