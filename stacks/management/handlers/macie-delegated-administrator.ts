/**
 * MAC-1 custom-resource handler, in the management account: registers the audit account as Macie's delegated
 * administrator for the organization (no CloudFormation resource does).
 *
 * - Create and Update: nothing to do when the account is already the enabled administrator (a repeated Create is
 *   harmless); a different enabled administrator fails with both accounts named (Macie has one per organization, and
 *   replacing it is a decision for a person); otherwise `EnableOrganizationAdminAccount`.
 * - Delete: leaves the registration in place, because deregistering drops the organization's Macie configuration.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime and inlined into the template.
 */
import { EnableOrganizationAdminAccountCommand, ListOrganizationAdminAccountsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, withRetries } from '../../../stacksets/rollout/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'macie-delegated-administrator-not-created';

/** The resource's properties as CloudFormation passes them. */
export interface MacieDelegatedAdministratorProperties {
  readonly AdminAccountId: string;
}

class ConflictingAdministratorError extends Error {
  public override readonly name = 'ConflictingAdministrator';
}

async function apply(event: CloudFormationCustomResourceEvent, macie: Macie2Client): Promise<string> {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  const admin = (event.ResourceProperties as Record<string, unknown>).AdminAccountId;
  if (typeof admin !== 'string' || !/^\d{12}$/.test(admin)) {
    throw new InvalidPropertiesError(`AdminAccountId must be a 12-digit account id, found ${JSON.stringify(admin)}`);
  }
  const listed = await withRetries(() => macie.send(new ListOrganizationAdminAccountsCommand({})));
  const enabled = (listed.adminAccounts ?? []).filter((a) => a.status === 'ENABLED').map((a) => a.accountId);
  if (!enabled.includes(admin)) {
    if (enabled.length > 0) {
      throw new ConflictingAdministratorError(`the organization's Macie administrator is ${enabled.join(', ')}, not ${admin}; `
        + 'deregister it (DisableOrganizationAdminAccount) first if the change is intended');
    }
    await withRetries(() => macie.send(new EnableOrganizationAdminAccountCommand({ adminAccountId: admin, clientToken: event.RequestId })));
  }
  return `macie-delegated-administrator-${admin}`;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  const macie = new Macie2Client({ maxAttempts: 1 });
  await answerCloudFormation(event, context, () => apply(event, macie), { action: 'Macie delegated administrator', notCreatedId: NOT_CREATED_ID });
}
