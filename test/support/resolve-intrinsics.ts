/**
 * Resolves a synthesized template's intrinsic functions the way CloudFormation would in one account and Region, so a
 * policy can be evaluated with the ARNs the services really use: `Ref`s of pseudo parameters, of template parameters
 * (their defaults) and of resources (their physical ids), `Fn::GetAtt <Resource>.Arn` in each resource type's real
 * ARN format, `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split`. A resource whose physical name the template does
 * not fix gets its logical id as name. A resource type or attribute it does not know throws, naming it, rather than
 * making something up.
 */
import { UNKNOWN_ACCOUNT, UNKNOWN_REGION } from 'aws-cdk-lib/cx-api';

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, any> }>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface Place {
  readonly account: string;
  readonly region: string;
}

/**
 * Where a stack deploys: its environment, or `member` where the stack is environment-agnostic (a StackSet member
 * template, deployed to every target account and Region).
 */
export function deployPlace(environment: Place, member: Place): Place {
  return {
    account: environment.account === UNKNOWN_ACCOUNT ? member.account : environment.account,
    region: environment.region === UNKNOWN_REGION ? member.region : environment.region,
  };
}

/** Where CloudFormation takes a resource's physical name from, per type (else the logical id). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::S3Vectors::VectorBucket': 'VectorBucketName',
  'AWS::S3Vectors::Index': 'IndexName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudTrail::Trail': 'TrailName',
  'AWS::Oam::Sink': 'Name',
  'AWS::Athena::WorkGroup': 'Name',
  'AWS::Bedrock::Guardrail': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::DynamoDB::Table': 'TableName',
};

/** `Ref` of a resource: what CloudFormation returns for each type (a name, an id or an ARN). */
const REF: Record<string, (name: string, p: Place) => string> = {
  'AWS::S3::Bucket': (n) => n,
  'AWS::Logs::LogGroup': (n) => n,
  'AWS::IAM::Role': (n) => n,
  'AWS::IAM::ManagedPolicy': (n, p) => `arn:aws:iam::${p.account}:policy/${n}`,
  'AWS::Lambda::Function': (n) => n,
  'AWS::Events::EventBus': (n) => n,
  'AWS::SNS::Topic': (n, p) => `arn:aws:sns:${p.region}:${p.account}:${n}`,
  'AWS::KMS::Key': (n) => n,
  'AWS::CloudTrail::Trail': (n) => n,
  'AWS::EC2::VPC': (n) => `vpc-${n}`,
  'AWS::EC2::Subnet': (n) => `subnet-${n}`,
  'AWS::EC2::SecurityGroup': (n) => `sg-${n}`,
  'AWS::Athena::WorkGroup': (n) => n,
  'AWS::SSM::Parameter': (n) => n,
  'AWS::DynamoDB::Table': (n) => n,
  'AWS::ApiGatewayV2::Api': (n) => n,
  // AppConfig assigns the ids (Ref) at deploy; the logical id stands in for them.
  'AWS::AppConfig::Application': (n) => n,
  'AWS::AppConfig::Environment': (n) => n,
  'AWS::AppConfig::ConfigurationProfile': (n) => n,
};

/** `Fn::GetAtt <Resource>.Arn` per type, in the ARN format of the Service Authorization Reference. */
const ARN: Record<string, (name: string, p: Place) => string> = {
  'AWS::SQS::Queue': (n, p) => `arn:aws:sqs:${p.region}:${p.account}:${n}`,
  'AWS::S3::Bucket': (n) => `arn:aws:s3:::${n}`,
  // CloudWatch Logs' `Arn` attribute of a log group ends in `:*` (the log group and everything in it).
  'AWS::Logs::LogGroup': (n, p) => `arn:aws:logs:${p.region}:${p.account}:log-group:${n}:*`,
  'AWS::IAM::Role': (n, p) => `arn:aws:iam::${p.account}:role/${n}`,
  'AWS::Lambda::Function': (n, p) => `arn:aws:lambda:${p.region}:${p.account}:function:${n}`,
  'AWS::Events::EventBus': (n, p) => `arn:aws:events:${p.region}:${p.account}:event-bus/${n}`,
  'AWS::Events::Rule': (n, p) => `arn:aws:events:${p.region}:${p.account}:rule/${n}`,
  'AWS::KMS::Key': (n, p) => `arn:aws:kms:${p.region}:${p.account}:key/${n}`,
  'AWS::SNS::Topic': (n, p) => `arn:aws:sns:${p.region}:${p.account}:${n}`,
  'AWS::CloudTrail::Trail': (n, p) => `arn:aws:cloudtrail:${p.region}:${p.account}:trail/${n}`,
  'AWS::Oam::Sink': (n, p) => `arn:aws:oam:${p.region}:${p.account}:sink/${n}`,
  'AWS::Bedrock::Guardrail': (n, p) => `arn:aws:bedrock:${p.region}:${p.account}:guardrail/${n}`,
  'AWS::Athena::WorkGroup': (n, p) => `arn:aws:athena:${p.region}:${p.account}:workgroup/${n}`,
  'AWS::CloudWatch::Alarm': (n, p) => `arn:aws:cloudwatch:${p.region}:${p.account}:alarm:${n}`,
  'AWS::DynamoDB::Table': (n, p) => `arn:aws:dynamodb:${p.region}:${p.account}:table/${n}`,
  // The knowledge base's ARN carries its generated id: the logical id stands for it.
  'AWS::Bedrock::KnowledgeBase': (n, p) => `arn:aws:bedrock:${p.region}:${p.account}:knowledge-base/${n}`,
  'AWS::S3Vectors::VectorBucket': (n, p) => `arn:aws:s3vectors:${p.region}:${p.account}:bucket/${n}`,
};

