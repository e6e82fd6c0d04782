import { invocationLogArchiveBucketName, trailArchiveBucketName } from '../../contracts/archive-names';
import { ACCOUNT_PROJECTION_SYNC_NAME, ARCHIVE_READER_ROLE_NAME, AUDIT_WORKGROUP } from '../../contracts/audit-analytics-names';
import { namedQueries } from '../../dashboards/athena/named-queries';
import { archiveTables, AUDIT_DATABASE, projectionProperties } from '../../dashboards/athena/tables';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[] }>;

describe('LF-1 and ATH-1: the audit account\'s catalog, Lake Formation and Athena workgroup', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const template = estate.auditAnalytics.template;
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  test('lives in the audit account and deploys after the log archive', () => {
    expect(estate.auditAnalytics.account).toBe('527038146692');
    expect(estate.auditAnalytics.dependencies).toContain('GovernanceLogArchive');
  });

  test('the Glue tables carry the projection and columns of their definitions', () => {
    const tables = ofType('AWS::Glue::Table').map(([, r]) => r.Properties.TableInput);
    for (const definition of archiveTables(config)) {
      const input = tables.find((t) => t.Name === definition.name);
      expect(input.Parameters).toMatchObject(projectionProperties(definition));
      expect(input.StorageDescriptor.Columns).toEqual(definition.columns.map((c) => ({ Name: c.name, Type: c.type })));
      expect(input.PartitionKeys.map((k: any) => k.Name)).toEqual(definition.partitionKeys.map((k) => k.name));
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(definition.serde);
    }
    expect(tables.find((t) => t.Name === 'cloudtrail').StorageDescriptor.Location).toBe(`s3://${trailArchiveBucketName(config)}/AWSLogs/${config.organization.id}/`);
    expect(tables.find((t) => t.Name === 'invocation_logs').StorageDescriptor.Location)
      .toBe(`s3://${invocationLogArchiveBucketName(config)}/model-invocations/AWSLogs/`);
  });

  test('Lake Formation keeps the deploying role an admin and gives IAM-only principals nothing by default', () => {
    const [[, settings]] = ofType('AWS::LakeFormation::DataLakeSettings');
    expect(JSON.stringify(settings.Properties.Admins)).toContain('cdk-hnb659fds-cfn-exec-role-');
    expect(JSON.stringify(settings.Properties.Admins)).toContain(`:role/${config.principals.platformRoleName}`);
    expect(settings.Properties).toMatchObject({ CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] });
  });

  test('both archives are registered with the reader role', () => {
    const registered = ofType('AWS::LakeFormation::Resource').map(([, r]) => JSON.stringify(r.Properties.ResourceArn));
    expect(registered.some((a) => a.includes(trailArchiveBucketName(config)))).toBe(true);
    expect(registered.some((a) => a.includes(invocationLogArchiveBucketName(config)))).toBe(true);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: ARCHIVE_READER_ROLE_NAME });
  });

  test('LF-tags classification and domain on the database, every table and the body columns', () => {
    const tags = Object.fromEntries(ofType('AWS::LakeFormation::Tag').map(([, r]) => [r.Properties.TagKey, r.Properties.TagValues]));
    expect(tags).toEqual({ classification: ['internal', 'confidential'], domain: ['audit-trail', 'model-invocations'] });
    const associations = ofType('AWS::LakeFormation::TagAssociation').map(([, r]) => r.Properties);
    expect(associations.find((a) => a.Resource.Database)).toMatchObject({ Resource: { Database: { Name: AUDIT_DATABASE } }, LFTags: [{ TagKey: 'classification', TagValues: ['internal'] }] });
    for (const table of archiveTables(config)) expect(associations.some((a) => a.Resource.Table?.Name === table.name)).toBe(true);
    const bodies = associations.find((a) => a.Resource.TableWithColumns);
    expect(bodies).toMatchObject({
      Resource: { TableWithColumns: { Name: 'invocation_log_bodies', ColumnNames: ['input', 'output'] } },
      LFTags: [{ TagKey: 'classification', TagValues: ['confidential'] }],
    });
  });

  test('the auditor reads internal columns, the investigator internal and confidential ones', () => {
    const grants = ofType('AWS::LakeFormation::PrincipalPermissions').map(([, r]) => r.Properties);
    const roleId = (name: string) => ofType('AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === name)![0];
    const tableGrant = (role: string) => grants.find((g) => g.Principal.DataLakePrincipalIdentifier['Fn::GetAtt'][0] === roleId(role)
      && g.Resource.LFTagPolicy.ResourceType === 'TABLE');
    expect(tableGrant(config.audit.auditorRoleName)).toMatchObject({
      Permissions: ['SELECT', 'DESCRIBE'],
      PermissionsWithGrantOption: [],
      Resource: { LFTagPolicy: { Expression: [{ TagKey: 'classification', TagValues: ['internal'] }] } },
    });
    expect(tableGrant(config.audit.investigatorRoleName).Resource.LFTagPolicy.Expression).toEqual([{ TagKey: 'classification', TagValues: ['internal', 'confidential'] }]);
  });

  test('the workgroup enforces KMS-encrypted results, a scan cutoff and engine version 3', () => {
    const [[, workGroup]] = ofType('AWS::Athena::WorkGroup');
    expect(workGroup.Properties).toMatchObject({
      Name: AUDIT_WORKGROUP,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: config.audit.athenaBytesScannedCutoffGb * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
      },
    });
    const results = ofType('AWS::S3::Bucket').find(([, r]) => r.Properties.LifecycleConfiguration?.Rules?.[0]?.Id === 'ExpireQueryResults')!;
    expect(results[1].Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(config.audit.athenaResultsExpirationDays);
  });

  test('every query of dashboards/queries is a named query of the workgroup, on the audit database', () => {
    const named = ofType('AWS::Athena::NamedQuery').map(([, r]) => r.Properties);
    expect(named.map((q) => q.Name).sort()).toEqual(namedQueries(config).map((q) => q.name).sort());
    for (const q of named) expect(q).toMatchObject({ Database: AUDIT_DATABASE, WorkGroup: { Ref: expect.stringMatching(/^WorkGroup/) } });
  });

  test('the archives admit the reader role only, and the key only through S3', () => {
    const archive = estate.logArchive.template;
    const statements = Object.values(archive.findResources('AWS::S3::BucketPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const reads = statements.filter((s: any) => s.Sid === 'LakeFormationArchiveReaderRead');
    expect(reads).toHaveLength(2);
    for (const s of reads) expect(JSON.stringify(s.Condition)).toContain(`:iam::527038146692:role/${ARCHIVE_READER_ROLE_NAME}`);
    const [key] = Object.values(archive.findResources('AWS::KMS::Key')) as any[];
    const decrypt = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'LakeFormationArchiveReaderDecrypt');
    expect(decrypt.Condition.StringEquals['kms:ViaService']).toBe('s3.eu-central-1.amazonaws.com');
  });

  test('the account projection follows the organization: an hourly function with list, table and Lake Formation rights', () => {
    const [[fnId, fn]] = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.FunctionName === ACCOUNT_PROJECTION_SYNC_NAME);
    expect(fn.Properties.Environment.Variables).toEqual({
      DATABASE_NAME: AUDIT_DATABASE, TABLE_NAMES: archiveTables(config).map((t) => t.name).join(','),
    });
    const [[, rule]] = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Name === ACCOUNT_PROJECTION_SYNC_NAME);
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })]);
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com' });

    const [[roleId]] = ofType('AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === ACCOUNT_PROJECTION_SYNC_NAME);
    const [[, policy]] = ofType('AWS::IAM::ManagedPolicy').filter(([, r]) => r.Properties.ManagedPolicyName === ACCOUNT_PROJECTION_SYNC_NAME);
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Sid === 'ListOrganizationAccounts')).toMatchObject({ Action: 'organizations:ListAccounts', Resource: '*' });
    const tables = statements.find((s) => s.Sid === 'UpdateArchiveTables');
    expect(tables.Action).toEqual(['glue:GetTable', 'glue:UpdateTable']);
    const arns = JSON.stringify(tables.Resource);
    for (const arn of [':catalog', `:database/${AUDIT_DATABASE}`, ...archiveTables(config).map((t) => `:table/${AUDIT_DATABASE}/${t.name}"`)]) {
      expect(arns).toContain(arn);
    }
    expect(arns).not.toContain('*');

    const grants = ofType('AWS::LakeFormation::PrincipalPermissions')
      .filter(([, r]) => JSON.stringify(r.Properties.Principal).includes(roleId)).map(([, r]) => r.Properties);
    expect(grants.map((g) => g.Resource.Table.Name).sort()).toEqual(archiveTables(config).map((t) => t.name).sort());
    for (const grant of grants) {
      expect(grant).toMatchObject({ Permissions: ['ALTER', 'DESCRIBE'], PermissionsWithGrantOption: [], Resource: { Table: { DatabaseName: AUDIT_DATABASE } } });
    }
  });

  test('the management account lets only the audit account\'s projection role list the organization\'s accounts', () => {
    const policies = Object.values(estate.management.template.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::Organizations::ResourcePolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Content).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'AccountProjectionSyncReadsAccounts',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${estate.auditAnalytics.account}:root` },
        Action: ['organizations:ListAccounts', 'organizations:DescribeOrganization'],
        Resource: '*',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': `arn:aws:iam::${estate.auditAnalytics.account}:role/${ACCOUNT_PROJECTION_SYNC_NAME}`,
          },
        },
      }],
    });
  });
});
