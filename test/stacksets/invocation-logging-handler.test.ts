import * as path from 'node:path';
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand, type LoggingConfig } from '@aws-sdk/client-bedrock';
import { RETRY } from '../../building-blocks/custom-resources/handlers/custom-resource-runtime';
import { startMoto, type MotoServer } from '../../emulators/moto/moto-server';
import { NOT_CREATED_ID, PHYSICAL_ID } from '../../stacksets/baseline/handlers/invocation-logging';
import { fixRetryJitter, handlerTestBed } from '../support/custom-resource-harness';
import { FaultProxy, THROTTLING } from '../support/fault-proxy';

// BL-LOG-1's handler, as bundled into the member template, against moto_server (Bedrock's logging API) and a local
// response URL. Faults moto cannot produce (throttling, server errors, denials in Bedrock's JSON shape) come from a
// proxy that answers them on the wire, so the SDK's own retry strategy is what is tested.

const ENTRY = path.join(__dirname, '..', '..', 'stacksets', 'baseline', 'handlers', 'invocation-logging.ts');

const PROPERTIES = {
  BucketName: 'genai-governance-invocation-logs-741852096357-eu-west-1',
  KeyPrefix: 'model-invocations',
  LogGroupName: '/genai-governance/bedrock/model-invocations',
  RoleArn: 'arn:aws:iam::741852096357:role/genai-governance-invocation-log-delivery-eu-west-1',
  LargeDataKeyPrefix: 'model-invocations-large-data',
  TextDataDeliveryEnabled: 'true',
  ImageDataDeliveryEnabled: 'true',
  EmbeddingDataDeliveryEnabled: 'true',
  VideoDataDeliveryEnabled: 'true',
  AudioDataDeliveryEnabled: 'true',
  OnDelete: 'keep-logging',
};

const EXPECTED: LoggingConfig = {
  s3Config: { bucketName: PROPERTIES.BucketName, keyPrefix: 'model-invocations' },
  cloudWatchConfig: {
    logGroupName: PROPERTIES.LogGroupName,
    roleArn: PROPERTIES.RoleArn,
    largeDataDeliveryS3Config: { bucketName: PROPERTIES.BucketName, keyPrefix: 'model-invocations-large-data' },
  },
  textDataDeliveryEnabled: true,
  imageDataDeliveryEnabled: true,
  embeddingDataDeliveryEnabled: true,
  videoDataDeliveryEnabled: true,
  audioDataDeliveryEnabled: true,
};

const bed = handlerTestBed(ENTRY, 'AWS_ENDPOINT_URL_BEDROCK', 'eu-west-1');
const { responseUrl, run, useEndpoint } = bed;

async function currentConfig(endpoint = bed.moto().endpoint): Promise<LoggingConfig | undefined> {
  const client = new BedrockClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const out = await client.send(new GetModelInvocationLoggingConfigurationCommand({}));
  return out.loggingConfig && Object.keys(out.loggingConfig).length > 0 ? out.loggingConfig : undefined;
}

test('Create puts the configuration and answers SUCCESS with the singleton physical id', async () => {
  const response = await run('Create', responseUrl.url, PROPERTIES);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, LogicalResourceId: 'InvocationLogging' });
  expect(await currentConfig()).toEqual(EXPECTED);
});

test('a repeated Create is idempotent: same answer, same configuration', async () => {
  const first = await run('Create', responseUrl.url, PROPERTIES);
  const second = await run('Create', responseUrl.url, PROPERTIES);
  expect(second.Status).toBe('SUCCESS');
  expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
  expect(await currentConfig()).toEqual(EXPECTED);
});

test('Update with changed settings replaces the configuration', async () => {
  await run('Create', responseUrl.url, PROPERTIES);
  const changed = { ...PROPERTIES, KeyPrefix: 'v2', ImageDataDeliveryEnabled: 'false', VideoDataDeliveryEnabled: 'false' };
  const response = await run('Update', responseUrl.url, changed, { oldProperties: PROPERTIES });
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  expect(await currentConfig()).toEqual({
    ...EXPECTED,
    s3Config: { bucketName: PROPERTIES.BucketName, keyPrefix: 'v2' },
    imageDataDeliveryEnabled: false,
    videoDataDeliveryEnabled: false,
  });
});

