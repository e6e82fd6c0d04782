import { runSimulation } from '@cloud-copilot/iam-simulate';
import { accountIdOf } from '../../config/accounts';
import { ALERT_BUS_NAME } from '../../contracts/alert-bus';
import { invocationLogArchiveBucketName } from '../../contracts/archive-names';
import { TRAIL_LOG_GROUP_NAME } from '../../contracts/governance-log-groups';
import { INVOCATION_LOG_GROUP_NAME, LARGE_DATA_KEY_PREFIX } from '../../contracts/invocation-logging-names';
import { exampleEstate, type SynthesizedStack } from '../support/example-estate';
import { deployPlace, resolveIntrinsics, type Place, type Template } from '../support/resolve-intrinsics';

/**
 * Every role and resource policy an AWS service uses on the estate's behalf, evaluated with iam-simulate on the
 * synthesized template resolved in its account and Region, with the requests the service makes and the real ARN shapes
 * (a log stream is `arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:<stream>`): each is allowed, and a
 * neighbouring request (another log group, bucket, prefix or bus) is denied. Macie → the archive key is proven in
 * test/stacks/macie.test.ts, the OAM sink policy in test/stacks/observability.test.ts, member replication into the
 * archive's bucket policy and RCPs in test/stacks/log-archive.test.ts, and the audit bus policy in
 * test/stacksets/baseline-alert-forwarding.test.ts.
 */

const estate = exampleEstate();
const { config } = estate;
const MEMBER = accountIdOf(config, 'support-chat-prod');
const MEMBER_REGION = 'eu-west-1';
const MANAGEMENT = accountIdOf(config, config.topology.management);
const AUDIT = accountIdOf(config, config.topology.audit);
const ARCHIVE_ACCOUNT = accountIdOf(config, config.topology.logArchive);
const HOME = config.organization.homeRegion;

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** A stack's resources of `types`, resolved where it deploys (member templates: the member account and Region above). */
function resolved(stack: SynthesizedStack, ...types: string[]): { resources: Resources; place: Place } {
  const place = deployPlace(stack, { account: MEMBER, region: MEMBER_REGION });
  const template = stack.artifact.template as Template;
  const ofTypes = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => types.includes(r.Type)));
  return { resources: resolveIntrinsics(ofTypes, template, place), place };
}

/** The identity policy of the role named `roleName` (its managed policies), as AWS would evaluate it. */
function rolePolicy(stack: SynthesizedStack, roleName: string): { policy: unknown; roleArn: string } {
  const { resources, place } = resolved(stack, 'AWS::IAM::ManagedPolicy');
  const documents = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && (r.Properties!.Roles as string[]).includes(roleName));
  expect([roleName, documents.length > 0]).toEqual([roleName, true]);
  return {
    policy: { Version: '2012-10-17', Statement: documents.flatMap((d) => d.Properties!.PolicyDocument.Statement) },
    roleArn: `arn:aws:iam::${place.account}:role/${roleName}`,
  };
}

type PropertiesMatch = (properties: Record<string, any>) => boolean;

/** The policy in `documentProperty` of the one resource of `type` that `match`es (the bucket policy of a bucket, say). */
function resourcePolicy(stack: SynthesizedStack, type: string, match: PropertiesMatch, documentProperty: string): unknown {
  const { resources } = resolved(stack, type);
  const found = Object.values(resources).filter((r) => r.Type === type && match(r.Properties ?? {}));
  expect([type, found.length]).toEqual([type, 1]);
  return found[0].Properties![documentProperty];
}

