import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GlueClient } from '@aws-sdk/client-glue';
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { queryProtocolCloudWatchClient } from '../cloudwatch-client';

/**
 * The clients the seed writes one account × Region of the emulated estate with. The emulator (moto) tells accounts
 * apart by the credentials: those of `sts:AssumeRole` on a role ARN belong to that ARN's account. The seed assumes
 * `SEED_ROLE_NAME`, the role Organizations creates in the accounts it creates, as a person would to change an account.
 */
export const SEED_ROLE_NAME = 'OrganizationAccountAccessRole';

/** Credentials the emulator accepts for the first call (it checks no signature). */
export const LOCAL_BASE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface SeedClients {
  readonly organizations: OrganizationsClient;
  readonly cloudtrail: CloudTrailClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly ssm: SSMClient;
  readonly glue: GlueClient;
  readonly lakeformation: LakeFormationClient;
  readonly bedrock: BedrockClient;
  readonly macie2: Macie2Client;
  readonly securityhub: SecurityHubClient;
  readonly config: ConfigServiceClient;
  destroy(): void;
}

export async function seedClients(endpoint: string, account: string, region: string): Promise<SeedClients> {
  const sts = new STSClient({ endpoint, region, credentials: LOCAL_BASE_CREDENTIALS });
  const answer = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${SEED_ROLE_NAME}`, RoleSessionName: 'verify-local-seed' }));
  sts.destroy();
  const c = answer.Credentials!;
  const config = {
    endpoint,
    region,
    maxAttempts: 3,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
  };
  const clients = {
    organizations: new OrganizationsClient(config),
    cloudtrail: new CloudTrailClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cloudwatch: queryProtocolCloudWatchClient(config),
    ssm: new SSMClient(config),
    glue: new GlueClient(config),
    lakeformation: new LakeFormationClient(config),
    bedrock: new BedrockClient(config),
    macie2: new Macie2Client(config),
    securityhub: new SecurityHubClient(config),
    config: new ConfigServiceClient(config),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

/** A template value with every part CloudFormation computes at deploy time (`Ref`, `Fn::*`) left out. */
export function literalOnly(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.filter((v) => !isComputed(v)).map(literalOnly);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !isComputed(v)).map(([k, v]) => [k, literalOnly(v)]));
}

function isComputed(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::'));
}
