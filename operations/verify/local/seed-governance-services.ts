import { CreateGuardrailCommand, CreateGuardrailVersionCommand, PutModelInvocationLoggingConfigurationCommand, type CreateGuardrailRequest } from '@aws-sdk/client-bedrock';
import {
  PutConfigurationRecorderCommand, PutDeliveryChannelCommand, PutOrganizationConformancePackCommand, StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import {
  AddLFTagsToResourceCommand, GrantPermissionsCommand, PutDataLakeSettingsCommand, type DataLakeSettings, type Permission, type Resource,
} from '@aws-sdk/client-lakeformation';
import {
  AcceptInvitationCommand, CreateClassificationJobCommand, CreateInvitationsCommand, CreateMemberCommand, EnableOrganizationAdminAccountCommand,
  ListInvitationsCommand, UpdateAutomatedDiscoveryConfigurationCommand, UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-macie2';
import { AttachPolicyCommand, CreatePolicyCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { BatchEnableStandardsCommand, EnableSecurityHubCommand } from '@aws-sdk/client-securityhub';
import type { SeedClients } from './seed-clients';
import { aiSecurityStandardArn } from '../../../contracts/detective-controls';
import { resourcesOf, type Template } from '../assembly';
import { deliveryFlags, INVOCATION_LOGGING_TYPE } from '../facts-invocation-logging';
import { resolveString, resolveValue, type Placement } from '../template-value';

/*
 * Seeds what the governance's custom resources and Lake Formation resources leave in an account × Region: model-
 * invocation logging as `Custom::BedrockModelInvocationLogging` puts it, the LF-tag associations, grants and data-lake
 * settings, and Macie's administrator, organization configuration and classification job as the MAC-1 handlers make
 * them.
 */

export async function seedInvocationLogging(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  for (const [, p] of resourcesOf(template, INVOCATION_LOGGING_TYPE)) {
    const bucketName = resolveString(p.BucketName, template, placement);
    const logGroupName = resolveString(p.LogGroupName, template, placement);
    const delivery = deliveryFlags(p, template, placement);
    if (!bucketName || !logGroupName || !delivery) continue;
    await clients.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({
      loggingConfig: {
        s3Config: { bucketName, keyPrefix: String(p.KeyPrefix) },
        cloudWatchConfig: {
          logGroupName,
          roleArn: `arn:aws:iam::${placement.account}:role/verify-local-invocation-logging-delivery`,
          largeDataDeliveryS3Config: { bucketName, keyPrefix: String(p.LargeDataKeyPrefix) },
        },
        ...delivery,
      },
    }));
  }
}

/** After the LF-tags (`seedAnalytics`): the tag associations, then the grants, then the data-lake settings. */
export async function seedLakeFormation(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  await seedTagAssociations(clients, template, placement);
  await seedGrants(clients, template, placement);
  await seedDataLakeSettings(clients, template, placement);
}

/** The catalog's administrators and default permissions (`AWS::LakeFormation::DataLakeSettings`). */
export async function seedDataLakeSettings(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::LakeFormation::DataLakeSettings')) {
    const admins = resolveValue(p.Admins, template, placement) as DataLakeSettings['DataLakeAdmins'] | undefined;
    await clients.lakeformation.send(new PutDataLakeSettingsCommand({
      CatalogId: placement.account,
      DataLakeSettings: {
        DataLakeAdmins: admins ?? [],
        CreateDatabaseDefaultPermissions: (p.CreateDatabaseDefaultPermissions as DataLakeSettings['CreateDatabaseDefaultPermissions']) ?? [],
        CreateTableDefaultPermissions: (p.CreateTableDefaultPermissions as DataLakeSettings['CreateTableDefaultPermissions']) ?? [],
      },
    }));
  }
}

/** The LF-tags each database, table and column carries (`AWS::LakeFormation::TagAssociation`). */
export async function seedTagAssociations(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::LakeFormation::TagAssociation')) {
    const resource = resolveValue(p.Resource, template, placement) as Resource | undefined;
    const tags = resolveValue(p.LFTags, template, placement) as { CatalogId: string; TagKey: string; TagValues: string[] }[] | undefined;
    if (!resource || !tags) continue;
    await clients.lakeformation.send(new AddLFTagsToResourceCommand({ CatalogId: placement.account, Resource: resource, LFTags: tags }));
  }
}