async function evaluate(request: {
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  identityPolicy?: unknown;
  resourcePolicy?: unknown;
  context?: Record<string, string | string[]>;
}): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: request.context ?? {},
    },
    identityPolicies: request.identityPolicy ? [{ name: 'identity', policy: request.identityPolicy }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy !== undefined && { resourcePolicy: request.resourcePolicy }),
  }, {});
  if (result.resultType === 'error') throw new Error(`simulation error for ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** The context AWS sets for a role of a member account of the organization. */
const fromOrganization = (roleArn: string) => ({
  'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': roleArn.split(':')[4], 'aws:PrincipalOrgID': config.organization.id, 'aws:PrincipalIsAWSService': 'false',
});

const logStream = (account: string, region: string, group: string, stream: string) => `arn:aws:logs:${region}:${account}:log-group:${group}:log-stream:${stream}`;

describe('CT-1: CloudTrail → CloudWatch Logs, with the trail\'s role', () => {
  const { policy, roleArn } = rolePolicy(estate.organizationTrail, 'genai-governance-cloudtrail-logs');
  // An organization trail names its streams <organization id>_<account id>_CloudTrail_<Region>.
  const stream = `${config.organization.id}_${MEMBER}_CloudTrail_${MEMBER_REGION}`;
  const asTrail = (action: string, resource: string) =>
    evaluate({ principal: roleArn, action, resource, resourceAccount: MANAGEMENT, identityPolicy: policy });

  test('denied: writing a stream of another log group', async () => {
    expect(await asTrail('logs:PutLogEvents', logStream(MANAGEMENT, HOME, '/aws/lambda/something-else', stream))).toBe('ImplicitlyDenied');
  });

  test.each(['logs:CreateLogStream', 'logs:PutLogEvents'])('allowed: %s on a stream of the trail\'s log group', async (action) => {
    expect(await asTrail(action, logStream(MANAGEMENT, HOME, TRAIL_LOG_GROUP_NAME, stream))).toBe('Allowed');
  });
});

describe('BL-LOG-1: Bedrock → CloudWatch Logs and S3, with the delivery role', () => {
  const { policy, roleArn } = rolePolicy(estate.baseline.regional, `genai-governance-invocation-log-delivery-${MEMBER_REGION}`);
  const bucket = `genai-governance-invocation-logs-${MEMBER}-${MEMBER_REGION}`;
  const asDelivery = (action: string, resource: string) =>
    evaluate({ principal: roleArn, action, resource, resourceAccount: MEMBER, identityPolicy: policy });
  // Bedrock writes to the stream aws/bedrock/modelinvocations of the configured log group.
  const invocationStream = logStream(MEMBER, MEMBER_REGION, INVOCATION_LOG_GROUP_NAME, 'aws/bedrock/modelinvocations');

  test('denied: another log group, and objects outside the large-data prefix', async () => {
    expect(await asDelivery('logs:PutLogEvents', logStream(MEMBER, MEMBER_REGION, '/genai-governance/other', 'aws/bedrock/modelinvocations'))).toBe('ImplicitlyDenied');
    expect(await asDelivery('s3:PutObject', `arn:aws:s3:::${bucket}/model-invocations/AWSLogs/${MEMBER}/x.json.gz`)).toBe('ImplicitlyDenied');
  });

  test.each(['logs:CreateLogStream', 'logs:PutLogEvents'])('allowed: %s on the invocation log group\'s stream', async (action) => {
    expect(await asDelivery(action, invocationStream)).toBe('Allowed');
  });

  test('allowed: large bodies into the large-data prefix of the delivery bucket', async () => {
    expect(await asDelivery('s3:PutObject', `arn:aws:s3:::${bucket}/${LARGE_DATA_KEY_PREFIX}/AWSLogs/${MEMBER}/BedrockModelInvocationLogs/x.json`)).toBe('Allowed');
  });
});

describe('BL-LOG-1: Bedrock → the delivery bucket, by its bucket policy', () => {
  const bucket = `genai-governance-invocation-logs-${MEMBER}-${MEMBER_REGION}`;
  const policy = resourcePolicy(estate.baseline.regional, 'AWS::S3::BucketPolicy', (p) => p.Bucket === bucket, 'PolicyDocument');
  const key = `arn:aws:s3:::${bucket}/model-invocations/AWSLogs/${MEMBER}/BedrockModelInvocationLogs/${MEMBER_REGION}/2026/11/30/10/x.json.gz`;
  const fromBedrock = (resource: string, sourceAccount: string) => evaluate({
    principal: 'bedrock.amazonaws.com',
    action: 's3:PutObject',
    resource,
    resourceAccount: MEMBER,
    resourcePolicy: policy,
    context: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': `arn:aws:bedrock:${MEMBER_REGION}:${sourceAccount}:*`, 'aws:SecureTransport': 'true' },
  });

  test('denied: on behalf of another account, and outside the log prefix', async () => {
    expect(await fromBedrock(key, '999988887777')).not.toBe('Allowed');
    expect(await fromBedrock(`arn:aws:s3:::${bucket}/elsewhere/x.json.gz`, MEMBER)).not.toBe('Allowed');
  });

  test('allowed: Bedrock delivers this account\'s invocation logs', async () => {
    expect(await fromBedrock(key, MEMBER)).toBe('Allowed');
  });
});

describe('BL-LOG-1: S3 replication → the archive, with the replication role (and the archive\'s bucket and key policies)', () => {
  const { policy, roleArn } = rolePolicy(estate.baseline.regional, `genai-governance-log-replication-${MEMBER_REGION}`);
  const archive = invocationLogArchiveBucketName(config);
  const bucketPolicy = resourcePolicy(estate.logArchive, 'AWS::S3::BucketPolicy', (p) => p.Bucket === archive, 'PolicyDocument');
  const keyPolicy = resourcePolicy(estate.logArchive, 'AWS::KMS::Key', () => true, 'KeyPolicy');
  const replica = `arn:aws:s3:::${archive}/model-invocations/AWSLogs/${MEMBER}/BedrockModelInvocationLogs/${MEMBER_REGION}/2026/11/30/10/x.json.gz`;
  type Request = { action: string; resource: string; resourceAccount: string; resourcePolicy?: unknown; context?: Record<string, string | string[]> };
  const asReplication = (request: Request) =>
    evaluate({ principal: roleArn, identityPolicy: policy, ...request, context: { ...fromOrganization(roleArn), ...request.context } });
  const archiveKey = `arn:aws:kms:${HOME}:${ARCHIVE_ACCOUNT}:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;

  test('denied: another bucket, and the archive key without its alias or outside S3', async () => {
    expect(await asReplication({ action: 's3:ReplicateObject', resource: 'arn:aws:s3:::someone-elses-bucket/x', resourceAccount: '999988887777' })).toBe('ImplicitlyDenied');
    expect(await asReplication({
      action: 'kms:GenerateDataKey',
      resource: archiveKey,
      resourceAccount: ARCHIVE_ACCOUNT,
      resourcePolicy: keyPolicy,
      context: { 'kms:ViaService': `s3.${HOME}.amazonaws.com`, 'kms:ResourceAliases': ['alias/someone-elses-key'] },
    })).toBe('ImplicitlyDenied');
    expect(await asReplication({
      action: 'kms:GenerateDataKey',
      resource: archiveKey,
      resourceAccount: ARCHIVE_ACCOUNT,
      resourcePolicy: keyPolicy,
      context: { 'kms:ViaService': `lambda.${HOME}.amazonaws.com`, 'kms:ResourceAliases': ['alias/genai-governance-archive'] },
    })).toBe('ImplicitlyDenied');
  });

  test('allowed: replicas into the archive, encrypted with the archive key through S3, and reading the source versions', async () => {
    expect(await asReplication({ action: 's3:ReplicateObject', resource: replica, resourceAccount: ARCHIVE_ACCOUNT, resourcePolicy: bucketPolicy })).toBe('Allowed');
    expect(await asReplication({
      action: 'kms:GenerateDataKey',
      resource: archiveKey,
      resourceAccount: ARCHIVE_ACCOUNT,
      resourcePolicy: keyPolicy,
      context: { 'kms:ViaService': `s3.${HOME}.amazonaws.com`, 'kms:ResourceAliases': ['alias/genai-governance-archive'] },
    })).toBe('Allowed');
    const source = `arn:aws:s3:::genai-governance-invocation-logs-${MEMBER}-${MEMBER_REGION}/model-invocations/AWSLogs/${MEMBER}/x.json.gz`;
    expect(await asReplication({ action: 's3:GetObjectVersionForReplication', resource: source, resourceAccount: MEMBER })).toBe('Allowed');
  });
});

