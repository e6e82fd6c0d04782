/**
 * MAC-1 custom-resource handler, in the management account: registers the audit account as Macie's delegated
 * administrator for the organization in every Region listed (no CloudFormation resource does; Macie's delegated
 * administrator is set per Region).
 *
 * - Create and Update, Region by Region: nothing to do when the account is already the enabled administrator (a
 *   repeated Create is harmless); a different enabled administrator fails with both accounts and the Region named
 *   (Macie has one per organization, and replacing it is a decision for a person); otherwise
 *   `EnableOrganizationAdminAccount`. A Region dropped from the list keeps its registration.
 * - Delete: leaves the registration in place, because deregistering drops the organization's Macie configuration.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime and inlined into the template.
 */
import { EnableOrganizationAdminAccountCommand, ListOrganizationAdminAccountsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'macie-delegated-administrator-not-created';

/** The resource's properties as CloudFormation passes them. */
export interface MacieDelegatedAdministratorProperties {
  readonly AdminAccountId: string;
  /** The Regions to register it in (the governed Regions). */
  readonly Regions: readonly string[];
}

class ConflictingAdministratorError extends Error {
  public override readonly name = 'ConflictingAdministrator';
}

async function register(admin: string, region: string, clientToken: string): Promise<void> {
  const macie = new Macie2Client({ region, ...RETRY });
  const listed = await macie.send(new ListOrganizationAdminAccountsCommand({}));
  const enabled = (listed.adminAccounts ?? []).filter((a) => a.status === 'ENABLED').map((a) => a.accountId);
  if (enabled.includes(admin)) return;
  if (enabled.length > 0) {
    throw new ConflictingAdministratorError(`the organization's Macie administrator in ${region} is ${enabled.join(', ')}, not ${admin}; `
      + 'deregister it (DisableOrganizationAdminAccount) first if the change is intended');
  }
  await macie.send(new EnableOrganizationAdminAccountCommand({ adminAccountId: admin, clientToken }));
}

async function apply(event: CloudFormationCustomResourceEvent): Promise<string> {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  const { AdminAccountId: admin, Regions: regions } = event.ResourceProperties as Record<string, unknown>;
  if (typeof admin !== 'string' || !/^\d{12}$/.test(admin)) {
    throw new InvalidPropertiesError(`AdminAccountId must be a 12-digit account id, found ${JSON.stringify(admin)}`);
  }
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
    throw new InvalidPropertiesError(`Regions must be a non-empty list of Region names, found ${JSON.stringify(regions)}`);
  }
  for (const region of regions as string[]) await register(admin, region, `${event.RequestId}-${region}`.slice(0, 64));
  return `macie-delegated-administrator-${admin}`;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  await answerCloudFormation(event, context, () => apply(event), { action: 'Macie delegated administrator', notCreatedId: NOT_CREATED_ID });
}
