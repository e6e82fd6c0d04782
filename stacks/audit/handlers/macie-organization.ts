/**
 * MAC-1 custom-resource handler, in the audit account (Macie's delegated administrator), once per governed Region.
 * No CloudFormation resource configures a Macie organization.
 *
 * - Create and Update: `UpdateOrganizationConfiguration{autoEnable: true}` (accounts that join the organization get
 *   Macie); every ACTIVE account of the organization (`organizations:ListAccounts`, which a delegated administrator may
 *   call) that is not yet a member and is not this account is added with `CreateMember` (this enables Macie for an
 *   organization account); then `UpdateAutomatedDiscoveryConfiguration` with the configured status and
 *   `autoEnableOrganizationMembers`. Each step is idempotent, so a repeated Create changes nothing.
 * - Delete: leaves everything on; turning Macie off for the organization is a decision for a person.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime and inlined into the template.
 */
import {
  CreateMemberCommand, Macie2Client, paginateListMembers, UpdateAutomatedDiscoveryConfigurationCommand, UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-macie2';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'macie-organization-not-created';

/** The resource's properties as CloudFormation passes them. */
export interface MacieOrganizationProperties {
  /** This account, the delegated administrator: never added as its own member. */
  readonly AdminAccountId: string;
  /** `ENABLED` or `DISABLED`: automated sensitive-data discovery for the organization. */
  readonly AutomatedDiscovery: string;
  /** `ALL`, `NEW` or `NONE`: which member accounts discovery is turned on for. */
  readonly AutoEnableOrganizationMembers: string;
}

function validated(properties: Record<string, unknown>): MacieOrganizationProperties {
  const { AdminAccountId, AutomatedDiscovery, AutoEnableOrganizationMembers } = properties;
  if (typeof AdminAccountId !== 'string' || !/^\d{12}$/.test(AdminAccountId)) {
    throw new InvalidPropertiesError(`AdminAccountId must be a 12-digit account id, found ${JSON.stringify(AdminAccountId)}`);
  }
  if (AutomatedDiscovery !== 'ENABLED' && AutomatedDiscovery !== 'DISABLED') {
    throw new InvalidPropertiesError(`AutomatedDiscovery must be ENABLED or DISABLED, found ${JSON.stringify(AutomatedDiscovery)}`);
  }
  if (!['ALL', 'NEW', 'NONE'].includes(AutoEnableOrganizationMembers as string)) {
    throw new InvalidPropertiesError(`AutoEnableOrganizationMembers must be ALL, NEW or NONE, found ${JSON.stringify(AutoEnableOrganizationMembers)}`);
  }
  return { AdminAccountId, AutomatedDiscovery, AutoEnableOrganizationMembers: AutoEnableOrganizationMembers as string };
}

async function addExistingAccounts(macie: Macie2Client, organizations: OrganizationsClient, admin: string): Promise<void> {
  const members = new Set<string>();
  for await (const page of paginateListMembers({ client: macie }, { onlyAssociated: 'true' })) {
    for (const m of page.members ?? []) if (m.accountId) members.add(m.accountId);
  }
  for await (const page of paginateListAccounts({ client: organizations }, {})) {
    for (const account of page.Accounts ?? []) {
      if (account.Status !== 'ACTIVE' || !account.Id || !account.Email || account.Id === admin || members.has(account.Id)) continue;
      await macie.send(new CreateMemberCommand({ account: { accountId: account.Id, email: account.Email } }));
    }
  }
}

async function apply(event: CloudFormationCustomResourceEvent): Promise<string> {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  const props = validated(event.ResourceProperties);
  const macie = new Macie2Client({ ...RETRY });
  await macie.send(new UpdateOrganizationConfigurationCommand({ autoEnable: true }));
  await addExistingAccounts(macie, new OrganizationsClient({ ...RETRY }), props.AdminAccountId);
  await macie.send(new UpdateAutomatedDiscoveryConfigurationCommand({
    status: props.AutomatedDiscovery as 'ENABLED' | 'DISABLED',
    autoEnableOrganizationMembers: props.AutoEnableOrganizationMembers as 'ALL' | 'NEW' | 'NONE',
  }));
  return `macie-organization-${props.AdminAccountId}`;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  await answerCloudFormation(event, context, () => apply(event), { action: 'Macie organization configuration', notCreatedId: NOT_CREATED_ID });
}
