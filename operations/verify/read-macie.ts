import { DescribeOrganizationConfigurationCommand, GetAutomatedDiscoveryConfigurationCommand, paginateListOrganizationAdminAccounts } from '@aws-sdk/client-macie2';
import type { AccountSession } from './account-session';

/** MAC-1: Macie's delegated administrators and the organization configuration. */

export async function readMacieAdministrators(session: AccountSession): Promise<unknown> {
  const adminAccounts: { accountId: string; status: string }[] = [];
  for await (const page of paginateListOrganizationAdminAccounts({ client: session.macie2 }, {})) {
    for (const a of page.adminAccounts ?? []) adminAccounts.push({ accountId: String(a.accountId), status: String(a.status) });
  }
  return { adminAccounts: adminAccounts.sort((a, b) => a.accountId.localeCompare(b.accountId)) };
}

export async function readMacieOrganization(session: AccountSession): Promise<unknown> {
  const [organization, discovery] = await Promise.all([
    session.macie2.send(new DescribeOrganizationConfigurationCommand({})),
    session.macie2.send(new GetAutomatedDiscoveryConfigurationCommand({})),
  ]);
  return {
    autoEnable: organization.autoEnable === true,
    automatedDiscovery: { status: String(discovery.status), autoEnableOrganizationMembers: String(discovery.autoEnableOrganizationMembers) },
  };
}