/** The grants (`AWS::LakeFormation::PrincipalPermissions`). */
export async function seedGrants(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::LakeFormation::PrincipalPermissions')) {
    const resource = resolveValue(p.Resource, template, placement) as Resource | undefined;
    const identifier = (p.Principal as { DataLakePrincipalIdentifier?: unknown } | undefined)?.DataLakePrincipalIdentifier;
    const principal = resolveString(identifier, template, placement);
    if (!resource || !principal) continue;
    await clients.lakeformation.send(new GrantPermissionsCommand({
      CatalogId: placement.account,
      Principal: { DataLakePrincipalIdentifier: principal },
      Resource: resource,
      Permissions: p.Permissions as Permission[],
      PermissionsWithGrantOption: (p.PermissionsWithGrantOption as Permission[] | undefined) ?? [],
    }));
  }
}

/** The management account's part of MAC-1, in `region`: the delegated administrator. */
export async function seedMacieAdministrator(clients: SeedClients, template: Template, region: string): Promise<void> {
  for (const [, p] of resourcesOf(template, 'Custom::MacieDelegatedAdministrator')) {
    if (((p.Regions as string[] | undefined) ?? []).includes(region)) {
      await clients.macie2.send(new EnableOrganizationAdminAccountCommand({ adminAccountId: String(p.AdminAccountId) }));
    }
  }
}

/**
 * The audit account's part of MAC-1 (after the administrator): the organization configuration, the organization's
 * accounts as members (the handler adds every ACTIVE account).
 */
export async function seedMacieOrganization(
  clients: SeedClients, template: Template, accounts: readonly { readonly id: string; readonly email: string }[],
): Promise<void> {
  for (const [, p] of resourcesOf(template, 'Custom::MacieOrganization')) {
    await clients.macie2.send(new UpdateOrganizationConfigurationCommand({ autoEnable: true }));
    for (const account of accounts) {
      if (account.id === p.AdminAccountId) continue;
      await clients.macie2.send(new CreateMemberCommand({ account: { accountId: account.id, email: account.email } }));
    }
    await clients.macie2.send(new UpdateAutomatedDiscoveryConfigurationCommand({
      status: p.AutomatedDiscovery as 'ENABLED' | 'DISABLED',
      autoEnableOrganizationMembers: p.AutoEnableOrganizationMembers as 'ALL' | 'NEW' | 'NONE',
    }));
  }
}

/**
 * The audit account's classification job (`Custom::MacieClassificationJob`, home Region), as the handler creates it.
 * Macie accepts a job over another account's bucket only when that account is an enabled member; in moto the log
 * archive's config id is not in moto's organization, so CreateMember leaves it invited, and the seed makes it a member
 * the way moto can: an invitation the bucket's account accepts (`bucketOwner`: that account's clients in the Region).
 */
export async function seedMacieClassificationJob(
  admin: SeedClients, template: Template, adminAccount: string, bucketOwner: (account: string) => Promise<SeedClients>,
): Promise<void> {
  for (const [, p] of resourcesOf(template, 'Custom::MacieClassificationJob')) {
    const owner = String(p.BucketAccountId);
    if (owner !== adminAccount) {
      await admin.macie2.send(new CreateInvitationsCommand({ accountIds: [owner] }));
      // moto lists an invitation in the inviting account's state, not the invited one's.
      const { invitations } = await admin.macie2.send(new ListInvitationsCommand({}));
      const invitationId = invitations?.find((i) => i.accountId === owner)?.invitationId;
      const member = await bucketOwner(owner);
      try {
        await member.macie2.send(new AcceptInvitationCommand({ administratorAccountId: adminAccount, invitationId }));
      } finally {
        member.destroy();
      }
    }
    const schedules = { DAILY: { dailySchedule: {} }, WEEKLY: { weeklySchedule: { dayOfWeek: 'MONDAY' as const } }, MONTHLY: { monthlySchedule: { dayOfMonth: 1 } } };
    await admin.macie2.send(new CreateClassificationJobCommand({
      clientToken: `verify-local-${String(p.Name)}`,
      name: String(p.Name),
      description: String(p.Description),
      jobType: 'SCHEDULED',
      scheduleFrequency: schedules[String(p.Schedule) as keyof typeof schedules],
      initialRun: true,
      samplingPercentage: Number(p.SamplingPercentage),
      managedDataIdentifierSelector: 'RECOMMENDED',
      s3JobDefinition: { bucketDefinitions: [{ accountId: owner, buckets: [String(p.BucketName)] }] },
    }));
  }
}

/**
 * DET-SH-1 in a member account × Region, as the audit account's central configuration leaves it: Security Hub on with
 * the AI Security Best Practices standard (moto's standards operations come from emulators/moto/securityhub_extension.py).
 */
export async function seedSecurityHubStandard(clients: SeedClients, region: string): Promise<void> {
  await clients.securityhub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
  const requests = [{ StandardsArn: aiSecurityStandardArn(region) }];
  await clients.securityhub.send(new BatchEnableStandardsCommand({ StandardsSubscriptionRequests: requests }));
}

