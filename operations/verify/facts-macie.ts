import { resourcesOf, type Assembly } from './assembly';
import type { Fact } from './fact';

/**
 * MAC-1 facts, per governed Region: the audit account is Macie's delegated administrator (read in the management
 * account), and the organization configuration auto-enables accounts that join with automated discovery as configured
 * (read in the audit account). The classification job over the invocation-log archive is not read yet: the emulated
 * estate cannot hold it (moto's organization has other account ids than the config, so the log archive is no Macie
 * member there and the job is refused).
 */

export function macieFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => {
    const administrators = resourcesOf(stack.template, 'Custom::MacieDelegatedAdministrator').flatMap(([, p]) =>
      ((p.Regions as string[] | undefined) ?? []).map((region): Fact => ({
        control: 'MAC-1',
        account: stack.account,
        region,
        clientRegion: region,
        kind: 'macie-administrator',
        subject: String(p.AdminAccountId),
        call: 'macie2:ListOrganizationAdminAccounts',
        expected: { adminAccounts: [{ accountId: String(p.AdminAccountId), status: 'ENABLED' }] },
      })));
    const organizations = resourcesOf(stack.template, 'Custom::MacieOrganization').map(([, p]): Fact => ({
      control: 'MAC-1',
      account: stack.account,
      region: stack.region,
      clientRegion: stack.region,
      kind: 'macie-organization',
      subject: 'organization-configuration',
      call: 'macie2:DescribeOrganizationConfiguration, macie2:GetAutomatedDiscoveryConfiguration',
      expected: {
        autoEnable: true,
        automatedDiscovery: { status: String(p.AutomatedDiscovery), autoEnableOrganizationMembers: String(p.AutoEnableOrganizationMembers) },
      },
    }));
    return [...administrators, ...organizations];
  });
}
