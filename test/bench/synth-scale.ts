import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { describeLimits } from '../../stacks/summary';
import { exampleConfig } from '../support/example-config';
import { scaledOrganization } from '../support/scaled-organization';

/**
 * `npx projen bench:synth-scale`: synthesizes generated organizations of 10, 100 and 1,000 accounts (5, 20 and 100
 * OUs) with the real app entry, gates on, and prints wall time, template count and total template bytes as ratios to
 * the 10-account run, and the Organizations policies written and the most SCPs any target holds (this tool's, packed
 * to the example's `organization.limits`), and DASH-1's organization alarms in the observability templates (all Regions) and
 * how many of them are Metrics Insights alarms. Fails when the template count or the organization alarm count changes
 * with the number of accounts.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench-out', 'synth-scale');
const SCALES = [{ accounts: 10, ous: 5 }, { accounts: 100, ous: 20 }, { accounts: 1000, ous: 100 }];

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? templates(f) : n.endsWith('.template.json') ? [f] : [];
  });
}

function main(): void {
  rmSync(OUT, { recursive: true, force: true });
  const rows = SCALES.map(({ accounts, ous }) => {
    const dir = path.join(OUT, `${accounts}-accounts`);
    mkdirSync(dir, { recursive: true });
    const configFile = path.join(dir, 'governance.yaml');
    writeFileSync(configFile, stringify(scaledOrganization(accounts, ous)));
    const outdir = path.join(dir, 'cdk.out');
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'stacks/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ config: configFile }), TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) throw new Error(`synth of ${accounts} accounts failed:\n${run.stderr}`);
    const files = templates(outdir);
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    const resourcesOf = (f: string) => Object.values((JSON.parse(readFileSync(f, 'utf8')).Resources ?? {}) as Record<string, { Type: string; Properties?: any }>);
    const policies = files.flatMap(resourcesOf).filter((r) => r.Type === 'AWS::Organizations::Policy');
    // DASH-1's organization alarms: every alarm of the audit account's observability stacks, composite ones included.
    const organizationAlarms = files.filter((f) => path.basename(f).startsWith('GovernanceObservability-')).flatMap(resourcesOf)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm');
    const insightsAlarms = organizationAlarms.filter((r) => ((r.Properties?.Metrics ?? []) as { Expression?: string }[]).some((q) => /^\s*SELECT\b/i.test(q.Expression ?? '')));
    const scps = new Map<string, number>();
    for (const p of policies.filter((r) => r.Properties?.Type === 'SERVICE_CONTROL_POLICY')) {
      for (const t of (p.Properties.TargetIds ?? []) as string[]) scps.set(t, (scps.get(t) ?? 0) + 1);
    }
    const scpsPerTarget = Math.max(0, ...scps.values());
    const alarmCounts = { organizationAlarms: organizationAlarms.length, insightsAlarms: insightsAlarms.length };
    return { accounts, ous, seconds, count: files.length, bytes, policies: policies.length, scpsPerTarget, ...alarmCounts };
  });

  const [base] = rows;
  const ratio = (v: number, b: number) => `${(v / b).toFixed(2)}x`;
  console.log(`organization.limits ${describeLimits(exampleConfig().organization.limits)}`);
  console.log('accounts  OUs  synth s  ratio  templates  ratio  template bytes  ratio  org policies  most SCPs at a target  org alarms  of them Metrics Insights');
  for (const r of rows) {
    console.log(`${String(r.accounts).padStart(8)}  ${String(r.ous).padStart(3)}  ${r.seconds.toFixed(2).padStart(7)}  ${ratio(r.seconds, base.seconds).padStart(5)}`
      + `  ${String(r.count).padStart(9)}  ${ratio(r.count, base.count).padStart(5)}  ${String(r.bytes).padStart(13)}  ${ratio(r.bytes, base.bytes).padStart(5)}`
      + `  ${String(r.policies).padStart(12)}  ${String(r.scpsPerTarget).padStart(21)}  ${String(r.organizationAlarms).padStart(10)}  ${String(r.insightsAlarms).padStart(23)}`);
  }
  const failures = [
    ...rows.some((r) => r.count !== base.count) ? ['the template count grows with the number of accounts'] : [],
    ...base.organizationAlarms === 0 ? ['no organization alarms were found in the observability templates'] : [],
    ...rows.some((r) => r.organizationAlarms !== base.organizationAlarms) ? ['the organization alarm count changes with the number of accounts'] : [],
  ];
  for (const f of failures) console.error(`FAIL: ${f}`);
  if (failures.length > 0) process.exit(1);
}

main();
