import * as path from 'node:path';
import { Aws, type CfnResource, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { AccountPrincipal, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnDataLakeSettings, CfnPrincipalPermissions, CfnResource as CfnLakeFormationResource, CfnTag, CfnTagAssociation } from 'aws-cdk-lib/aws-lakeformation';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { EnvironmentPlaceholders } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { GovernanceHandler } from '../../building-blocks/custom-resources/governance-handler';
import { acknowledgeFinding, logicalIdOf } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { AccessLogsBucket } from '../../building-blocks/s3/access-logs-bucket';
import { encryptedBucketProps } from '../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../building-blocks/s3/event-bridge-notifications';
import { baselineAccounts } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { ARCHIVE_KEY_ALIAS, archiveLocation, invocationLogArchiveBucketName, trailArchiveBucketName } from '../../contracts/archive-names';
import { ACCOUNT_PROJECTION_SYNC_NAME, ARCHIVE_READER_ROLE_NAME, AUDIT_WORKGROUP } from '../../contracts/audit-analytics-names';
import { namedQueries } from '../../dashboards/athena/named-queries';
import { archiveTables, AUDIT_DATABASE, projectedTableInput, type ArchiveTable } from '../../dashboards/athena/tables';
import { VERIFIER_ROLE_NAME } from '../../policies/verifier-access';
import { VerifierRole } from '../../stacksets/baseline/verifier-role';

/** LF-tags: what a column holds, and which archive a table reads. */
export const LF_TAGS = {
  classification: ['internal', 'confidential'],
  domain: ['audit-trail', 'model-invocations'],
} as const;

/** Where the workgroup writes results, and the key it encrypts them with. */
interface QueryOutput {
  readonly results: Bucket;
  readonly key: Key;
}

export interface AuditAnalyticsStackProps extends StackProps {
  /** The governance configuration. */
  readonly config: GovernanceConfig;
  /**
   * The role CloudFormation deploys this stack with. It is made a data lake admin: Lake Formation's admin list is
   * replaced as a whole, and the deploying role must stay in it to manage the stack's Lake Formation resources.
   *
   * @default - the CloudFormation execution role of the stack's `DefaultStackSynthesizer` (its bootstrap qualifier
   * included); synth fails with another synthesizer
   */
  readonly deploymentRoleArn?: string;
}

/**
 * The ARN of the role CloudFormation deploys `stack` with, from its `DefaultStackSynthesizer`, placeholders for the
 * partition, account and Region (left where the stack's environment does not fix them) replaced by their pseudo
 * parameters.
 */
function cloudFormationExecutionRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(`${stack.node.path}: the CloudFormation execution role comes from a DefaultStackSynthesizer; `
      + 'pass deploymentRoleArn with another synthesizer');
  }
  const pseudoParameters = { partition: Aws.PARTITION, accountId: Aws.ACCOUNT_ID, region: Aws.REGION };
  return EnvironmentPlaceholders.replace(synthesizer.cloudFormationExecutionRoleArn, pseudoParameters);
}

/**
 * LF-1 and ATH-1, in the audit account and home Region. The Glue database `genai_governance_audit` with the archive
 * tables (partition projection over the log archive's buckets), governed by Lake Formation: the archives registered
 * with a reader role, no IAM-only default permissions, the deploying role and the platform role as data lake admins,
 * LF-tags `classification` (internal, confidential: the prompt and response body columns) and `domain`, and tag-based
 * grants: the auditor role reads internal columns, the investigator role also confidential ones. The Athena workgroup
 * `genai-governance-audit` enforces its settings: KMS-encrypted results in a bucket that expires them, a per-query scan
 * cutoff, engine version 3, CloudWatch metrics. The queries of `dashboards/queries/` are its named queries.
 */
export class AuditAnalyticsStack extends Stack {
  public readonly workGroup: CfnWorkGroup;
  public readonly tables: CfnTable[] = [];

