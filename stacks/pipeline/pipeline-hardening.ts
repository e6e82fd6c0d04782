import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnProject } from 'aws-cdk-lib/aws-codebuild';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { CodePipeline } from 'aws-cdk-lib/pipelines';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';
import { acknowledgeFinding, type FindingAcknowledgement } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';

/** Days a pipeline artifact is kept: an execution older than this cannot be retried from its artifacts. */
export const ARTIFACT_EXPIRATION_DAYS = 90;

const both = (rule: string, reason: string): FindingAcknowledgement[] => [
  { id: `NIST.800.53.R5::NIST.800.53.R5-${rule}`, reason },
  { id: `HIPAA.Security::HIPAA.Security-${rule}`, reason },
];

/** The artifact buckets (home Region and each cross-Region replication bucket): versioned, expiring, events on; what stays acknowledged and why. */
function hardenArtifactBucket(bucket: IBucket): void {
  const cfn = bucket.node.defaultChild as CfnBucket;
  cfn.versioningConfiguration = { status: 'Enabled' };
  cfn.lifecycleConfiguration = {
    rules: [{
      id: 'ExpireArtifacts',
      status: 'Enabled',
      expirationInDays: ARTIFACT_EXPIRATION_DAYS,
      noncurrentVersionExpiration: { noncurrentDays: 1 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    }],
  };
  cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  const logged = 'Every object is SSE-KMS with the pipeline\'s artifact key, so every read and write calls KMS (Decrypt, GenerateDataKey), a management event the organization trail records for every account; only the pipeline\'s roles may use the key';
  const rebuilt = 'Artifacts are build outputs each execution rebuilds from its source commit, kept 90 days; they are not evidence to keep a second copy of';
  acknowledgeFinding(bucket,
    { id: 'AwsSolutions::AwsSolutions-S1', reason: logged },
    ...both('S3BucketLoggingEnabled', logged),
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: logged },
    ...both('S3BucketReplicationEnabled', rebuilt),
    { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'Artifacts are rewritten by every execution and expire after 90 days; Object Lock would keep superseded build outputs undeletable' },
  );
}

/** Why an IAM5 detail of a policy aws-cdk-lib writes for the pipeline is as wide as it is; undefined: not acknowledged. */
function wildcardReason(detail: string, wildcardResourceReason: string | undefined): string | undefined {
  if (/^Action::s3:(GetBucket|GetObject|List|DeleteObject|Abort|PutObject)\*$/.test(detail)) {
    return 'aws-cdk-lib\'s read/write grant on the pipeline\'s artifact buckets: the statement\'s resources are those buckets and their objects only';
  }
  if (/^Action::kms:(GenerateDataKey|ReEncrypt)\*$/.test(detail)) return 'aws-cdk-lib\'s grant on the artifact buckets\' keys: the statement\'s resources are those keys only';
  if (/^Resource::(<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>|arn:aws[\w-]*:s3:::[a-z0-9.-]+replicationbucket[a-z0-9]+)\/\*$/.test(detail)) {
    return 'Artifact objects of the pipeline\'s buckets: CodePipeline names them per execution';
  }
  if (/^Resource::arn:aws[\w-]*:logs:[\w-]+:\d{12}:log-group:\/aws\/codebuild\/(<[A-Za-z0-9]+>|\*)(:\*)?$/.test(detail)) {
    return 'The CodeBuild log groups of the pipeline\'s projects (/aws/codebuild/<project>): CodeBuild names a log stream per build';
  }
  if (/^Resource::arn:aws[\w-]*:codebuild:[\w-]+:\d{12}:report-group\/(<[A-Za-z0-9]+>-)?\*$/.test(detail)) {
    return 'CodeBuild report groups named by CodeBuild with the project\'s name as prefix';
  }
  if (/^Resource::arn:\*:iam::\d{12}:role\/\*$/.test(detail)) return 'Held by the iam:ResourceTag/aws-cdk:bootstrap-role condition to this account\'s CDK bootstrap publishing and deploy roles';
  if (/^Resource::<PipelinePipelinesSecurityCheckCDKPipelinesAutoApprove[0-9A-F]{8}\.Arn>:\*$/.test(detail)) return 'The versions of the one approval function of the permissions-broadening check';
  if (detail === 'Resource::*') return wildcardResourceReason;
  return undefined;
}