/** ARN attributes of `ARN`'s types beyond `Arn`, `TopicArn` and `GuardrailArn`. */
const ARN_ATTRIBUTES: Record<string, string> = {
  'AWS::Bedrock::KnowledgeBase': 'KnowledgeBaseArn',
  'AWS::S3Vectors::VectorBucket': 'VectorBucketArn',
};

/** The value `value` takes in `place`, with every intrinsic function resolved. */
export function resolveIntrinsics(value: unknown, template: Template, place: Place): any {
  const resolve = (v: unknown): any => resolveIntrinsics(v, template, place);
  if (Array.isArray(value)) return value.map(resolve);
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, any>;
  if ('Ref' in v) return ref(v.Ref, template, place);
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = typeof v['Fn::GetAtt'] === 'string' ? v['Fn::GetAtt'].split('.') : v['Fn::GetAtt'];
    return getAtt(id, attribute, template, place);
  }
  if ('Fn::Join' in v) return (resolve(v['Fn::Join'][1]) as unknown[]).join(v['Fn::Join'][0]);
  if ('Fn::Select' in v) return resolve(v['Fn::Select'][1])[Number(resolve(v['Fn::Select'][0]))];
  if ('Fn::FindInMap' in v) {
    const [map, key, field] = (v['Fn::FindInMap'] as unknown[]).map(resolve) as string[];
    const found = template.Mappings?.[map]?.[key]?.[field];
    if (found === undefined) throw new Error(`resolveIntrinsics: no ${map}.${key}.${field} in the template's Mappings`);
    return found;
  }
  if ('Fn::Split' in v) return String(resolve(v['Fn::Split'][1])).split(v['Fn::Split'][0]);
  if ('Fn::Sub' in v) {
    const [text, variables] = typeof v['Fn::Sub'] === 'string' ? [v['Fn::Sub'], {}] : v['Fn::Sub'];
    return (text as string).replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return resolve(variables[name]);
      const [id, attribute] = name.split('.');
      return attribute ? getAtt(id, attribute, template, place) : ref(id, template, place);
    });
  }
  const unknown = Object.keys(v).find((k) => k.startsWith('Fn::'));
  if (unknown) throw new Error(`resolveIntrinsics: ${unknown} is not resolved here`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
}

function physicalName(id: string, template: Template, place: Place): string {
  const resource = template.Resources[id];
  const property = NAME_PROPERTY[resource.Type];
  const name = property && resource.Properties?.[property];
  return name === undefined ? id : String(resolveIntrinsics(name, template, place));
}

function ref(id: string, template: Template, place: Place): string | undefined {
  const pseudo: Record<string, string | undefined> = {
    'AWS::Partition': 'aws', 'AWS::Region': place.region, 'AWS::AccountId': place.account, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::NoValue': undefined,
  };
  if (id in pseudo) return pseudo[id];
  if (template.Parameters?.[id]) return String(template.Parameters[id].Default);
  const resource = template.Resources[id];
  if (!resource) throw new Error(`resolveIntrinsics: Ref ${id} names nothing in the template`);
  // A Lambda alias's Ref is its ARN: the function's ARN and the alias's name.
  if (resource.Type === 'AWS::Lambda::Alias') {
    const functionName = String(resolveIntrinsics(resource.Properties?.FunctionName, template, place));
    const functionArn = functionName.startsWith('arn:') ? functionName : ARN['AWS::Lambda::Function'](functionName, place);
    return `${functionArn}:${String(resource.Properties?.Name)}`;
  }
  const of = REF[resource.Type];
  if (!of) throw new Error(`resolveIntrinsics: Ref of a ${resource.Type} is not known here`);
  return of(physicalName(id, template, place), place);
}

function getAtt(id: string, attribute: string, template: Template, place: Place): string {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`resolveIntrinsics: GetAtt ${id}.${attribute} names nothing in the template`);
  // An S3 Vectors index's ARN is its vector bucket's followed by `/index/<name>`.
  if (resource.Type === 'AWS::S3Vectors::Index' && attribute === 'IndexArn') {
    return `${resolveIntrinsics(resource.Properties?.VectorBucketArn, template, place)}/index/${physicalName(id, template, place)}`;
  }
  const arnAttribute = ['Arn', 'TopicArn', 'GuardrailArn', ARN_ATTRIBUTES[resource.Type]].includes(attribute);
  const of = ARN[resource.Type];
  if (!arnAttribute || !of) throw new Error(`resolveIntrinsics: GetAtt ${resource.Type}.${attribute} is not known here`);
  return of(physicalName(id, template, place), place);
}
