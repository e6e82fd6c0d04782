import { PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { AddLFTagsToResourceCommand, GrantPermissionsCommand, type Permission, type Resource } from '@aws-sdk/client-lakeformation';
import {
  CreateMemberCommand, EnableOrganizationAdminAccountCommand, UpdateAutomatedDiscoveryConfigurationCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-macie2';
import type { SeedClients } from './seed-clients';
import { resourcesOf, type Template } from '../assembly';
import { INVOCATION_LOGGING_TYPE } from '../facts-invocation-logging';
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
    if (!bucketName || !logGroupName) continue;
    const flag = (kind: string) => p[`${kind}DataDeliveryEnabled`] === 'true';
    await clients.bedrock.send(new PutModelInvocationLoggingConfigurationCommand({
      loggingConfig: {
        s3Config: { bucketName, keyPrefix: String(p.KeyPrefix) },
        cloudWatchConfig: {
          logGroupName,
          roleArn: `arn:aws:iam::${placement.account}:role/verify-local-invocation-logging-delivery`,
          largeDataDeliveryS3Config: { bucketName, keyPrefix: String(p.LargeDataKeyPrefix) },
        },
        textDataDeliveryEnabled: flag('Text'),
        imageDataDeliveryEnabled: flag('Image'),
        embeddingDataDeliveryEnabled: flag('Embedding'),
        videoDataDeliveryEnabled: flag('Video'),
        audioDataDeliveryEnabled: flag('Audio'),
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
