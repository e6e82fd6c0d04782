import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { REGION_CODES } from '../../config/schema';
import { invocationLogArchiveBucketName, trailArchiveBucketName } from '../../contracts/archive-names';
import { INVOCATION_LOG_KEY_PREFIX } from '../../contracts/invocation-logging-names';

/** Glue database of the audit account that holds the archive tables. */
export const AUDIT_DATABASE = 'genai_governance_audit';

/** LF-tag values of `classification`: metadata is internal, prompt and response bodies are confidential. */
export type Classification = 'internal' | 'confidential';

export interface Column {
  readonly name: string;
  /** Hive type as Glue stores it. */
  readonly type: string;
  /** LF-tag `classification` of the column (the table's when left out). */
  readonly classification?: Classification;
}

/** Partition projection of one partition key (Athena partition-projection properties). */
export type Projection =
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'date'; readonly format: string; readonly range: string; readonly interval: number; readonly unit: 'DAYS' | 'HOURS' };

export interface ArchiveTable {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly partitionKeys: readonly { readonly name: string; readonly projection: Projection }[];
  /** `s3://bucket/prefix/${key}/…`: where Athena reads the partition of given key values. */
  readonly locationTemplate: string;
  readonly serde: string;
  readonly inputFormat: string;
  readonly outputFormat: string;
  readonly classification: Classification;
}

const USER_IDENTITY = 'struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,'
  + 'sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,'
  + 'sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>>>';

/** The organization trail's record, as Athena's CloudTrail table documents it (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html). */
const CLOUDTRAIL_COLUMNS: Column[] = [
  ['eventversion', 'string'], ['useridentity', USER_IDENTITY], ['eventtime', 'string'], ['eventsource', 'string'],
  ['eventname', 'string'], ['awsregion', 'string'], ['sourceipaddress', 'string'], ['useragent', 'string'],
  ['errorcode', 'string'], ['errormessage', 'string'], ['requestparameters', 'string'], ['responseelements', 'string'],
  ['additionaleventdata', 'string'], ['requestid', 'string'], ['eventid', 'string'], ['readonly', 'string'],
  ['resources', 'array<struct<arn:string,accountid:string,type:string>>'], ['eventtype', 'string'], ['apiversion', 'string'],
  ['recipientaccountid', 'string'], ['serviceeventdetails', 'string'], ['sharedeventid', 'string'], ['vpcendpointid', 'string'],
  ['eventcategory', 'string'], ['tlsdetails', 'struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>'],
].map(([name, type]) => ({ name, type }));

/** An invocation-log record's metadata (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html): everything but the bodies. */
const INVOCATION_METADATA_COLUMNS: Column[] = [
  ['schematype', 'string'], ['schemaversion', 'string'], ['timestamp', 'string'], ['accountid', 'string'], ['region', 'string'],
  ['requestid', 'string'], ['operation', 'string'], ['modelid', 'string'], ['inferenceregion', 'string'], ['errorcode', 'string'],
  ['identity', 'struct<arn:string>'], ['requestmetadata', 'map<string,string>'],
  ['input', 'struct<inputcontenttype:string,inputtokencount:int,cachereadinputtokencount:int,cachewriteinputtokencount:int>'],
  ['output', 'struct<outputcontenttype:string,outputtokencount:int>'],
].map(([name, type]) => ({ name, type }));

const JSON_LINES = {
  serde: 'org.openx.data.jsonserde.JsonSerDe',
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
};

/** The accounts the projections enumerate: every account the config lists (Athena reads only listed accounts). */
function accountValues(config: GovernanceConfig): string[] {
  return config.accounts.map((a) => accountIdOf(config, a.name));
}

/**
 * The tables over the two archives, with partition projection matching the key layouts AWS writes:
 * - organization trail: `AWSLogs/<org id>/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/<file>` (every Region,
 *   since the trail records denied calls in Regions nobody may use);
 * - invocation logs, as replicated from the members: `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/<yyyy>/<MM>/<dd>/<HH>/<file>`.
 * `invocation_logs` has the metadata; `invocation_log_bodies` reads the same objects with the prompt and response
 * bodies, whose columns are classified confidential.
 */
