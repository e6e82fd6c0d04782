import { Match } from 'aws-cdk-lib/assertions';
import { exampleEstate } from '../support/example-estate';

describe('ARC-1: the Object Lock evidence archive (log-archive stack)', () => {
  const { config, logArchive } = exampleEstate();
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
});
