import { seedClients } from './seed-clients';
import {
  seedConfigRecorder, seedConformancePack, seedGuardrails, seedInvocationLogging, seedLakeFormation, seedMacieAdministrator,
  seedMacieClassificationJob, seedMacieOrganization, seedSecurityHubStandard,
} from './seed-governance-services';
import { seedOrganization, type SeededOrganization } from './seed-organization';
import { seedAlarms, seedAnalytics, seedBuckets, seedParameters, seedTrails } from './seed-resources';
import { accountIdOf } from '../../../config/accounts';
import type { GovernanceConfig } from '../../../config/schema';
import { WORKLOAD_CONTRACT_PREFIX } from '../../../contracts/workload-contract';
import { resourcesOf, type Assembly, type Template } from '../assembly';
import { INVOCATION_LOGGING_TYPE } from '../facts-invocation-logging';
import { memberTargets } from '../member-targets';

/**
 * Seeds an emulator (moto) with the estate an assembly deploys: the organization from the management account, then
 * each governance stack's buckets, trail, alarms, Glue tables, LF-tags, tag associations, grants and Macie configuration
 * in its account × Region, and each StackSet member template's alarms, contract parameters and model-invocation logging
 * in every account × Region of its instances. Tenant stacks (not
 * `Governance*`) are left out, as the verifier leaves them out.
 */

/** The organization's accounts as the seed created them (`seedOrganization`: `<name>@example.com`). */
type SeededAccounts = readonly { readonly id: string; readonly email: string }[];

async function seedAccountRegion(
  endpoint: string, account: string, region: string, templates: readonly Template[], member: boolean, accounts: SeededAccounts = [],
  securityHub = false, parameters: Readonly<Record<string, string>> = {},
): Promise<void> {
  const clients = await seedClients(endpoint, account, region);
  try {
    for (const template of templates) {
      await seedBuckets(clients, template, region);
      await seedTrails(clients, template);
      await seedAlarms(clients, template);
      if (member) {
        await seedParameters(clients, template, WORKLOAD_CONTRACT_PREFIX);
        await seedInvocationLogging(clients, template, { account, region, parameters });
        await seedConfigRecorder(clients, template, { account, region });
        if (securityHub) await seedSecurityHubStandard(clients, region);
      } else {
        await seedAnalytics(clients, template, account);
        await seedLakeFormation(clients, template, { account, region });
        await seedMacieOrganization(clients, template, accounts);
        await seedMacieClassificationJob(clients, template, account, (owner) => seedClients(endpoint, owner, region));
        await seedConformancePack(clients, template);
        await seedGuardrails(clients, template);
      }
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
  // Macie's administrator before the audit account configures the organization (MAC-1).
  for (const stack of own) {
    for (const [, p] of resourcesOf(stack.template, 'Custom::MacieDelegatedAdministrator')) {
      for (const region of (p.Regions as string[] | undefined) ?? []) {
        const clients = await seedClients(endpoint, stack.account, region);
        try {
          await seedMacieAdministrator(clients, stack.template, region);
        } finally {
          clients.destroy();
        }
      }
    }
  }
  const accounts = config.accounts.map((a) => ({ id: a.id, email: `${a.name}@example.com` }));
  for (const stack of own) await seedAccountRegion(endpoint, stack.account, stack.region, [stack.template], false, accounts);
  // DET-SH-1: the central configuration policy turns the AI standard on in the member accounts (the regional template's).
  const securityHub = own.some((s) => resourcesOf(s.template, 'AWS::SecurityHub::ConfigurationPolicy').length > 0);
  for (const member of assembly.members) {
    const regional = resourcesOf(member.template, INVOCATION_LOGGING_TYPE).length > 0;
    for (const target of memberTargets(member, config)) {
      await seedAccountRegion(endpoint, target.account, target.region, [member.template], true, [], securityHub && regional, target.parameters);
    }
  }
  return organization;
}
