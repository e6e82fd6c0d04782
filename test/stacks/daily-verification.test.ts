import { Match } from 'aws-cdk-lib/assertions';
import { accountIdOf } from '../../config/accounts';
import { trailArchiveBucketName } from '../../contracts/archive-names';
import { VERIFIER_ROLE_NAME } from '../../contracts/verifier-role';
import { ACCOUNTS_UNREADABLE, CONTROLS_IN_DRIFT, VERIFICATION_NAMESPACE } from '../../operations/verify/daily-run';
import {
  EXPECTED_FACTS_KEY, VERIFICATION_REPORT_PREFIX, VERIFIER_READ_ACTIONS, VERIFY_DAILY_NAME, VERIFY_OPERATOR_ROLE_NAME,
} from '../../policies/verifier-access';
import { exampleEstate, type SynthesizedStack } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { resolveIntrinsics } from '../support/resolve-intrinsics';

type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[] }>;

/*
 * VER-1 in the synthesized templates: the verifier role in every account the verifier reads (member template,
 * log archive, audit), the daily function with its schedule, role and alarms in the audit account, and the archive's
 * bucket and key policies that admit its reports. The write path is evaluated with the synthesized bucket policy and
 * the RCPs (iam-simulate), not only matched.
 */

const { config, assembly, baseline, logArchive, auditAlerts, auditAnalytics } = exampleEstate();
const audit = accountIdOf(config, config.topology.audit);
const dailyRole = `arn:aws:iam::${audit}:role/${VERIFY_DAILY_NAME}`;
const operatorRole = `arn:aws:iam::${audit}:role/${VERIFY_OPERATOR_ROLE_NAME}`;
const archive = trailArchiveBucketName(config);

function resourcesOf(stack: SynthesizedStack, type: string): Resources {
  const all = stack.template.toJSON().Resources as Resources;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type));
}

function verifierIn(stack: SynthesizedStack) {
  const roles = Object.values(resourcesOf(stack, 'AWS::IAM::Role')).filter((r) => r.Properties.RoleName === VERIFIER_ROLE_NAME);
  const policies = Object.values(resourcesOf(stack, 'AWS::IAM::ManagedPolicy')).filter((r) => r.Properties.ManagedPolicyName === VERIFIER_ROLE_NAME);
  return { roles, policies };
}

