import { seedClients } from './seed-clients';
import { seedOrganization, type SeededOrganization } from './seed-organization';
import { seedAlarms, seedAnalytics, seedBuckets, seedParameters, seedTrails } from './seed-resources';
import { accountIdOf } from '../../../config/accounts';
import type { GovernanceConfig } from '../../../config/schema';
import { WORKLOAD_CONTRACT_PREFIX } from '../../../contracts/workload-contract';
import type { Assembly, Template } from '../assembly';
import { memberTargets } from '../member-targets';

/**
 * Seeds an emulator (moto) with the estate an assembly deploys: the organization from the management account, then
 * each governance stack's buckets, trail, alarms, Glue tables and LF-tags in its account × Region, and each StackSet
 * member template's alarms and contract parameters in every account × Region of its instances. Tenant stacks (not
 * `Governance*`) are left out, as the verifier leaves them out.
 */

async function seedAccountRegion(endpoint: string, account: string, region: string, templates: readonly Template[], member: boolean): Promise<void> {
  const clients = await seedClients(endpoint, account, region);
  try {
    for (const template of templates) {
      await seedBuckets(clients, template, region);
      await seedTrails(clients, template);
      await seedAlarms(clients, template);
      if (member) await seedParameters(clients, template, WORKLOAD_CONTRACT_PREFIX);
      else await seedAnalytics(clients, template, account);
    }
  } finally {
    clients.destroy();
  }
}

export async function seedEstate(endpoint: string, assembly: Assembly, config: GovernanceConfig): Promise<SeededOrganization> {
  const management = await seedClients(endpoint, accountIdOf(config, config.topology.management), config.organization.homeRegion);
  let organization: SeededOrganization;
  try {
    organization = await seedOrganization(management, assembly, config);
  } finally {
    management.destroy();
  }
  // The log archive first: the trail names its bucket.
  const logArchive = accountIdOf(config, config.topology.logArchive);
  const own = assembly.stacks.filter((s) => s.stackName.startsWith('Governance'))
    .sort((a, b) => Number(b.account === logArchive) - Number(a.account === logArchive));
  for (const stack of own) await seedAccountRegion(endpoint, stack.account, stack.region, [stack.template], false);
  for (const member of assembly.members) {
    for (const target of memberTargets(member, config)) await seedAccountRegion(endpoint, target.account, target.region, [member.template], true);
  }
  return organization;
}