test('Delete with keep-logging leaves logging on', async () => {
  await run('Create', responseUrl.url, PROPERTIES);
  const response = await run('Delete', responseUrl.url, PROPERTIES);
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  expect(await currentConfig()).toEqual(EXPECTED);
});

test('Delete with stop-logging deletes the configuration', async () => {
  await run('Create', responseUrl.url, { ...PROPERTIES, OnDelete: 'stop-logging' });
  const response = await run('Delete', responseUrl.url, { ...PROPERTIES, OnDelete: 'stop-logging' });
  expect(response.Status).toBe('SUCCESS');
  expect(await currentConfig()).toBeUndefined();
});

test('invalid properties fail with the property named, and nothing is written', async () => {
  await run('Create', responseUrl.url, PROPERTIES);
  const response = await run('Update', responseUrl.url, { ...PROPERTIES, TextDataDeliveryEnabled: 'yes' }, { oldProperties: PROPERTIES });
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toContain('TextDataDeliveryEnabled must be "true" or "false", found "yes"');
  expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
  expect(await currentConfig()).toEqual(EXPECTED);
});

test.each(['Text', 'Image', 'Embedding', 'Video', 'Audio'])('%sDataDeliveryEnabled "false" turns off that kind only (read back from moto)', async (kind) => {
  const response = await run('Create', responseUrl.url, { ...PROPERTIES, [`${kind}DataDeliveryEnabled`]: 'false' });
  expect(response.Status).toBe('SUCCESS');
  expect(await currentConfig()).toEqual({ ...EXPECTED, [`${kind.toLowerCase()}DataDeliveryEnabled`]: false });
});

test('a missing data-delivery property fails with its name, and nothing is written', async () => {
  const { AudioDataDeliveryEnabled: _left, ...missing } = PROPERTIES;
  const response = await run('Create', responseUrl.url, missing);
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toContain('AudioDataDeliveryEnabled must be "true" or "false", found undefined');
  expect(await currentConfig()).toBeUndefined();
});

describe('a failing API call (moto enforcing IAM: the caller may not put the configuration)', () => {
  let strict: MotoServer;
  let denied: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };

  beforeAll(async () => {
    // Two unauthenticated requests to create a user without policies and its key; IAM is enforced after that.
    strict = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '2' } });
    const iam = (action: string) => fetch(strict.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'authorization': 'AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/iam/aws4_request' },
      body: `Action=${action}&UserName=workload-admin&Version=2010-05-08`,
    }).then((r) => r.text());
    await iam('CreateUser');
    const key = await iam('CreateAccessKey');
    denied = {
      AWS_ACCESS_KEY_ID: /<AccessKeyId>([^<]+)</.exec(key)![1],
      AWS_SECRET_ACCESS_KEY: /<SecretAccessKey>([^<]+)</.exec(key)![1],
    };
  });

  afterAll(async () => strict?.stop());

  test('Create answers FAILED with the API error, and the Delete that follows touches nothing', async () => {
    // Through a proxy that forwards every request (no fault), to count the requests.
    const counter = new FaultProxy(strict.endpoint, THROTTLING, 0);
    await counter.start();
    try {
      useEndpoint(counter.endpoint, denied);
      const response = await run('Create', responseUrl.url, { ...PROPERTIES, OnDelete: 'stop-logging' });
      expect(response.Status).toBe('FAILED');
      expect(response.PhysicalResourceId).toBe(NOT_CREATED_ID);
      // moto answers IAM denials in XML where Bedrock answers JSON, so the SDK reports a parse error: the reason still
      // names the call, the HTTP status and the request id to look up. The SDK does not retry it (a 403, no throttling).
      expect(response.Reason).toMatch(/^Create failed: PutModelInvocationLoggingConfiguration: SyntaxError: .* \(HTTP 403, request id \w+\)/);
      expect(response.Reason).toContain('log stream 2026/11/23/[$LATEST]abc');
      expect(counter.arrivals).toHaveLength(1);
      // CloudFormation then deletes the failed resource: with NOT_CREATED_ID the handler makes no call (one would be denied).
      const cleanup = await run('Delete', responseUrl.url, { ...PROPERTIES, OnDelete: 'stop-logging' }, { physicalResourceId: NOT_CREATED_ID });
      expect(cleanup).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NOT_CREATED_ID });
      expect(counter.arrivals).toHaveLength(1);
    } finally {
      await counter.stop();
    }
  });
});

