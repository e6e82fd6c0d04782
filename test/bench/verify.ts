import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { GovernanceConfig } from '../../config/schema';
import { startMoto } from '../../emulators/moto/moto-server';
import { readAssembly } from '../../operations/verify/assembly';
import { expectedFacts } from '../../operations/verify/expected-facts';
import { LOCAL_BASE_CREDENTIALS } from '../../operations/verify/local/seed-clients';
import { seedEstate } from '../../operations/verify/local/seed-estate';
import { verify } from '../../operations/verify/verify';
import { organizationControls } from '../../policies/organization-controls';
import { exampleConfig } from '../support/example-config';
import { exampleAssemblyDirectory } from '../support/example-estate';

/**
 * `npx projen bench:verify [-- --accounts 10,100 --concurrency 4 --latency-ms 100]`: the verification of organizations of
 * 10 and 100 accounts (the example's, plus workload accounts in its workload OUs, which the baseline reaches in every
 * governed Region) on the pinned moto server, through a proxy that counts every API call by service and by the account
 * × Region it is charged to (the credentials' access key and the signature's Region); then the calls and moto's time
 * fitted per account and extrapolated to 1,000 accounts, and a model of a real organization of 1,000 accounts: time at
 * the concurrency given an AWS round trip per call, and the time each service's published rate limit needs for the
 * calls charged to its busiest account × Region. Goal: 1,000 accounts × the governed Regions in under 10 minutes.
 * Writes bench-out/verify.json. The templates do not change with the accounts (bench:synth-scale), so the example's
 * assembly serves every scale; its LF-1 account projections list the example's accounts only, which changes no count.
 */

const OUT = path.join(__dirname, '..', '..', 'bench-out', 'verify.json');
const TARGET_ACCOUNTS = 1000;
const GOAL_SECONDS = 600;

/**
 * Published request-rate quotas of the calls that grow with the accounts, per account and Region (the account the
 * credentials belong to: the verifier role's account for every read, the caller's for AssumeRole).
 */
const RATE_LIMITS: Record<string, { perSecond: number | null; source: string }> = {
  sts: { perSecond: 600, source: 'IAM and AWS STS quotas: 600 requests per second per account per Region, not re-checked offline (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)' },
  monitoring: { perSecond: 9, source: 'CloudWatch quotas: DescribeAlarms 9 TPS per account per Region, not re-checked offline (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html)' },
  ssm: { perSecond: 40, source: 'Parameter Store default throughput 40 TPS shared by GetParameter(s) per account per Region (https://docs.aws.amazon.com/general/latest/gr/ssm.html)' },
  bedrock: { perSecond: null, source: 'Bedrock control plane: no published rate for GetModelInvocationLoggingConfiguration; one call per account × Region' },
  organizations: { perSecond: null, source: 'Organizations: calls from the management account only, a number that does not grow with the accounts; throttling is retried (adaptive)' },
};

interface Scale {
  readonly accounts: number;
  readonly facts: number;
  readonly sessions: number;
  readonly seedSeconds: number;
  readonly verifySeconds: number;
  readonly calls: Record<string, number>;
  /** Per service: the most calls charged to one account × Region. */
  readonly busiestBucket: Record<string, number>;
  readonly status: Record<string, number>;
}

/** The example organization plus workload accounts up to `accounts`, in its workload OUs (round robin). */
function scaledConfig(accounts: number): GovernanceConfig {
  const base = exampleConfig();
  const ous = base.organization.workloadOrganizationalUnits;
  const extra = Array.from({ length: Math.max(0, accounts - base.accounts.length) }, (_, i) => ({
    name: `bench-workload-${i + 1}`, id: String(200000000000 + i * 7919), organizationalUnit: ous[i % ous.length],
  }));
  return { ...base, accounts: [...base.accounts, ...extra] } as GovernanceConfig;
}

