import { PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import {
  PutConfigurationRecorderCommand, PutDeliveryChannelCommand, PutOrganizationConformancePackCommand, StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { AddLFTagsToResourceCommand, GrantPermissionsCommand, type Permission, type Resource } from '@aws-sdk/client-lakeformation';
import {
  CreateMemberCommand, EnableOrganizationAdminAccountCommand, UpdateAutomatedDiscoveryConfigurationCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-macie2';
import { BatchEnableStandardsCommand, EnableSecurityHubCommand } from '@aws-sdk/client-securityhub';
import type { SeedClients } from './seed-clients';
import { aiSecurityStandardArn } from '../../../contracts/detective-controls';
import { resourcesOf, type Template } from '../assembly';
import { deliveryFlags, INVOCATION_LOGGING_TYPE } from '../facts-invocation-logging';
import { resolveString, resolveValue, type Placement } from '../template-value';

/*
 * Seeds what the governance's custom resources and Lake Formation resources leave in an account × Region: model-
 * invocation logging as `Custom::BedrockModelInvocationLogging` puts it, the LF-tag associations and grants, and Macie's
 * administrator, organization configuration and classification job as the MAC-1 handlers make them.
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

/** After the LF-tags (`seedAnalytics`): the tag associations, then the grants. */
export async function seedLakeFormation(clients: SeedClients, template: Template, placement: Placement): Promise<void> {
  await seedTagAssociations(clients, template, placement);
  await seedGrants(clients, template, placement);
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