  constructor(scope: Construct, id: string, props: AuditAnalyticsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { audit } = config;

    const key = new Key(this, 'ResultsKey', {
      description: 'Generative-AI governance: encrypts the audit workgroup\'s Athena query results',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsResources(key);
    const accessLogs = new AccessLogsBucket(this, 'AccessLogs', { encryptionKey: key, expiration: Duration.days(config.retention.accessLogExpirationDays) });
    const results = new Bucket(this, 'Results', {
      ...encryptedBucketProps(key),
      serverAccessLogsBucket: accessLogs.bucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{
        id: 'ExpireQueryResults',
        expiration: Duration.days(audit.athenaResultsExpirationDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(results);
    const transient = 'Query results are working files that expire after audit.athenaResultsExpirationDays; the evidence is the Object Lock archive they are computed from';
    acknowledgeFinding(results,
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: transient },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: transient },
      { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: transient },
    );

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: AUDIT_WORKGROUP,
      description: 'ATH-1: auditors\' queries over the evidence archives',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: audit.athenaBytesScannedCutoffGb * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${results.bucketName}/results/`,
          expectedBucketOwner: Aws.ACCOUNT_ID,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        },
      },
    });

    const database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: AUDIT_DATABASE, description: 'LF-1: the evidence archives of the generative-AI governance control plane' },
    });
    const tables = archiveTables(config);
    for (const table of tables) this.tables.push(this.glueTable(table, database));

    const settings = this.lakeFormation(config, props.deploymentRoleArn ?? cloudFormationExecutionRoleArn(this), database, tables, { results, key });
    this.accountProjectionSync(config, database, settings);
    for (const query of namedQueries(config)) {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: `${query.title}: ${query.question} (${query.role})`.slice(0, 1024),
        database: AUDIT_DATABASE,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      named.addResourceDependency(database);
      for (const t of this.tables) named.addResourceDependency(t);
    }
  }

  private glueTable(table: ArchiveTable, database: CfnDatabase): CfnTable {
    const location = table.locationTemplate.slice(0, table.locationTemplate.indexOf('${'));
    const resource = new CfnTable(this, `Table-${table.name}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: AUDIT_DATABASE,
      tableInput: projectedTableInput(table, location),
    });
    resource.addResourceDependency(database);
    return resource;
  }

  /** Lake Formation: admins and defaults, the archives' registration, LF-tags on database, tables and body columns, grants. */
  private lakeFormation(
    config: GovernanceConfig, deployRole: string, database: CfnDatabase, tables: ArchiveTable[], output: QueryOutput,
  ): CfnDataLakeSettings {
    const platformRole = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${config.principals.platformRoleName}`;
    const settings = new CfnDataLakeSettings(this, 'DataLakeSettings', {
      // PutDataLakeSettings replaces the admin list: the deploying role must stay in it
      // (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html).
      admins: [{ dataLakePrincipalIdentifier: deployRole }, { dataLakePrincipalIdentifier: platformRole }],
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
    });
    database.addResourceDependency(settings);

    const archive = archiveLocation(config);
    const reader = new Role(this, 'ArchiveReader', {
      roleName: ARCHIVE_READER_ROLE_NAME,
      description: 'LF-1: Lake Formation reads the evidence archives with this role on behalf of permitted queries',
      assumedBy: new ServicePrincipal('lakeformation.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const archiveBuckets = [trailArchiveBucketName(config), invocationLogArchiveBucketName(config)].map((b) => `arn:${Aws.PARTITION}:s3:::${b}`);
    const readerPolicy = new ManagedPolicy(this, 'ArchiveReaderPolicy', {
      managedPolicyName: ARCHIVE_READER_ROLE_NAME,
      roles: [reader],
      statements: [
        new PolicyStatement({ sid: 'ListArchives', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: archiveBuckets }),
        new PolicyStatement({ sid: 'ReadArchives', actions: ['s3:GetObject'], resources: archiveBuckets.map((b) => `${b}/*`) }),
        new PolicyStatement({
          sid: 'DecryptArchivesThroughS3',
          actions: ['kms:Decrypt'],
          resources: [`arn:${Aws.PARTITION}:kms:${archive.region}:${archive.account}:key/*`],
          conditions: {
            'StringEquals': { 'kms:ViaService': `s3.${archive.region}.amazonaws.com` },
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [ARCHIVE_KEY_ALIAS] },
          },
        }),
      ],
    });
    acknowledgeFinding(readerPolicy,
      ...archiveBuckets.map((b) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${b.replace(Aws.PARTITION, '<AWS::Partition>')}/*]`,
        reason: 'Read-only access to every log object of the one archive bucket, for the queries Lake Formation permits',
      })),
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${archive.region}:${archive.account}:key/*]`,
        reason: 'The archive key\'s id is not known here: the statement is held to the key with alias/genai-governance-archive (kms:ResourceAliases) and to S3 (kms:ViaService)',
      },
    );
    const registrations = archiveBuckets.map((arn, i) => {
      const registration = new CfnLakeFormationResource(this, `Registration${i}`, { resourceArn: arn, useServiceLinkedRole: false, roleArn: reader.roleArn });
      registration.node.addDependency(readerPolicy, settings);
      return registration;
    });

    const tags = Object.entries(LF_TAGS).map(([tagKey, tagValues]) => {
      const tag = new CfnTag(this, `Tag-${tagKey}`, { tagKey, tagValues: [...tagValues] });
      tag.addResourceDependency(settings);
      return tag;
    });
    const associate = (id: string, resource: CfnTagAssociation.ResourceProperty, lfTags: Record<string, string>, after: CfnResource[]) => {
      const association = new CfnTagAssociation(this, id, {
        resource,
        lfTags: Object.entries(lfTags).map(([tagKey, value]) => ({ catalogId: Aws.ACCOUNT_ID, tagKey, tagValues: [value] })),
      });
      for (const t of [...tags, ...after]) association.addResourceDependency(t);
      return association;
    };
    associate('DatabaseTags', { database: { catalogId: Aws.ACCOUNT_ID, name: AUDIT_DATABASE } }, { classification: 'internal' }, [database]);
    tables.forEach((table, i) => {
      const domain = table.name === 'cloudtrail' ? 'audit-trail' : 'model-invocations';
      associate(`TableTags-${table.name}`, { table: { catalogId: Aws.ACCOUNT_ID, databaseName: AUDIT_DATABASE, name: table.name } },
        { classification: table.classification, domain }, [this.tables[i]]);
      const confidential = table.columns.filter((c) => c.classification === 'confidential').map((c) => c.name);
      if (confidential.length > 0) {
        associate(`BodyColumnTags-${table.name}`, {
          tableWithColumns: { catalogId: Aws.ACCOUNT_ID, databaseName: AUDIT_DATABASE, name: table.name, columnNames: confidential },
        }, { classification: 'confidential' }, [this.tables[i]]);
      }
    });

    const readers = [
      { role: this.queryRole(config.audit.auditorRoleName, 'auditor: metadata columns (classification=internal)', output), classifications: ['internal'] },
      { role: this.queryRole(config.audit.investigatorRoleName, 'investigator: metadata and prompt/response bodies', output), classifications: ['internal', 'confidential'] },
    ];
    for (const { role, classifications } of readers) {
      for (const [resourceType, permissions] of [['DATABASE', ['DESCRIBE']], ['TABLE', ['SELECT', 'DESCRIBE']]] as const) {
        const grant = new CfnPrincipalPermissions(this, `Grant-${role.node.id}-${resourceType}`, {
          principal: { dataLakePrincipalIdentifier: role.roleArn },
          resource: {
            lfTagPolicy: {
              catalogId: Aws.ACCOUNT_ID,
              resourceType,
              expression: [{ tagKey: 'classification', tagValues: resourceType === 'DATABASE' ? ['internal'] : classifications }],
            },
          },
          permissions: [...permissions],
          permissionsWithGrantOption: [],
        });
        for (const t of tags) grant.addResourceDependency(t);
        grant.addResourceDependency(settings);
      }
    }
    this.verifierGrants(config, tags, settings);
    for (const registration of registrations) database.addResourceDependency(registration);
    return settings;
  }

  /**
   * VER-1: the verifier reads the tables' projection (`glue:GetTable`) and the LF-tags through its role in this
   * account; Lake Formation governs the catalog, so the role is granted DESCRIBE on the database, every tagged table and
   * every LF-tag. The baseline creates the role where this account is one of its targets; otherwise it is created here.
   */
  private verifierGrants(config: GovernanceConfig, tags: CfnTag[], settings: CfnDataLakeSettings): void {
    const created = baselineAccounts(config).some((a) => a.name === config.topology.audit) ? undefined : new VerifierRole(this, 'Verifier', { config });
    const principal = { dataLakePrincipalIdentifier: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${VERIFIER_ROLE_NAME}` };
    const grants = [
      ...(['DATABASE', 'TABLE'] as const).map((resourceType) => new CfnPrincipalPermissions(this, `Grant-Verifier-${resourceType}`, {
        principal,
        resource: { lfTagPolicy: { catalogId: Aws.ACCOUNT_ID, resourceType, expression: [{ tagKey: 'classification', tagValues: [...LF_TAGS.classification] }] } },
        permissions: ['DESCRIBE'],
        permissionsWithGrantOption: [],
      })),
      ...tags.map((tag) => new CfnPrincipalPermissions(this, `Grant-Verifier-${tag.tagKey}`, {
        principal,
        resource: { lfTag: { catalogId: Aws.ACCOUNT_ID, tagKey: tag.tagKey, tagValues: tag.tagValues } },
        permissions: ['DESCRIBE'],
        permissionsWithGrantOption: [],
      })),
    ];
    for (const grant of grants) {
      for (const t of tags) grant.addResourceDependency(t);
      grant.addResourceDependency(settings);
      if (created) grant.addResourceDependency(created.role);
    }
  }

  /**
   * The function that keeps the tables' account projection in step with the organization, every hour: it lists the
   * organization's active accounts (the management account's Organizations resource policy admits its role) and adds
   * the new ones to each table's `projection.account.values`. The tables are registered with Lake Formation, so the
   * role is granted DESCRIBE and ALTER on them there as well as `glue:GetTable` and `glue:UpdateTable` in IAM.
   */
  private accountProjectionSync(config: GovernanceConfig, database: CfnDatabase, settings: CfnDataLakeSettings): void {
    const catalog = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    const tableNames = this.tables.map((t) => (t.tableInput as CfnTable.TableInputProperty).name!);
    const sync = new GovernanceHandler(this, 'AccountProjectionSync', {
      functionName: ACCOUNT_PROJECTION_SYNC_NAME,
      description: 'LF-1/ATH-1: adds the organization\'s active accounts to the archive tables\' account projection (hourly)',
      roleDescription: 'LF-1/ATH-1: lists the organization\'s accounts and updates the archive tables\' account projection',
      entry: path.join(__dirname, 'handlers', 'account-projection-sync.ts'),
      codeDelivery: 'asset',
      logRetention: config.retention.logGroupRetentionDays,
      environment: { DATABASE_NAME: AUDIT_DATABASE, TABLE_NAMES: tableNames.join(',') },
      statements: [
        new PolicyStatement({ sid: 'ListOrganizationAccounts', actions: ['organizations:ListAccounts'], resources: ['*'] }),
        new PolicyStatement({
          sid: 'UpdateArchiveTables',
          actions: ['glue:GetTable', 'glue:UpdateTable'],
          resources: [`${catalog}:catalog`, `${catalog}:database/${AUDIT_DATABASE}`, ...tableNames.map((t) => `${catalog}:table/${AUDIT_DATABASE}/${t}`)],
        }),
      ],
      policyAcknowledgements: [
        { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'organizations:ListAccounts has no resource type' },
      ],
      outsideVpcReason: 'Calls only the Organizations and Glue APIs; the audit account runs no VPC for it',
      concurrencyReason: 'Runs once an hour; reserved concurrency would take capacity from the audit account for nothing',
      deadLetterQueueReason: 'Runs on an hourly schedule and recomputes the whole projection from the organization each time: a failed run needs no replay',
    });
    for (const table of this.tables) {
      const name = (table.tableInput as CfnTable.TableInputProperty).name!;
      const grant = new CfnPrincipalPermissions(this, `Grant-AccountProjectionSync-${name}`, {
        principal: { dataLakePrincipalIdentifier: sync.role.roleArn },
        resource: { table: { catalogId: Aws.ACCOUNT_ID, databaseName: AUDIT_DATABASE, name } },
        permissions: ['ALTER', 'DESCRIBE'],
        permissionsWithGrantOption: [],
      });
      grant.addResourceDependency(table);
      grant.addResourceDependency(settings);
      grant.addResourceDependency(database);
    }
    new Rule(this, 'AccountProjectionSyncSchedule', {
      ruleName: ACCOUNT_PROJECTION_SYNC_NAME,
      description: 'LF-1/ATH-1: keeps the archive tables\' account projection in step with the organization',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(sync.function, { retryAttempts: 2 })],
    });
  }

  /** A role of the audit account that may run the workgroup's queries; Lake Formation decides which columns it reads. */
  private queryRole(roleName: string, what: string, output: QueryOutput): Role {
    const role = new Role(this, roleName, {
      roleName,
      description: `LF-1/ATH-1 ${what}`,
      assumedBy: new AccountPrincipal(Aws.ACCOUNT_ID),
    });
    const workGroupArn = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${AUDIT_WORKGROUP}`;
    const catalog = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    const policy = new ManagedPolicy(this, `${roleName}-Policy`, {
      managedPolicyName: `${roleName}-query`,
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: 'RunQueriesInTheAuditWorkgroup',
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution',
            'athena:ListQueryExecutions', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery', 'athena:BatchGetNamedQuery'],
          resources: [workGroupArn],
        }),
        new PolicyStatement({
          sid: 'ReadTheAuditCatalog',
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
          resources: [`${catalog}:catalog`, `${catalog}:database/${AUDIT_DATABASE}`, `${catalog}:table/${AUDIT_DATABASE}/*`],
        }),
        new PolicyStatement({ sid: 'LakeFormationVendsArchiveAccess', actions: ['lakeformation:GetDataAccess'], resources: ['*'] }),
        new PolicyStatement({ sid: 'ListQueryResults', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [output.results.bucketArn] }),
        new PolicyStatement({ sid: 'WriteAndReadQueryResults', actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'], resources: [output.results.arnForObjects('results/*')] }),
        new PolicyStatement({ sid: 'EncryptQueryResults', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [output.key.keyArn] }),
      ],
    });
    acknowledgeFinding(policy,
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'lakeformation:GetDataAccess has no resource type; Lake Formation\'s grants decide which tables and columns the credentials reach' },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${AUDIT_DATABASE}/*]`,
        reason: 'The tables of the one audit database; Lake Formation\'s tag-based grants decide which columns the role reads',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(output.results)}.Arn>/results/*]`,
        reason: 'Athena names each query\'s result objects itself, under the workgroup\'s results/ prefix of the one results bucket',
      },
    );
    return role;
  }
}