/** A proxy in front of `target` that counts each request by service and by access key × Region. */
async function countingProxy(target: string) {
  const calls: Record<string, number> = {};
  const buckets = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    const service = scope?.[3] ?? 'unsigned';
    calls[service] = (calls[service] ?? 0) + 1;
    const bucket = `${service}/${scope?.[1]}/${scope?.[2]}`;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    busiest: () => {
      const most: Record<string, number> = {};
      for (const [key, n] of buckets) {
        const service = key.split('/')[0];
        most[service] = Math.max(most[service] ?? 0, n);
      }
      return most;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function measure(accounts: number, concurrency: number, directory: string): Promise<Scale> {
  const config = scaledConfig(accounts);
  const assembly = readAssembly(directory);
  const facts = expectedFacts(assembly, config);
  const moto = await startMoto();
  try {
    let start = process.hrtime.bigint();
    await seedEstate(moto.endpoint, assembly, config);
    const seedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const proxy = await countingProxy(moto.endpoint);
    try {
      start = process.hrtime.bigint();
      const report = await verify(facts, {
        endpoint: proxy.endpoint,
        assembly: directory,
        homeRegion: config.organization.homeRegion,
        controlIds: organizationControls(config).map((c) => c.controlId),
        concurrency,
      });
      const verifySeconds = Number(process.hrtime.bigint() - start) / 1e9;
      const sessions = new Set(facts.map((f) => `${f.account}/${f.clientRegion}`)).size;
      return {
        accounts,
        facts: facts.length,
        sessions,
        seedSeconds,
        verifySeconds,
        calls: { ...proxy.calls },
        busiestBucket: proxy.busiest(),
        status: { ...report.summary },
      };
    } finally {
      await proxy.close();
    }
  } finally {
    await moto.stop();
  }
}

/** a + b·accounts through the two scales furthest apart. */
function fit(scales: readonly Scale[], value: (s: Scale) => number): { a: number; b: number } {
  const lo = scales[0];
  const hi = scales[scales.length - 1];
  const b = hi.accounts === lo.accounts ? 0 : (value(hi) - value(lo)) / (hi.accounts - lo.accounts);
  return { a: value(lo) - b * lo.accounts, b };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { 'accounts': { type: 'string', default: '10,100' }, 'concurrency': { type: 'string', default: '4' }, 'latency-ms': { type: 'string', default: '100' } },
    strict: true,
  });
  const scales = values.accounts!.split(',').map(Number);
  const concurrency = Number(values.concurrency);
  const latency = Number(values['latency-ms']) / 1000;
  if (scales.some((n) => !Number.isInteger(n) || n < 6) || !Number.isInteger(concurrency) || concurrency < 1 || !(latency > 0)) {
    process.stderr.write('usage: bench:verify [-- --accounts 10,100 (each at least the example\'s 6) --concurrency N --latency-ms MS]\n');
    return 2;
  }
  process.env.AWS_ACCESS_KEY_ID = LOCAL_BASE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_BASE_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  const directory = exampleAssemblyDirectory();
  const regions = exampleConfig().organization.governedRegions;
  const measured: Scale[] = [];
  for (const accounts of scales.sort((x, y) => x - y)) {
    const scale = await measure(accounts, concurrency, directory);
    measured.push(scale);
    const total = Object.values(scale.calls).reduce((s, n) => s + n, 0);
    console.log(`${String(accounts).padStart(5)} accounts × ${regions.length} Regions: ${scale.facts} facts in ${scale.sessions} sessions, `
      + `seed ${scale.seedSeconds.toFixed(1)} s, verify ${scale.verifySeconds.toFixed(1)} s on moto at concurrency ${concurrency}, ${total} API calls `
      + `(${Object.entries(scale.calls).map(([s, n]) => `${s} ${n}`).join(', ')}); ${scale.status.pass} pass, ${scale.status.drift} drift, ${scale.status.unreadable} unreadable`);
  }
  const failures = measured.filter((s) => s.status.drift + s.status.unreadable > 0).map((s) => `${s.accounts} accounts: not every fact passed`);

  // Extrapolated to 1,000 accounts: moto's time and every service's calls, linear in the accounts.
  const motoSeconds = fit(measured, (s) => s.verifySeconds);
  const services = [...new Set(measured.flatMap((s) => Object.keys(s.calls)))].sort();
  const callsAt = Object.fromEntries(services.map((svc) => {
    const f = fit(measured, (s) => s.calls[svc] ?? 0);
    return [svc, Math.round(f.a + f.b * TARGET_ACCOUNTS)];
  }));
  const totalAt = Object.values(callsAt).reduce((s, n) => s + n, 0);
  const sessionsAt = Math.round(fit(measured, (s) => s.sessions).a + fit(measured, (s) => s.sessions).b * TARGET_ACCOUNTS);
  // The model: calls one after another within a session, `concurrency` sessions at once, each call one round trip.
  const concurrencySeconds = (totalAt * latency) / concurrency;
  const limits = services.filter((svc) => RATE_LIMITS[svc]).map((svc) => {
    // The busiest account × Region grows only where one bucket takes calls for every account (STS: the caller's).
    const growth = Math.max(0, fit(measured, (s) => s.busiestBucket[svc] ?? 0).b);
    const bucket = Math.round(Math.max(...measured.map((s) => s.busiestBucket[svc] ?? 0)) + growth * (TARGET_ACCOUNTS - measured.at(-1)!.accounts));
    const { perSecond, source } = RATE_LIMITS[svc];
    return { service: svc, calls: callsAt[svc], busiestBucket: bucket, perSecond, seconds: perSecond ? bucket / perSecond : 0, source };
  });
  const modelSeconds = Math.max(concurrencySeconds, ...limits.map((l) => l.seconds));

  console.log(`\nExtrapolated to ${TARGET_ACCOUNTS} accounts × ${regions.length} Regions: ${sessionsAt} sessions, ${totalAt} API calls `
    + `(${services.map((s) => `${s} ${callsAt[s]}`).join(', ')}); on moto ${(motoSeconds.a + motoSeconds.b * TARGET_ACCOUNTS).toFixed(0)} s `
    + `(${motoSeconds.b.toFixed(3)} s per account, fitted, not measured)`);
  console.log(`Model of a real organization: ${totalAt} calls × ${(latency * 1000).toFixed(0)} ms round trip (assumed) / ${concurrency} sessions at once = ${concurrencySeconds.toFixed(0)} s`);
  for (const l of limits) {
    console.log(`  ${l.service.padEnd(13)} ${String(l.calls).padStart(6)} calls, busiest account × Region ${String(l.busiestBucket).padStart(5)}: `
      + `${l.perSecond ? `${l.seconds.toFixed(1)} s at ${l.perSecond}/s` : 'no bound'} — ${l.source}`);
  }
  console.log(`The goal holds up to ${((GOAL_SECONDS * concurrency) / totalAt * 1000).toFixed(0)} ms per call at concurrency ${concurrency}`);
  console.log(`Modelled: ${modelSeconds.toFixed(0)} s for ${TARGET_ACCOUNTS} accounts × ${regions.length} Regions; goal ${GOAL_SECONDS} s; ratio ${(modelSeconds / GOAL_SECONDS).toFixed(2)} (under 1 meets it)`);

  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({
    concurrency,
    latencyMs: latency * 1000,
    regions,
    measured,
    extrapolated: { accounts: TARGET_ACCOUNTS, sessions: sessionsAt, calls: callsAt, motoSeconds: motoSeconds.a + motoSeconds.b * TARGET_ACCOUNTS },
    model: { concurrencySeconds, limits, modelSeconds, goalSeconds: GOAL_SECONDS, ratio: modelSeconds / GOAL_SECONDS },
  }, null, 2)}\n`);
  console.log('bench-out/verify.json written');
  if (modelSeconds > GOAL_SECONDS) failures.push(`the model exceeds ${GOAL_SECONDS} s`);
  for (const f of failures) console.error(`FAIL: ${f}`);
  return failures.length > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`bench:verify: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
