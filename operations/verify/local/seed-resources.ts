import { CreateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand, type AdvancedEventSelector } from '@aws-sdk/client-cloudtrail';
import { PutCompositeAlarmCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CreateDatabaseCommand, CreateTableCommand, type DatabaseInput, type TableInput } from '@aws-sdk/client-glue';
import { CreateLFTagCommand } from '@aws-sdk/client-lakeformation';
import { CreateBucketCommand, PutObjectLockConfigurationCommand, type BucketLocationConstraint, type ObjectLockConfiguration } from '@aws-sdk/client-s3';
import { PutParameterCommand, type ParameterType } from '@aws-sdk/client-ssm';
import { literalOnly, type SeedClients } from './seed-clients';
import { resourcesOf, type Template } from '../assembly';
import { isLiteral } from '../fact';

/**
 * Seeds one account × Region of the emulated estate from a template: what the verifier reads, with each resource's
 * properties as the template gives them, less what CloudFormation computes at deploy time (alarm actions, log group
 * ARNs, …). Buckets only when their name is literal; the trail after its bucket.
 */

export async function seedBuckets(clients: SeedClients, template: Template, region: string): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::S3::Bucket')) {
    if (typeof p.BucketName !== 'string') continue;
    await clients.s3.send(new CreateBucketCommand({
      Bucket: p.BucketName,
      ObjectLockEnabledForBucket: p.ObjectLockEnabled === true,
      ...(region !== 'us-east-1' && { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }));
    if (p.ObjectLockConfiguration) {
      await clients.s3.send(new PutObjectLockConfigurationCommand({
        Bucket: p.BucketName, ObjectLockConfiguration: p.ObjectLockConfiguration as ObjectLockConfiguration,
      }));
    }
  }
}

export async function seedTrails(clients: SeedClients, template: Template): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::CloudTrail::Trail')) {
    const name = String(p.TrailName);
    await clients.cloudtrail.send(new CreateTrailCommand({
      Name: name,
      S3BucketName: String(p.S3BucketName),
      IsMultiRegionTrail: p.IsMultiRegionTrail === true,
      IsOrganizationTrail: p.IsOrganizationTrail === true,
      IncludeGlobalServiceEvents: p.IncludeGlobalServiceEvents !== false,
      EnableLogFileValidation: p.EnableLogFileValidation === true,
      ...(isLiteral(p.KMSKeyId) && { KmsKeyId: p.KMSKeyId as string }),
    }));
    if (Array.isArray(p.AdvancedEventSelectors)) {
      const selectors = p.AdvancedEventSelectors as AdvancedEventSelector[];
      await clients.cloudtrail.send(new PutEventSelectorsCommand({ TrailName: name, AdvancedEventSelectors: selectors }));
    }
    if (p.IsLogging === true) await clients.cloudtrail.send(new StartLoggingCommand({ Name: name }));
  }
}

export async function seedAlarms(clients: SeedClients, template: Template): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    if (typeof p.AlarmName !== 'string') continue;
    await clients.cloudwatch.send(new PutMetricAlarmCommand(literalOnly(p) as PutMetricAlarmCommandInput));
  }
  for (const [, p] of resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm')) {
    if (typeof p.AlarmName !== 'string' || typeof p.AlarmRule !== 'string') continue;
    const { AlarmName, AlarmRule, AlarmDescription, Tags } = literalOnly(p) as Record<string, never>;
    await clients.cloudwatch.send(new PutCompositeAlarmCommand({ AlarmName, AlarmRule, AlarmDescription, Tags }));
  }
}

/** The seeded value of a parameter whose value the template computes (an id of the account's own resources). */
export function seededParameterValue(logicalId: string): string {
  return `verify-local: computed at deploy time by ${logicalId}`;
}

export async function seedParameters(clients: SeedClients, template: Template, prefix: string): Promise<void> {
  for (const [id, p] of resourcesOf(template, 'AWS::SSM::Parameter')) {
    if (typeof p.Name !== 'string' || !p.Name.startsWith(prefix)) continue;
    const value = typeof p.Value === 'string' ? p.Value : seededParameterValue(id);
    await clients.ssm.send(new PutParameterCommand({ Name: p.Name, Type: p.Type as ParameterType, Value: value, Overwrite: true }));
  }
}

export async function seedAnalytics(clients: SeedClients, template: Template, account: string): Promise<void> {
  for (const [, p] of resourcesOf(template, 'AWS::Glue::Database')) {
    await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: literalOnly(p.DatabaseInput) as DatabaseInput }));
  }
  for (const [, p] of resourcesOf(template, 'AWS::Glue::Table')) {
    await clients.glue.send(new CreateTableCommand({ DatabaseName: String(p.DatabaseName), TableInput: literalOnly(p.TableInput) as TableInput }));
  }
  for (const [, p] of resourcesOf(template, 'AWS::LakeFormation::Tag')) {
    await clients.lakeformation.send(new CreateLFTagCommand({ CatalogId: account, TagKey: String(p.TagKey), TagValues: p.TagValues as string[] }));
  }
}