/** DET-CFG-1's recorder in a member account × Region, as the member template declares it, started. */
export async function seedConfigRecorder(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::Config::ConfigurationRecorder')) {
    const group = p.RecordingGroup as { ResourceTypes: string[] };
    const name = String(p.Name);
    await clients.config.send(new PutConfigurationRecorderCommand({
      ConfigurationRecorder: {
        name,
        roleARN: `arn:aws:iam::${placement.account}:role/verify-local-config-recorder`,
        recordingGroup: { allSupported: false, includeGlobalResourceTypes: false, resourceTypes: group.ResourceTypes as never, recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
      },
    }));
    for (const [, channel] of resourcesOf(template, 'AWS::Config::DeliveryChannel')) {
      const bucket = resolveString(channel.S3BucketName, template, placement) ?? `verify-local-config-${placement.account}-${placement.region}`;
      const deliveryChannel = { name: String(channel.Name), s3BucketName: bucket, s3KeyPrefix: String(channel.S3KeyPrefix) };
      await clients.config.send(new PutDeliveryChannelCommand({ DeliveryChannel: deliveryChannel }));
    }
    await clients.config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
  }
}

/**
 * DET-CFG-1 in the audit account × Region: the organization conformance pack by name. moto 5.2.5 requires a
 * TemplateS3Uri even with a TemplateBody, so the seed names an S3 URI (moto reads neither); the rules are not seeded.
 */
export async function seedConformancePack(clients: SeedClients, template: Template): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::Config::OrganizationConformancePack')) {
    await clients.config.send(new PutOrganizationConformancePackCommand({
      OrganizationConformancePackName: String(p.OrganizationConformancePackName),
      TemplateS3Uri: 's3://awsconfigconforms-verify-local/genai-governance-bedrock.json',
      ExcludedAccounts: p.ExcludedAccounts as string[] | undefined,
    }));
  }
}

/** A CloudFormation property value with the API's member names (`FiltersConfig` → `filtersConfig`), tags left out. */
function apiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'Tags').map(([k, v]) => [`${k[0].toLowerCase()}${k.slice(1)}`, apiShape(v)]));
}

/**
 * BR-GR-1 in the management account × Region, as CloudFormation leaves it: the guardrail each Bedrock policy names
 * (`AWS::Bedrock::Guardrail`), its version (`AWS::Bedrock::GuardrailVersion`), and the policy (`BEDROCK_POLICY`) with
 * the version's `<ARN>:<version>` where the template joins them, attached to the root (moto's guardrail operations and
 * policy type come from emulators/moto/bedrock_guardrail_extension.py).
 */
export async function seedGuardrails(clients: SeedClients, template: Template): Promise<void> {
  type Config = { identifier?: { '@@assign'?: unknown } };
  for (const [, p] of resourcesOf(template, 'AWS::Organizations::Policy').filter(([, q]) => q.Type === 'BEDROCK_POLICY')) {
    const content = JSON.parse(JSON.stringify(p.Content)) as { bedrock?: { guardrail_inference?: Record<string, Record<string, Config>> } };
    for (const configs of Object.values(content.bedrock?.guardrail_inference ?? {})) {
      for (const config of Object.values(configs)) {
        const parts = (config.identifier?.['@@assign'] as { 'Fn::Join'?: [string, { 'Fn::GetAtt': [string, string] }[]] } | undefined)?.['Fn::Join']?.[1];
        const guardrail = parts && template.Resources?.[parts[0]['Fn::GetAtt'][0]];
        const version = parts && template.Resources?.[parts[1]['Fn::GetAtt'][0]];
        if (guardrail?.Type !== 'AWS::Bedrock::Guardrail' || version?.Type !== 'AWS::Bedrock::GuardrailVersion') continue;
        const created = await clients.bedrock.send(new CreateGuardrailCommand(apiShape(guardrail.Properties) as CreateGuardrailRequest));
        const versioned = await clients.bedrock.send(new CreateGuardrailVersionCommand({
          guardrailIdentifier: created.guardrailId, description: version.Properties?.Description as string | undefined,
        }));
        config.identifier = { '@@assign': `${created.guardrailArn}:${versioned.version}` };
      }
    }
    const policy = await clients.organizations.send(new CreatePolicyCommand({
      Name: String(p.Name), Type: 'BEDROCK_POLICY', Description: String(p.Description ?? p.Name), Content: JSON.stringify(content),
    }));
    const rootId = (await clients.organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
    for (const target of (p.TargetIds as string[] | undefined) ?? []) {
      if (!target.startsWith('r-')) throw new Error(`Bedrock policy ${String(p.Name)}: the seed attaches Bedrock policies to the root only, not ${target}`);
      await clients.organizations.send(new AttachPolicyCommand({ PolicyId: policy.Policy!.PolicySummary!.Id!, TargetId: rootId }));
    }
  }
}
