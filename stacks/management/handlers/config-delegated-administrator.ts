/**
 * DET-CFG-1 custom-resource handler, in the management account: registers the audit account as AWS Config's delegated
 * administrator for organization conformance packs (`config-multiaccountsetup.amazonaws.com`). No CloudFormation
 * resource does; Organizations is global, so one registration serves every Region.
 *
 * - Create and Update: turns on Config's trusted access to the organization (`EnableAWSServiceAccess`, idempotent);
 *   nothing more when the account is already a delegated administrator of the service; otherwise
 *   `RegisterDelegatedAdministrator`. Config allows more than one delegated administrator, so another one is left as it is.
 * - Delete: leaves the registration in place: deregistering deletes the organization conformance packs the account
 *   deployed.
 *
 * Bundled by esbuild with `@aws-sdk/*` left to the Lambda runtime.
 */
import { EnableAWSServiceAccessCommand, ListDelegatedAdministratorsCommand, OrganizationsClient, RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { answerCloudFormation, InvalidPropertiesError, RETRY } from '../../../building-blocks/custom-resources/handlers/custom-resource-runtime';

/** Physical id a failed Create answers with. */
export const NOT_CREATED_ID = 'config-delegated-administrator-not-created';

/** The service principal of organization conformance packs and organization Config rules. */
export const CONFIG_MULTI_ACCOUNT_PRINCIPAL = 'config-multiaccountsetup.amazonaws.com';

/** The resource's properties as CloudFormation passes them. */
export interface ConfigDelegatedAdministratorProperties {
  readonly AdminAccountId: string;
}

async function register(admin: string): Promise<void> {
  // Organizations' endpoint is in us-east-1 (the aws partition's global endpoint).
  const organizations = new OrganizationsClient({ region: 'us-east-1', ...RETRY });
  await organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: CONFIG_MULTI_ACCOUNT_PRINCIPAL }));
  const listed = await organizations.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: CONFIG_MULTI_ACCOUNT_PRINCIPAL }));
  if ((listed.DelegatedAdministrators ?? []).some((a) => a.Id === admin)) return;
  await organizations.send(new RegisterDelegatedAdministratorCommand({ AccountId: admin, ServicePrincipal: CONFIG_MULTI_ACCOUNT_PRINCIPAL }));
}

async function apply(event: CloudFormationCustomResourceEvent): Promise<string> {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  const { AdminAccountId: admin } = event.ResourceProperties as Record<string, unknown>;
  if (typeof admin !== 'string' || !/^\d{12}$/.test(admin)) {
    throw new InvalidPropertiesError(`AdminAccountId must be a 12-digit account id, found ${JSON.stringify(admin)}`);
  }
  await register(admin);
  return `config-delegated-administrator-${admin}`;
}

/** Lambda entry point: applies the request and always answers CloudFormation, with a reason when it failed. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'logStreamName'>): Promise<void> {
  await answerCloudFormation(event, context, () => apply(event), { action: 'Config delegated administrator', notCreatedId: NOT_CREATED_ID });
}
