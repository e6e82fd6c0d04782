import { stringify } from 'yaml';
import { exampleConfig } from './example-config';
import { parseConfig } from '../../config/load';
import type { GovernanceConfig, GovernanceConfigInput } from '../../config/schema';

/**
 * An organization of `accounts` accounts in `ous` OUs: the example's topology and Bedrock settings, plus team OUs under
 * Workloads/Prod; every account beyond the management, log-archive and audit accounts is a workload account the baseline
 * targets. Used by `npx projen bench:synth-scale` and by the tests that show what does not grow with the organization.
 */
export function scaledOrganization(accounts: number, ous: number): GovernanceConfigInput {
  const base = exampleConfig();
  const root = base.organization.rootId.slice(2);
  const ouId = (i: number) => `ou-${root}-${String(i).padStart(8, '0')}`;
  const fixed = ['Security', 'Workloads', 'Workloads/Prod', 'Workloads/NonProd', 'Sandbox'];
  const teamOus = Array.from({ length: ous - fixed.length }, (_, i) => `Workloads/Prod/Team${i + 1}`);
  const organizationalUnits = [...fixed, ...teamOus].map((p, i) => ({ path: p, id: ouId(i + 1) }));
  const workloadOus = ['Workloads/Prod', 'Workloads/NonProd', 'Sandbox', ...teamOus];
  const accountId = (i: number) => String(100000000000 + i * 7919);
  return {
    ...base,
    organization: { ...base.organization, workloadOrganizationalUnits: workloadOus },
    organizationalUnits,
    accounts: [
      { name: 'management', id: accountId(0) },
      { name: 'log-archive', id: accountId(1), organizationalUnit: 'Security' },
      { name: 'audit', id: accountId(2), organizationalUnit: 'Security' },
      ...Array.from({ length: accounts - 3 }, (_, i) => ({
        name: `workload-${i + 1}`, id: accountId(i + 3), organizationalUnit: workloadOus[i % workloadOus.length],
      })),
    ],
    topology: { management: 'management', logArchive: 'log-archive', audit: 'audit' },
    // The example's tenant, in the first workload account (its widget's certificate there too: it must be the tenant's).
    workloads: base.workloads?.supportChat ? { supportChat: tenantIn(base.workloads.supportChat, 'workload-1', accountId(3)) } : {},
  };
}

/** The example's tenant moved to `account` (named `name`), its widget's certificate, which must be the tenant account's, with it. */
function tenantIn<T extends { account: string; widget?: { certificateArn: string } }>(tenant: T, name: string, account: string): T {
  const widget = tenant.widget && { ...tenant.widget, certificateArn: tenant.widget.certificateArn.replace(/^(arn:aws:acm:[^:]+:)\d{12}:/, `$1${account}:`) };
  return { ...tenant, account: name, ...(widget && { widget }) };
}

/** `scaledOrganization` as the app reads it: written as YAML and loaded with every check. */
export function scaledConfig(accounts: number, ous: number): GovernanceConfig {
  return parseConfig(stringify(scaledOrganization(accounts, ous)), `scaled-${accounts}-accounts.yaml`);
}