/** Why a statement on `*` is needed, by the path of the policy below the pipeline (aws-cdk-lib's or ours). */
const RESOURCE_STAR_REASONS: readonly [RegExp, string][] = [
  [/\/PolicyPreview\/PolicyPreview\/Role\/DefaultPolicy$/,
    'ListRoots, ListPolicies, ListOrganizationalUnitsForParent and ListAccountsForParent have no resource type; DescribePolicy and ListTargetsForPolicy read every policy of the organization, whose ids the snapshot learns at run time'],
  [/\/Pipeline\/Role\/DefaultPolicy$/, 'aws-cdk-lib names the cross-Region replication buckets\' keys, created in the support stacks of other Regions, by * in the pipeline role\'s KMS statement'],
  [/\/UpdatePipeline\/SelfMutation\/Role\/DefaultPolicy$/, 'Self-mutation (cdk deploy of the pipeline stack) reads stack states and lists the bootstrap bucket, named only at run time'],
  [/\/Assets\/FileRole\/DefaultPolicy$/, 'aws-cdk-lib\'s asset publishing role starts and reads the builds of the asset projects it creates alongside'],
  [/\/CDKPipelinesAutoApprove\/ServiceRole\/DefaultPolicy$/, 'Held by the aws:ResourceTag/SECURITY_CHECK=ALLOW_APPROVE condition to this pipeline, which aws-cdk-lib tags'],
  [/\/CDKSecurityCheck\/Role\/DefaultPolicy$/, 'Held by the iam:ResourceTag/aws-cdk:bootstrap-role=deploy condition to the CDK deploy roles whose changes cdk diff reads'],
];

/** The IAM5 finding details of a policy, as cdk-nag forms them (its IAMNoWildcardPermissions rule): wildcard actions and resources of Allow statements. */
function iamWildcardDetails(policy: CfnPolicy): string[] {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
  const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: Statement[] };
  const details = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of [statement.Action].flat()) if (action.includes('*')) details.add(`Action::${action}`);
    for (const resource of [statement.Resource].flat()) {
      const flat = flattenCfnReference(resource);
      if (flat.includes('*')) details.add(`Resource::${flat}`);
    }
  }
  return [...details];
}

/**
 * The pipeline's own resources under the gates: what is fixed (the artifact buckets: versioning, expiry, events, the
 * keys' grant restriction) and what is acknowledged on each resource, with why. A wildcard this table does not know
 * stays a finding, so a new grant from aws-cdk-lib fails synth until someone reads it.
 */
export function hardenPipeline(pipeline: CodePipeline): void {
  const cp = pipeline.pipeline;
  hardenArtifactBucket(cp.artifactBucket);
  for (const support of Object.values(cp.crossRegionSupport)) hardenArtifactBucket(support.replicationBucket);
  // The artifact keys (this Region's and each support stack's): grants only for AWS resources (CT.KMS.PR.3).
  const keyScopes = [cp, ...Object.values(cp.crossRegionSupport).map((s) => s.stack)];
  for (const key of keyScopes.flatMap((s) => s.node.findAll()).filter((c): c is Key => c instanceof Key)) {
    denyGrantsExceptForAwsResources(key);
  }
  const scopes: IConstruct[] = [pipeline, ...Object.values(cp.crossRegionSupport).map((s) => s.stack)];
  for (const resource of scopes.flatMap((s) => s.node.findAll()).filter((c): c is CfnResource => c instanceof CfnResource)) {
    if (resource instanceof CfnProject) {
      acknowledgeFinding(resource,
        { id: 'cdk-validator-cfnguard::codebuild_project_logging_enabled_check', reason: 'Without LogsConfig CodeBuild writes every build\'s log to CloudWatch Logs, /aws/codebuild/<project>, which the project role is granted' },
        { id: 'HIPAA.Security::HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason: 'The project\'s source type is CODEPIPELINE (its input artifact): it holds no repository URL and no credentials' });
    } else if (resource instanceof CfnPolicy) {
      const path = resource.node.path;
      const inline = 'aws-cdk-lib writes a construct\'s grants as the default policy of its one role; the policy is attached to that role only and goes with it';
      const starReason = RESOURCE_STAR_REASONS.find(([pattern]) => pattern.test(path.replace(/\/Resource$/, '')))?.[1];
      const wildcards = iamWildcardDetails(resource).flatMap((detail) => {
        const reason = wildcardReason(detail, starReason);
        return reason ? [{ id: `AwsSolutions::AwsSolutions-IAM5[${detail}]`, reason }] : [];
      });
      acknowledgeFinding(resource, ...both('IAMNoInlinePolicy', inline), ...wildcards);
    } else if (resource instanceof CfnFunction) {
      const reason = 'aws-cdk-lib\'s approval function of the permissions-broadening check: invoked asynchronously by the check\'s build, once per stage and execution; it calls only CodePipeline';
      acknowledgeFinding(resource, ...both('LambdaConcurrency', reason), ...both('LambdaDLQ', reason), ...both('LambdaInsideVPC', reason),
        { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason });
    } else if (resource instanceof CfnLogGroup) {
      const reason = 'The approval function\'s log: the pipeline name, stage and action it approved, no data of the estate';
      acknowledgeFinding(resource, ...both('CloudWatchLogGroupEncrypted', reason), { id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason });
    } else if (resource instanceof CfnRole && /CDKPipelinesAutoApprove\/ServiceRole$/.test(resource.node.path.replace(/\/Resource$/, ''))) {
      acknowledgeFinding(resource, {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'aws-cdk-lib\'s approval function writes its own log with the AWS managed basic execution policy (logs:CreateLogGroup, CreateLogStream, PutLogEvents)',
      });
    }
  }
}