describe('VER-1: the verifier role in every account the verifier reads', () => {
  test.each([
    ['the member baseline (every target account)', () => baseline.global],
    ['the log-archive account', () => logArchive],
    ['the audit account', () => auditAnalytics],
  ])('%s has one genai-governance-verifier role trusting only the audit account\'s two verifier roles', (_, stack) => {
    const { roles, policies } = verifierIn(stack());
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'AuditVerifiersOnly',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${audit}:root` },
        Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:PrincipalArn': [dailyRole, operatorRole] } },
      }],
    });
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'VerifierReads', Effect: 'Allow', Action: VERIFIER_READ_ACTIONS.filter((a) => a !== 'ssm:GetParameters'), Resource: '*' },
      {
        Sid: 'VerifierReadsContract',
        Effect: 'Allow',
        Action: ['ssm:GetParameters'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':parameter/genai-governance/workload/*']] },
      },
    ]);
    expect(VERIFIER_READ_ACTIONS.every((a) => /^[a-z0-9]+:(Get|Describe|List)[A-Za-z]+$/.test(a))).toBe(true);
  });

  test('the audit account\'s role is granted DESCRIBE in Lake Formation on the tagged database, tables and every LF-tag', () => {
    const grants = Object.values(resourcesOf(auditAnalytics, 'AWS::LakeFormation::PrincipalPermissions'))
      .filter((g) => JSON.stringify(g.Properties.Principal).includes(`role/${VERIFIER_ROLE_NAME}`));
    expect(grants.map((g) => g.Properties.Permissions)).toEqual(grants.map(() => ['DESCRIBE']));
    expect(grants.map((g) => Object.keys(g.Properties.Resource)[0]).sort()).toEqual(['LFTag', 'LFTag', 'LFTagPolicy', 'LFTagPolicy']);
  });
});

describe('VER-1: the daily verification in the audit account', () => {
  const resources = auditAlerts.template.toJSON().Resources as Resources;
  const fnId = auditAlerts.logicalIdAt('DailyVerification/Function/Handler');
  const fn = resources[fnId];

  test('runs the bundled verifier from a code asset for up to Lambda\'s 15 minutes, with the archive and the facts named', () => {
    expect(fn.Properties).toMatchObject({
      FunctionName: VERIFY_DAILY_NAME,
      Timeout: 900,
      MemorySize: 1024,
      Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) },
      Environment: {
        Variables: {
          ARCHIVE_BUCKET: archive,
          FACTS_KEY: EXPECTED_FACTS_KEY,
          REPORT_PREFIX: VERIFICATION_REPORT_PREFIX,
          RETENTION_DAYS: String(config.retention.objectLockDays),
          CONCURRENCY: '8',
        },
      },
    });
  });

  test('is started once a day by an EventBridge schedule', () => {
    auditAlerts.template.hasResourceProperties('AWS::Events::Rule', {
      Name: VERIFY_DAILY_NAME,
      ScheduleExpression: 'cron(0 5 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 } })],
    });
  });

  test('its role may assume only the verifier roles of the organization, read the facts, write reports and put its own metrics', () => {
    const role = Object.values(resourcesOf(auditAlerts, 'AWS::IAM::Role')).find((r) => r.Properties.RoleName === VERIFY_DAILY_NAME)!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: 'lambda.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    })]);
    const policy = Object.values(resourcesOf(auditAlerts, 'AWS::IAM::ManagedPolicy')).find((r) => r.Properties.ManagedPolicyName === VERIFY_DAILY_NAME)!;
    const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as any[]).map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['ArchiveKeyThroughS3', 'AssumeVerifierRoles', 'PutVerificationMetrics', 'ReadExpectedFacts', 'WriteOwnLogs', 'WriteReports']);
    expect(bySid.AssumeVerifierRoles).toMatchObject({ Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:ResourceOrgID': config.organization.id } } });
    expect(JSON.stringify(bySid.AssumeVerifierRoles.Resource)).toContain(`:role/${VERIFIER_ROLE_NAME}`);
    expect(bySid.WriteReports.Action).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
    expect(JSON.stringify(bySid.WriteReports.Resource)).toContain(`:s3:::${archive}/${VERIFICATION_REPORT_PREFIX}*`);
    expect(bySid.PutVerificationMetrics).toMatchObject({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': VERIFICATION_NAMESPACE } } });
  });

  test('alarms to the alert topic on controls in drift, accounts unreadable and two days without a run', () => {
    const topicId = auditAlerts.logicalIdAt('Topic');
    const alarms = Object.values(resourcesOf(auditAlerts, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.Namespace === VERIFICATION_NAMESPACE);
    expect(alarms.map((a) => [a.Properties.MetricName, a.Properties.Statistic, a.Properties.ComparisonOperator, a.Properties.Threshold,
      a.Properties.Period, a.Properties.EvaluationPeriods, a.Properties.TreatMissingData]).sort()).toEqual([
      [ACCOUNTS_UNREADABLE, 'Maximum', 'GreaterThanOrEqualToThreshold', 1, 86400, 1, 'ignore'],
      [CONTROLS_IN_DRIFT, 'Maximum', 'GreaterThanOrEqualToThreshold', 1, 86400, 1, 'ignore'],
      [CONTROLS_IN_DRIFT, 'SampleCount', 'LessThanThreshold', 1, 86400, 2, 'breaching'],
    ].sort());
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    const keyId = auditAlerts.logicalIdAt('TopicKey');
    expect(resources[keyId].Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' },
    })]));
  });

  test('the operator role is assumable from the audit account only and may publish the facts, nothing else in the archive', () => {
    const role = Object.values(resourcesOf(auditAlerts, 'AWS::IAM::Role')).find((r) => r.Properties.RoleName === VERIFY_OPERATOR_ROLE_NAME)!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
    }]);
    const policy = Object.values(resourcesOf(auditAlerts, 'AWS::IAM::ManagedPolicy')).find((r) => r.Properties.ManagedPolicyName === VERIFY_OPERATOR_ROLE_NAME)!;
    const publish = (policy.Properties.PolicyDocument.Statement as any[]).find((s) => s.Sid === 'PublishExpectedFacts');
    expect(JSON.stringify(publish.Resource)).toContain(`:s3:::${archive}/${EXPECTED_FACTS_KEY}`);
  });
});

describe('VER-1: the archive admits the reports (synthesized bucket policy, identity policies and SCPs/RCPs evaluated)', () => {
  const resources = logArchive.template.toJSON().Resources as Resources;
  const bucketId = logArchive.logicalIdAt('TrailArchive/Bucket');
  const bucketPolicy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId)!;
  const place = { account: logArchive.account, region: logArchive.region };
  const policy = resolveIntrinsics(bucketPolicy.Properties.PolicyDocument, logArchive.template.toJSON() as any, place);
  const identity = (name: string) => resolveIntrinsics(
    Object.values(resourcesOf(auditAlerts, 'AWS::IAM::ManagedPolicy')).find((r) => r.Properties.ManagedPolicyName === name)!.Properties.PolicyDocument,
    auditAlerts.template.toJSON() as any, { account: audit, region: auditAlerts.region });
  const simulator = new OrgSimulator(assembly, config);
  const archiveArn = `arn:aws:s3:::${archive}`;
  const request = (account: string, role: string, action: string, key: string) => simulator.evaluate({
    account,
    role,
    action,
    resource: `${archiveArn}/${key}`,
    resourceAccount: logArchive.account,
    resourcePolicy: policy,
    identityPolicy: role === VERIFY_DAILY_NAME || role === VERIFY_OPERATOR_ROLE_NAME ? identity(role) : undefined,
    context: { 'aws:RequestedRegion': config.organization.homeRegion },
  });
  const report = `${VERIFICATION_REPORT_PREFIX}2026/12/07/verify-report-2026-12-07T05-00-00-000Z.json`;

  test('the bucket policy statements name the two roles by aws:PrincipalArn within the organization', () => {
    const statements = (policy.Statement as any[]).filter((s) => String(s.Sid).startsWith('Verification'));
    expect(statements.map((s) => s.Sid).sort()).toEqual(['VerificationExpectedFactsPublish', 'VerificationExpectedFactsRead', 'VerificationReportsWrite']);
    for (const s of statements) expect(s.Condition.StringEquals['aws:PrincipalOrgID']).toBe(config.organization.id);
  });

  test.each([
    ['the daily role writes a report', 'Allowed', 'audit', VERIFY_DAILY_NAME, 's3:PutObject', report],
    ['the daily role sets a report\'s retention', 'Allowed', 'audit', VERIFY_DAILY_NAME, 's3:PutObjectRetention', report],
    ['the daily role reads the expected facts', 'Allowed', 'audit', VERIFY_DAILY_NAME, 's3:GetObject', EXPECTED_FACTS_KEY],
    ['the operator publishes the expected facts', 'Allowed', 'audit', VERIFY_OPERATOR_ROLE_NAME, 's3:PutObject', EXPECTED_FACTS_KEY],
    ['the daily role overwrites the expected facts', 'ImplicitlyDenied', 'audit', VERIFY_DAILY_NAME, 's3:PutObject', EXPECTED_FACTS_KEY],
    ['the daily role writes outside the reports prefix', 'ImplicitlyDenied', 'audit', VERIFY_DAILY_NAME, 's3:PutObject', 'AWSLogs/o-7kq2m9xv4b/x.json.gz'],
    ['the operator writes a report', 'ImplicitlyDenied', 'audit', VERIFY_OPERATOR_ROLE_NAME, 's3:PutObject', report],
    ['another audit-account role (allowed everything by its own policy) writes a report (ORG-TAMPER-BASELINE)', 'ExplicitlyDenied', 'audit', 'auditor', 's3:PutObject', report],
    ['a workload admin writes a report (ORG-TAMPER-BASELINE)', 'ExplicitlyDenied', 'support-chat-prod', 'workload-admin', 's3:PutObject', report],
  ])('%s → %s', async (_, expected, account, role, action, key) => {
    expect((await request(account, role, action, key)).result).toBe(expected);
  });

  test('the archive key lets the two roles use it only through S3 in the home Region', () => {
    const keyId = logArchive.logicalIdAt('ArchiveKey');
    const statement = (resources[keyId].Properties.KeyPolicy.Statement as any[]).find((s) => s.Sid === 'VerificationEvidenceEncrypt');
    expect(statement).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:PrincipalArn': [dailyRole, operatorRole], 'kms:ViaService': `s3.${config.organization.homeRegion}.amazonaws.com` } },
    });
  });
});

describe('VER-1: the verifier role reads the guardrail, the Macie job and the data-lake settings (its synthesized policy and the SCPs evaluated)', () => {
  const simulator = new OrgSimulator(assembly, config);
  const verifierPolicy = (stack: SynthesizedStack, account: string) => resolveIntrinsics(
    verifierIn(stack).policies[0].Properties.PolicyDocument, stack.template.toJSON() as any, { account, region: config.organization.homeRegion });
  const prod = accountIdOf(config, 'support-chat-prod');
  const home = config.organization.homeRegion;
  const guardrail = (account: string) => `arn:aws:bedrock:${home}:${account}:guardrail/k3m9x2p7q1zt`;
  const job = `arn:aws:macie2:${home}:${audit}:classification-job/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;

  test.each([
    ['GetDataLakeSettings in the audit account', 'Allowed', 'audit', 'lakeformation:GetDataLakeSettings', '*'],
    ['ListClassificationJobs in the audit account', 'Allowed', 'audit', 'macie2:ListClassificationJobs', '*'],
    ['DescribeClassificationJob in the audit account', 'Allowed', 'audit', 'macie2:DescribeClassificationJob', job],
    ['GetGuardrail of a member account\'s guardrail (enforcement: account)', 'Allowed', 'support-chat-prod', 'bedrock:GetGuardrail', guardrail(prod)],
    ['ListGuardrails in a member account', 'Allowed', 'support-chat-prod', 'bedrock:ListGuardrails', '*'],
    ['PutDataLakeSettings (a write) in the audit account', 'ImplicitlyDenied', 'audit', 'lakeformation:PutDataLakeSettings', '*'],
    ['UpdateClassificationJob (pausing the job) in the audit account', 'ImplicitlyDenied', 'audit', 'macie2:UpdateClassificationJob', job],
    ['UpdateGuardrail in a member account', 'ImplicitlyDenied', 'support-chat-prod', 'bedrock:UpdateGuardrail', guardrail(prod)],
  ])('the verifier role: %s → %s', async (_, expected, account, action, resource) => {
    const stack = account === 'audit' ? auditAnalytics : baseline.global;
    const id = accountIdOf(config, account);
    const answer = await simulator.evaluate({
      account,
      role: VERIFIER_ROLE_NAME,
      action,
      resource,
      resourceAccount: id,
      identityPolicy: verifierPolicy(stack, id),
      context: { 'aws:RequestedRegion': home },
    });
    expect(answer.result).toBe(expected);
  });
});