describe('Lambda → its own log group, with each custom-resource handler\'s role', () => {
  // [function name, its stack, its role's name]
  const handlers: [string, SynthesizedStack, string][] = [
    ['genai-governance-macie-administrator-registration', estate.management, 'genai-governance-macie-administrator-registration'],
    [`genai-governance-macie-organization-${HOME}`, estate.macie[0], `genai-governance-macie-organization-${HOME}`],
    ['genai-governance-macie-classification-job', estate.macie[0], 'genai-governance-macie-classification-job'],
    ['genai-governance-invocation-logging', estate.baseline.regional, `genai-governance-invocation-logging-${MEMBER_REGION}`],
  ];

  describe.each(handlers)('%s', (name, stack, roleName) => {
    const { policy, roleArn } = rolePolicy(stack, roleName);
    const { place } = resolved(stack);
    // Lambda names its streams <date>/[<version>]<instance id>.
    const stream = '2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef';
    const asHandler = (action: string, group: string) => evaluate({
      principal: roleArn,
      action,
      resource: logStream(place.account, place.region, group, stream),
      resourceAccount: place.account,
      identityPolicy: policy,
    });

    test('denied: another function\'s log group', async () => {
      expect(await asHandler('logs:PutLogEvents', '/aws/lambda/another-function')).toBe('ImplicitlyDenied');
    });

    test.each(['logs:CreateLogStream', 'logs:PutLogEvents'])('allowed: %s on its own log group', async (action) => {
      expect(await asHandler(action, `/aws/lambda/${name}`)).toBe('Allowed');
    });
  });
});

describe('BL-MON-1: EventBridge → the audit account\'s bus, with the forwarding role (and the bus policy)', () => {
  const { policy, roleArn } = rolePolicy(estate.baseline.regional, `genai-governance-alert-forwarding-${MEMBER_REGION}`);
  const busPolicy = resourcePolicy(estate.auditAlerts, 'AWS::Events::EventBus', (p) => p.Name === ALERT_BUS_NAME, 'Policy');
  const asForwarder = (resource: string, account: string) => evaluate({
    principal: roleArn, action: 'events:PutEvents', resource, resourceAccount: account, identityPolicy: policy, resourcePolicy: busPolicy, context: fromOrganization(roleArn),
  });

  test('denied: another bus', async () => {
    expect(await asForwarder(`arn:aws:events:${HOME}:${AUDIT}:event-bus/default`, AUDIT)).toBe('ImplicitlyDenied');
  });

  test('allowed: the audit account\'s alert bus in the home Region', async () => {
    expect(await asForwarder(`arn:aws:events:${HOME}:${AUDIT}:event-bus/${ALERT_BUS_NAME}`, AUDIT)).toBe('Allowed');
  });
});