export function archiveTables(config: GovernanceConfig): ArchiveTable[] {
  const trail = `s3://${trailArchiveBucketName(config)}/AWSLogs/${config.organization.id}`;
  const invocations = `s3://${invocationLogArchiveBucketName(config)}/${INVOCATION_LOG_KEY_PREFIX}/AWSLogs`;
  const account = { name: 'account', projection: { type: 'enum', values: accountValues(config) } as Projection };
  const invocationPartitions = [
    account,
    // Not `region`: the record has a `region` column, and a partition key may not repeat a column name.
    { name: 'partition_region', projection: { type: 'enum', values: [...config.organization.governedRegions] } as Projection },
    { name: 'dt', projection: { type: 'date', format: 'yyyy/MM/dd/HH', range: `${config.audit.projectionStartDate}/00,NOW`, interval: 1, unit: 'HOURS' } as Projection },
  ];
  const invocationLocation = `${invocations}/\${account}/BedrockModelInvocationLogs/\${partition_region}/\${dt}`;
  return [
    {
      name: 'cloudtrail',
      description: 'CT-1: the organization trail, every account and Region',
      columns: CLOUDTRAIL_COLUMNS,
      partitionKeys: [
        account,
        { name: 'region', projection: { type: 'enum', values: REGION_CODES.filter((r) => !/^(cn|us-gov|us-iso)/.test(r)) } },
        { name: 'day', projection: { type: 'date', format: 'yyyy/MM/dd', range: `${config.audit.projectionStartDate},NOW`, interval: 1, unit: 'DAYS' } },
      ],
      locationTemplate: `${trail}/\${account}/CloudTrail/\${region}/\${day}`,
      serde: 'org.apache.hive.hcatalog.data.JsonSerDe',
      inputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      classification: 'internal',
    },
    {
      name: 'invocation_logs',
      description: 'BL-LOG-1: model-invocation log metadata of every member account (no bodies)',
      columns: INVOCATION_METADATA_COLUMNS,
      partitionKeys: invocationPartitions,
      locationTemplate: invocationLocation,
      ...JSON_LINES,
      classification: 'internal',
    },
    {
      name: 'invocation_log_bodies',
      description: 'BL-LOG-1: model-invocation logs with prompt and response bodies (confidential columns)',
      columns: [
        ...['timestamp', 'accountid', 'region', 'requestid', 'operation', 'modelid'].map((name) => ({ name, type: 'string' })),
        { name: 'identity', type: 'struct<arn:string>' },
        { name: 'input', type: 'struct<inputbodyjson:string,inputbodys3path:string>', classification: 'confidential' },
        { name: 'output', type: 'struct<outputbodyjson:string,outputbodys3path:string>', classification: 'confidential' },
      ],
      partitionKeys: invocationPartitions,
      locationTemplate: invocationLocation,
      ...JSON_LINES,
      classification: 'internal',
    },
  ];
}

/** The table properties that turn on partition projection for a table. */
export function projectionProperties(table: ArchiveTable): Record<string, string> {
  const properties: Record<string, string> = { 'projection.enabled': 'true', 'storage.location.template': table.locationTemplate };
  for (const { name, projection } of table.partitionKeys) {
    properties[`projection.${name}.type`] = projection.type;
    if (projection.type === 'enum') {
      properties[`projection.${name}.values`] = projection.values.join(',');
    } else {
      properties[`projection.${name}.format`] = projection.format;
      properties[`projection.${name}.range`] = projection.range;
      properties[`projection.${name}.interval`] = String(projection.interval);
      properties[`projection.${name}.interval.unit`] = projection.unit;
    }
  }
  return properties;
}

/**
 * The Glue table input of a JSON-lines table with partition projection (an `AWS::Glue::Table`'s `TableInput`): its
 * columns and partition keys, the projection properties, and the objects under `location` (the part of the location
 * template before its first partition).
 */
export function projectedTableInput(table: ArchiveTable, location: string) {
  return {
    name: table.name,
    description: table.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: { EXTERNAL: 'TRUE', classification: 'json', ...projectionProperties(table) },
    partitionKeys: table.partitionKeys.map((k) => ({ name: k.name, type: 'string' })),
    storageDescriptor: {
      location,
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      inputFormat: table.inputFormat,
      outputFormat: table.outputFormat,
      serdeInfo: { serializationLibrary: table.serde },
    },
  };
}
