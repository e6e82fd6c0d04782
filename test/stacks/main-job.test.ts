import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STACK_IDS } from '../../stacks/estate';
import { runApp } from '../support/run-app';

describe('main job: the app synthesizes the example organization offline and prints the summary', () => {
  const run = runApp({ env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-offline' } });

  test('exits 0 and writes an assembly with the management and log-archive stacks', () => {
    expect(run.stderr).not.toMatch(/ERROR/);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(true);
    for (const id of Object.values(STACK_IDS)) expect(existsSync(path.join(run.outdir, `${id}.template.json`))).toBe(true);
  });

  test('lists each stack with its account, Region and resource count', () => {
    const mgmt = JSON.parse(readFileSync(path.join(run.outdir, `${STACK_IDS.management}.template.json`), 'utf8'));
    const count = Object.keys(mgmt.Resources).length;
    expect(run.stdout).toMatch(new RegExp(`${STACK_IDS.management}\\s+318274650913\\s+eu-central-1\\s+${count}\\n`));
    expect(run.stdout).toMatch(new RegExp(`${STACK_IDS.logArchive}\\s+402761958314\\s+eu-central-1\\s+\\d+\\n`));
  });

  test('prints each Organizations policy\'s size against its limit, measured on the synthesized content', () => {
    const mgmt = JSON.parse(readFileSync(path.join(run.outdir, `${STACK_IDS.management}.template.json`), 'utf8'));
    const scp = Object.values(mgmt.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Organizations::Policy');
    const size = JSON.stringify(scp.Properties.Content).length;
    expect(run.stdout).toMatch(new RegExp(`genai-governance-br-cri-1\\s+SERVICE_CONTROL_POLICY\\s+${size} / 5120 characters`));
  });

  test('prints SCP slots per workload OU, counting FullAWSAccess and the reserve', () => {
    expect(run.stdout).toMatch(/Workloads\/Prod\s+3 \/ 5/);
    expect(run.stdout).toMatch(/Sandbox\s+3 \/ 5/);
  });

  test('prints the StackSet targets section', () => {
    expect(run.stdout).toMatch(/StackSet targets\n {2}none: the member baseline is not in this build yet/);
  });
});