test('an AccessDeniedException in Bedrock\'s JSON shape (from a proxy) is reported by name and message', async () => {
  const denial = 'User: arn:aws:sts::741852096357:assumed-role/genai-governance-invocation-logging-eu-west-1/x is not authorized to perform: '
    + 'bedrock:PutModelInvocationLoggingConfiguration with an explicit deny in a service control policy';
  const proxy = new FaultProxy(bed.moto().endpoint, { status: 403, errorType: 'AccessDeniedException', message: denial }, 1);
  await proxy.start();
  try {
    useEndpoint(proxy.endpoint);
    const response = await run('Create', responseUrl.url, PROPERTIES);
    expect(response.Status).toBe('FAILED');
    expect(proxy.arrivals).toHaveLength(1);
    expect(response.Reason).toContain(`Create failed: PutModelInvocationLoggingConfiguration: AccessDeniedException: ${denial} (HTTP 403`);
    expect(await currentConfig()).toBeUndefined();
  } finally {
    await proxy.stop();
  }
});

describe('throttling (a proxy answers 429 ThrottlingException before moto)', () => {
  // After a throttling error the SDK's standard retry mode waits jitter x base x 2^retry, base being its throttling
  // delay (1,000 ms in the SDK this project tests with); with the jitter fixed at 0.1 that is 100, 200, 400 ms, ...
  const JITTER = 0.1;
  const SDK_THROTTLING_BASE_DELAY_MS = 1_000;
  fixRetryJitter(JITTER);

  test('retries with exponential backoff and succeeds', async () => {
    const proxy = new FaultProxy(bed.moto().endpoint, THROTTLING, 3);
    await proxy.start();
    try {
      useEndpoint(proxy.endpoint);
      const response = await run('Create', responseUrl.url, PROPERTIES);
      expect(response.Status).toBe('SUCCESS');
      expect(proxy.arrivals).toHaveLength(4);
      const gaps = proxy.arrivals.slice(1).map((t, i) => t - proxy.arrivals[i]);
      // 100, 200, 400 ms apart (timers may fire a few ms early or late)
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(JITTER * SDK_THROTTLING_BASE_DELAY_MS * 2 ** i - 5));
      expect(await currentConfig()).toEqual(EXPECTED);
    } finally {
      await proxy.stop();
    }
  });

  test(`gives up after ${RETRY.maxAttempts} attempts with the throttling error as the reason`, async () => {
    const proxy = new FaultProxy(bed.moto().endpoint, THROTTLING, Number.MAX_SAFE_INTEGER);
    await proxy.start();
    try {
      useEndpoint(proxy.endpoint);
      const response = await run('Create', responseUrl.url, PROPERTIES);
      expect(proxy.arrivals).toHaveLength(RETRY.maxAttempts);
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/^Create failed: PutModelInvocationLoggingConfiguration: ThrottlingException: Rate exceeded/);
      expect(await currentConfig()).toBeUndefined();
    } finally {
      await proxy.stop();
    }
  });
});

describe('server errors (a proxy answers them before moto)', () => {
  fixRetryJitter(0.1);

  test.each([
    { status: 500, errorType: 'InternalServerException', message: 'Internal server error' },
    { status: 503, errorType: 'ServiceUnavailableException', message: 'Service unavailable' },
  ])('HTTP $status $errorType is retried and the Create succeeds', async (fault) => {
    const proxy = new FaultProxy(bed.moto().endpoint, fault, 2);
    await proxy.start();
    try {
      useEndpoint(proxy.endpoint);
      const response = await run('Create', responseUrl.url, PROPERTIES);
      expect(response.Status).toBe('SUCCESS');
      expect(proxy.arrivals).toHaveLength(3);
      expect(await currentConfig()).toEqual(EXPECTED);
    } finally {
      await proxy.stop();
    }
  });
});
