import { Match } from 'aws-cdk-lib/assertions';
import { invocationLogArchiveBucketName, organizationTrailArn, trailArchiveBucketName } from '../../contracts/archive-names';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { flatten } from '../support/template-values';

type Resources = Record<string, { Type: string; Properties: any }>;

describe('ARC-1: the Object Lock evidence archive (log-archive stack)', () => {
  const { config, logArchive, assembly } = exampleEstate();
  const template = logArchive.template;
  const archiveId = logArchive.logicalIdAt('InvocationLogArchive/Bucket');

  test('has Object Lock in compliance mode with the configured default retention', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: config.retention.objectLockDays } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
    const rule = template.toJSON().Resources[archiveId].Properties.ObjectLockConfiguration.Rule;
    expect(rule.DefaultRetention.Mode).toBe('COMPLIANCE');
  });

  test('is retained when the stack is deleted', () => {
    expect(template.toJSON().Resources[archiveId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('encrypts with the rotated customer-managed key, blocks public access and disables ACLs', () => {
    const archive = template.toJSON().Resources[archiveId].Properties;
    expect(archive.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^ArchiveKey/), 'Arn'] } },
    });
    expect(archive.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(archive.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('denies requests without TLS 1.2', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: archiveId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('logs server access to a separate bucket without Object Lock', () => {
    const resources = template.toJSON().Resources;
    const target = resources[archiveId].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(target).not.toBe(archiveId);
    expect(resources[target].Properties.ObjectLockEnabled).toBeUndefined();
    expect(resources[target].Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(config.retention.accessLogExpirationDays);
  });

  test('moves current and noncurrent versions to Glacier after the configured age', () => {
    const days = config.retention.transitionToColdStorageAfterDays;
    expect(template.toJSON().Resources[archiveId].Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({
      Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: days }],
      NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: days }],
    })]);
  });

  test('lets KMS grants be created only for AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 'kms:CreateGrant',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        })]),
      },
    });
  });

  describe('the trail archive admits exactly the organization trail', () => {
    const archive = template;
    const trailArn = organizationTrailArn(config);

    test('the bucket policy has the three statements AWS documents for organization trails', () => {
      const bucketId = Object.entries(archive.findResources('AWS::S3::Bucket')).find(([, r]) => r.Properties.BucketName === trailArchiveBucketName(config))![0];
      const [policy] = Object.values(archive.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } })) as any[];
      const statements = flatten(policy.Properties.PolicyDocument.Statement).filter((s: any) => s.Sid?.startsWith('AWSCloudTrail'));
      const bucketArn = `\${${bucketId}.Arn}`;
      expect(statements).toEqual([
        { Sid: 'AWSCloudTrailAclCheck20150319', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: bucketArn, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
        {
          Sid: 'AWSCloudTrailWrite20150319',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/318274650913/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
        },
        {
          Sid: 'AWSCloudTrailOrganizationWrite20150319',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/${config.organization.id}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
        },
      ]);
      expect(trailArn).toBe('arn:aws:cloudtrail:eu-central-1:318274650913:trail/genai-governance-organization-trail');
    });

    test('the archive key lets CloudTrail encrypt only for the organization trail', () => {
      const [key] = Object.values(archive.findResources('AWS::KMS::Key')) as any[];
      const encrypt = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'OrganizationTrailEncrypt');
      expect(encrypt).toMatchObject({
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Condition: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:318274650913:trail/*' },
        },
      });
    });

    test('the trail archive has Object Lock in compliance mode and is retained', () => {
      const bucket = Object.values(archive.findResources('AWS::S3::Bucket')).find((r) => r.Properties.BucketName === trailArchiveBucketName(config))!;
      expect(bucket).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { ObjectLockEnabled: true, ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: config.retention.objectLockDays } } } },
      });
    });
  });

  describe('it admits replication from the member accounts only', () => {
    const archive = template;
    const replicationRoles = {
      StringEquals: { 'aws:PrincipalOrgID': config.organization.id },
      ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/genai-governance-log-replication-*' },
    };
    const readable = (condition: any) => ({ ...condition, ArnLike: { 'aws:PrincipalArn': flatten(condition.ArnLike['aws:PrincipalArn']) } });

    test('bucket policy: replication actions, organization principals named genai-governance-log-replication-*', () => {
      const policy = Object.values(archive.findResources('AWS::S3::BucketPolicy'))
        .map((r) => r.Properties.PolicyDocument.Statement as any[])
        .find((statements) => statements.some((s) => s.Sid === 'MemberLogReplicationObjects'))!;
      const objects = policy.find((s) => s.Sid === 'MemberLogReplicationObjects');
      expect(objects).toMatchObject({ Effect: 'Allow', Principal: { AWS: '*' } });
      expect(readable(objects.Condition)).toEqual(replicationRoles);
      expect([...objects.Action].sort()).toEqual(['s3:ObjectOwnerOverrideToBucketOwner', 's3:ReplicateObject', 's3:ReplicateTags']);
      expect(policy.find((s) => s.Sid === 'MemberLogReplicationBucket').Action).toEqual(['s3:GetBucketVersioning', 's3:ListBucket']);
    });

    test('key policy: encrypt only through S3 in the archive Region, for the same principals', () => {
      const [key] = Object.values(archive.findResources('AWS::KMS::Key'));
      const statement = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'MemberLogReplicationEncrypt');
      expect(readable(statement.Condition)).toEqual({
        StringEquals: { 'aws:PrincipalOrgID': config.organization.id, 'kms:ViaService': `s3.${config.organization.homeRegion}.amazonaws.com` },
        ArnLike: replicationRoles.ArnLike,
      });
      archive.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/genai-governance-archive' });
    });

    test('evaluated with the synthesized bucket policy and the RCPs: member replication roles in, everyone else out', async () => {
      const bucketName = invocationLogArchiveBucketName(config);
      const bucketId = archive.toJSON().Resources && Object.entries(archive.toJSON().Resources as Resources)
        .find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties.BucketName === bucketName)![0];
      const [policy] = Object.values(archive.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
      // The template's references as AWS resolves them in the log-archive account.
      const concrete = JSON.parse(JSON.stringify(policy.Properties.PolicyDocument, (_, v) => {
        if (v && typeof v === 'object' && (v['Fn::Join'] || v['Fn::GetAtt'] || v.Ref)) {
          return flatten(v).replace('${AWS::Partition}', 'aws').replace(`\${${bucketId}.Arn}`, `arn:aws:s3:::${bucketName}`);
        }
        return v;
      }));
      const simulator = new OrgSimulator(assembly, config);
      const replica = `arn:aws:s3:::${bucketName}/model-invocations/AWSLogs/741852096357/BedrockModelInvocationLogs/eu-west-1/2026/11/23/10/x.json.gz`;
      const replicate = (request: { account: string; role?: string; principalArn?: string; context?: Record<string, string> }) => simulator.evaluate({
        ...request,
        action: 's3:ReplicateObject',
        resource: replica,
        resourceAccount: '402761958314',
        resourcePolicy: concrete,
        identityPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ReplicateObject', Resource: replica }] },
      });
      expect((await replicate({ account: 'support-chat-prod', role: 'genai-governance-log-replication-eu-west-1' })).result).toBe('Allowed');
      // A workload role: ORG-TAMPER-BASELINE denies writing into a governance bucket before the bucket policy is read.
      expect(await replicate({ account: 'support-chat-prod', role: 'support-chat-app' })).toEqual({ result: 'ExplicitlyDenied', deniedBy: ['ORGTAMPERBASELINEDenyNamedResourceChanges'] });
      // Another governance role, which the SCPs exempt: the bucket policy admits only the replication roles.
      expect((await replicate({ account: 'support-chat-prod', role: 'genai-governance-invocation-logging-eu-west-1' })).result).toBe('ImplicitlyDenied');
      const outsider = await replicate({
        account: 'support-chat-prod',
        principalArn: 'arn:aws:iam::999988887777:role/genai-governance-log-replication-eu-west-1',
        context: { 'aws:PrincipalOrgID': 'o-someoneelse1' },
      });
      expect(outsider.result).not.toBe('Allowed');
    });
  });
});
