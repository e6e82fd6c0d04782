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
import { queryProtocolCloudWatchClient } from './cloudwatch-client';
import { verifierRoleArn } from '../../contracts/verifier-role';

/**
 * The SDK clients of one account × Region, with the verifier role's credentials in that account. Every client retries
 * throttling with the SDK's own adaptive retry strategy (`maxAttempts`), calls `endpoint` when one is given, and gives
 * up on a request after `REQUEST_TIMEOUT_MS`, so an account that does not answer is reported, not waited on forever.
 */

/** Attempts per call (the first and the SDK's retries), adaptive: throttled calls also slow the client down. */
export const MAX_ATTEMPTS = 5;
/** How long one HTTP request may take, and how long connecting may take. */
export const REQUEST_TIMEOUT_MS = 15_000;
export const CONNECTION_TIMEOUT_MS = 5_000;

/** Options shared by every client of a run. */
export interface SessionOptions {
  /** Endpoint of every service (`--endpoint-url`, `AWS_ENDPOINT_URL`), e.g. the local moto server. @default the AWS endpoints */
  readonly endpoint?: string;
  /** Role session name the verifier assumes its role with. @default 'genai-governance-verify' */
  readonly sessionName?: string;
  /** Attempts per call, the first included. @default MAX_ATTEMPTS */
  readonly maxAttempts?: number;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function clientConfig(region: string, options: SessionOptions, credentials?: () => Promise<Credentials>) {
  return {
    region,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    retryMode: 'adaptive' as const,
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(credentials && { credentials }),
  };
}

/** Assumes the verifier role in each account once per run (the credentials are shared by its Regions). */
export class VerifierCredentials {
  private readonly byAccount = new Map<string, Promise<Credentials>>();

  constructor(private readonly homeRegion: string, private readonly options: SessionOptions) {}

  /** The verifier role's credentials in `account`; rejects when the role cannot be assumed. */
  public forAccount(account: string): Promise<Credentials> {
    let credentials = this.byAccount.get(account);
    if (!credentials) {
      credentials = this.assume(account);
      this.byAccount.set(account, credentials);
    }
    return credentials;
  }

  private async assume(account: string): Promise<Credentials> {
    const sts = new STSClient(clientConfig(this.homeRegion, this.options));
    try {
      const answer = await sts.send(new AssumeRoleCommand({
        RoleArn: verifierRoleArn(account), RoleSessionName: this.options.sessionName ?? 'genai-governance-verify', DurationSeconds: 3600,
      }));
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole ${verifierRoleArn(account)} returned no credentials`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    } finally {
      sts.destroy();
    }
  }
}

/** The clients of one account × Region, made when first used, and what its readers cache for one run. */
export class AccountSession {
  /** Answers shared by the facts of this account × Region (one DescribeAlarms for every alarm, …). */
  public readonly cache = new Map<string, Promise<unknown>>();
  private readonly clients = new Map<string, { destroy(): void }>();

  constructor(
    public readonly account: string,
    public readonly region: string,
    private readonly credentials: () => Promise<Credentials>,
    private readonly options: SessionOptions,
  ) {}

  public get organizations(): OrganizationsClient { return this.client('organizations', (c) => new OrganizationsClient(c)); }
  public get cloudtrail(): CloudTrailClient { return this.client('cloudtrail', (c) => new CloudTrailClient(c)); }
  public get s3(): S3Client {
    // An endpoint other than AWS's serves buckets by path (`<endpoint>/<bucket>`), not as `<bucket>.<host>`.
    return this.client('s3', (c) => new S3Client({ ...c, forcePathStyle: this.options.endpoint !== undefined }));
  }
  public get cloudwatch(): CloudWatchClient { return this.client('cloudwatch', (c) => queryProtocolCloudWatchClient(c)); }
  public get ssm(): SSMClient { return this.client('ssm', (c) => new SSMClient(c)); }
  public get glue(): GlueClient { return this.client('glue', (c) => new GlueClient(c)); }
  public get lakeformation(): LakeFormationClient { return this.client('lakeformation', (c) => new LakeFormationClient(c)); }
  public get bedrock(): BedrockClient { return this.client('bedrock', (c) => new BedrockClient(c)); }
  public get macie2(): Macie2Client { return this.client('macie2', (c) => new Macie2Client(c)); }
  public get securityhub(): SecurityHubClient { return this.client('securityhub', (c) => new SecurityHubClient(c)); }
  public get config(): ConfigServiceClient { return this.client('config', (c) => new ConfigServiceClient(c)); }

  /** Once per key: the first caller's promise, for every fact of this session. */
  public once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let answer = this.cache.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = read();
      this.cache.set(key, answer);
    }
    return answer;
  }

  public destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private client<T extends { destroy(): void }>(name: string, make: (config: ReturnType<typeof clientConfig>) => T): T {
    let client = this.clients.get(name) as T | undefined;
    if (!client) {
      client = make(clientConfig(this.region, this.options, this.credentials));
      this.clients.set(name, client);
    }
    return client;
  }
}
