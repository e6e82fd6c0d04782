import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, Effect, ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { acknowledgeFinding, type FindingAcknowledgement } from '../../building-blocks/gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { encryptedBucketProps } from '../../building-blocks/s3/encrypted-bucket-props';
import { enableEventBridgeNotifications } from '../../building-blocks/s3/event-bridge-notifications';
import { pipelineBootstrapRoleName, type PipelineBootstrapRoleKind } from '../../policies/pipeline-roles';

/**
 * The version of the CDK CLI's bootstrap template (`CdkBootstrapVersion`) whose resources this template provides for
 * file assets (a test compares it with the installed CLI's bootstrap-template.yaml): what the stack synthesizer and
 * the CLI check in `/cdk-bootstrap/<qualifier>/version`.
 */
export const CDK_BOOTSTRAP_VERSION = 33;

/** The SSM parameter the stack synthesizer's `BootstrapVersion` rule and the CLI read, for a qualifier. */
export function bootstrapVersionParameterName(qualifier: string): string {
  return `/cdk-bootstrap/${qualifier}/version`;
}

export interface PipelineBootstrapStackProps extends StackProps {
  /** The bootstrap qualifier (`pipeline.bootstrapQualifier`): every name below carries it. */
  readonly qualifier: string;
  /** The only account the deploy, file-publishing and lookup roles trust: the pipeline's deployment account. */
  readonly trustedAccount: string;
  /**
   * The IAM service prefixes the CloudFormation execution role may act in (`<prefix>:*` each): those the resource
   * handlers of the estate's resource types call (stacksets/bootstrap/execution-services.ts). Never `*`.
   */
  readonly executionServices: readonly string[];
}

/**
 * The CDK bootstrap of one account and Region for the pipeline, modelled on the CDK CLI's bootstrap template
 * (node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml) with its names, so the stack synthesizer, CDK
 * Pipelines and the CLI find everything by the qualifier:
 * - the file-assets bucket `cdk-<qualifier>-assets-<account>-<region>` (SSE-KMS with its own rotating key, alias
 *   `alias/cdk-<qualifier>-assets-key`, versioned, TLS only, public access blocked);
 * - the roles `cdk-<qualifier>-{deploy,file-publishing,lookup,cfn-exec}-role-<account>-<region>`: the first three
 *   trust the deployment account only (no external id); the execution role trusts CloudFormation only and holds the
 *   scoped execution policy instead of AdministratorAccess;
 * - `/cdk-bootstrap/<qualifier>/version`.
 * No container-image repository and no image-publishing role: every function is bundled with esbuild, the estate has
 * no image asset (a test checks the asset manifests). No permissions boundary on the bootstrap's own roles: the
 * StackSets execution role creates them, and ORG-BOUNDARY-1 exempts it.
 */
export class PipelineBootstrapStack extends Stack {
  public readonly executionRole: Role;
  public readonly deployRole: Role;
  public readonly filePublishingRole: Role;
  public readonly lookupRole: Role;
  public readonly stagingBucket: Bucket;

  constructor(scope: Construct, id: string, props: PipelineBootstrapStackProps) {
    super(scope, id, props);
    if (props.executionServices.length === 0 || props.executionServices.some((s) => !/^[a-z0-9-]+$/.test(s))) {
      throw new Error(`executionServices: IAM service prefixes (lowercase letters, digits, "-"), at least one; received ${JSON.stringify(props.executionServices)}`);
    }
    const q = props.qualifier;
    const roleName = (kind: PipelineBootstrapRoleKind) => pipelineBootstrapRoleName(q, kind, Aws.ACCOUNT_ID, Aws.REGION);
    const trusted = (): IPrincipal => new AccountPrincipal(props.trustedAccount).withConditions({ Null: { 'sts:ExternalId': 'true' } });
    const trustingRole = (roleId: string, kind: PipelineBootstrapRoleKind, tag: string): Role => {
      const role = new Role(this, roleId, { roleName: roleName(kind), assumedBy: trusted() });
      // CDK Pipelines and the CLI tag their sessions; the bootstrap template allows it for the trusted accounts.
      role.assumeRolePolicy!.addStatements(new PolicyStatement({ actions: ['sts:TagSession'], principals: [new AccountPrincipal(props.trustedAccount)] }));
      // CDK Pipelines' own policies find the roles by this tag (`iam:ResourceTag/aws-cdk:bootstrap-role`).
      Tags.of(role).add('aws-cdk:bootstrap-role', tag);
      return role;
    };

    const key = new Key(this, 'FileAssetsBucketEncryptionKey', {
      description: `CDK bootstrap ${q}: the file-assets bucket's key`,
      enableKeyRotation: true,
      alias: `alias/cdk-${q}-assets-key`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    denyGrantsExceptForAwsResources(key);
    // Principals of this account through S3 in this Region: CloudFormation and Lambda read the assets with the caller's rights.
    key.addToResourcePolicy(new PolicyStatement({
      sid: 'UseThroughS3InThisAccount',
      principals: [new AccountPrincipal(Aws.ACCOUNT_ID)],
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }));

    this.stagingBucket = new Bucket(this, 'StagingBucket', {
      bucketName: `cdk-${q}-assets-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      ...encryptedBucketProps(key),
      lifecycleRules: [
        { id: 'CleanupOldVersions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridgeNotifications(this.stagingBucket);
    const rebuilt = 'CDK file assets (function code, large templates) are build outputs every pipeline run publishes again from its source commit; they are not evidence';
    const logged = 'Every object is SSE-KMS with the bucket\'s key, so every read and write calls KMS, a management event the organization trail records; only this account\'s bootstrap roles write to it';
    acknowledgeFinding(this.stagingBucket,
      { id: 'AwsSolutions::AwsSolutions-S1', reason: logged },
      ...both('S3BucketLoggingEnabled', logged),
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: logged },
      ...both('S3BucketReplicationEnabled', rebuilt),
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: `${rebuilt}; noncurrent versions expire after 30 days, which Object Lock would prevent` },
    );

    this.filePublishingRole = trustingRole('FilePublishingRole', 'file-publishing', 'file-publishing');
    this.stagingBucket.grantReadWrite(this.filePublishingRole);

    this.lookupRole = trustingRole('LookupRole', 'lookup', 'lookup');
    this.lookupRole.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    this.lookupRole.addToPrincipalPolicy(new PolicyStatement({ sid: 'DontReadSecrets', effect: Effect.DENY, actions: ['kms:Decrypt'], resources: ['*'] }));

    this.executionRole = new Role(this, 'CloudFormationExecutionRole', {
      roleName: roleName('cfn-exec'),
      assumedBy: new ServicePrincipal('cloudformation.amazonaws.com'),
      description: 'CloudFormation acting for the pipeline: the services the estate\'s resource handlers call (docs/adr/0027)',
      inlinePolicies: {
        ExecutionPolicy: new PolicyDocument({
          statements: [new PolicyStatement({ sid: 'EstateResourceHandlers', actions: props.executionServices.map((s) => `${s}:*`), resources: ['*'] })],
        }),
      },
    });

    this.deployRole = trustingRole('DeploymentActionRole', 'deploy', 'deploy');
    this.deployRole.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('AWSCloudFormationReadOnlyAccess'));
    for (const statement of deployStatements(this, q)) this.deployRole.addToPrincipalPolicy(statement);
    this.executionRole.grantPassRole(this.deployRole);
    this.stagingBucket.grantRead(this.deployRole);

    this.acknowledgeRoleFindings(props.executionServices);

    new StringParameter(this, 'CdkBootstrapVersion', {
      parameterName: bootstrapVersionParameterName(q),
      stringValue: String(CDK_BOOTSTRAP_VERSION),
      description: `CDK bootstrap ${q}: the bootstrap template version this account and Region provide`,
    });
    new CfnOutput(this, 'BucketName', { value: this.stagingBucket.bucketName, description: 'The file-assets bucket' });
    new CfnOutput(this, 'BootstrapVersion', { value: String(CDK_BOOTSTRAP_VERSION), description: 'The bootstrap template version provided' });
  }

  /** The findings on the bootstrap's roles that are the CDK bootstrap's design, each with why (modelled on bootstrap-template.yaml). */
  private acknowledgeRoleFindings(executionServices: readonly string[]): void {
    const policyOf = (role: Role) => role.node.findChild('DefaultPolicy');
    const objects = `Resource::<${this.getLogicalId(this.stagingBucket.node.defaultChild as CfnBucket)}.Arn>/*`;
    const iam5 = (detail: string, reason: string): FindingAcknowledgement => ({ id: `AwsSolutions::AwsSolutions-IAM5[${detail}]`, reason });
    const scoped = 'The execution policy allows each service the resource handlers of the estate\'s resource types call, generated from the CloudFormation resource provider schemas (docs/adr/0027); only CloudFormation assumes the role, and only the deploy role may pass it (ORG-TAMPER-BASELINE)';
    acknowledgeFinding(this.executionRole,
      ...executionServices.map((svc) => iam5(`Action::${svc}:*`, scoped)),
      iam5('Resource::*', `${scoped}; the stacks name their resources at deploy time`),
      ...both('IAMNoInlinePolicy', INLINE),
      ...both('IAMPolicyNoStatementsWithFullAccess', scoped),
      { id: 'cdk-validator-cfnguard::iam_inline_policy_no_statements_with_full_access_check', reason: scoped });
    const staged = 'The file-assets bucket\'s objects: the stack synthesizer names them by content hash at synth time';
    const s3Grant = 'aws-cdk-lib\'s read/write grant on the file-assets bucket: the statement\'s resources are that bucket and its objects only';
    acknowledgeFinding(policyOf(this.filePublishingRole),
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => iam5(`Action::${a}`, s3Grant)),
      ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((a) => iam5(`Action::${a}`, 'aws-cdk-lib\'s grant on the file-assets bucket\'s key: the statement\'s resource is that key only')),
      iam5(objects, staged),
      ...both('IAMNoInlinePolicy', INLINE));
    const artifacts = 'As the CDK bootstrap template: the pipeline\'s artifact buckets in the deployment account (StringNotEquals s3:ResourceAccount this account), named by CDK Pipelines at deploy time, and this account\'s file-assets bucket';
    acknowledgeFinding(policyOf(this.deployRole),
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => iam5(`Action::${a}`, artifacts)),
      iam5('Resource::*', 'As the CDK bootstrap template: the artifact buckets of another account (held by the s3:ResourceAccount condition), their keys through S3 only (kms:ViaService), sts:GetCallerIdentity, which has no resource'),
      iam5(objects, staged),
      iam5('Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/*', 'The stacks of this account and Region, which the pipeline names from the estate table: the deploy role creates and changes only those'),
      ...both('IAMNoInlinePolicy', INLINE));
    acknowledgeFinding(this.deployRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCloudFormationReadOnlyAccess]',
      reason: 'As the CDK bootstrap template: the CLI and CDK Pipelines read stack states, events, templates and change sets while they deploy',
    });
    acknowledgeFinding(this.lookupRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason: 'As the CDK bootstrap template: context lookups (VPCs, parameters, AMIs) read any service; its DontReadSecrets statement denies kms:Decrypt',
    });
    acknowledgeFinding(policyOf(this.lookupRole), ...both('IAMNoInlinePolicy', INLINE));
  }
}

const INLINE = 'aws-cdk-lib writes a role\'s grants as its one default (or named inline) policy: attached to that role only, created and deleted with it';

const both = (rule: string, reason: string): FindingAcknowledgement[] => [
  { id: `NIST.800.53.R5::NIST.800.53.R5-${rule}`, reason },
  { id: `HIPAA.Security::HIPAA.Security-${rule}`, reason },
];

/**
 * The deploy role's rights beyond CloudFormation reads, as in the CDK CLI's bootstrap template: change sets and stack
 * operations in this account and Region, the pipeline's artifacts in other accounts (read through S3 with their KMS
 * keys), and the bootstrap version parameter.
 */
function deployStatements(stack: Stack, qualifier: string): PolicyStatement[] {
  const stacks = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/*`;
  return [
    new PolicyStatement({
      sid: 'DeployPermissions',
      actions: [
        'cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:CreateStack',
        'cloudformation:UpdateStack', 'cloudformation:RollbackStack', 'cloudformation:ContinueUpdateRollback', 'cloudformation:DeleteStack',
        'cloudformation:UpdateTerminationProtection',
      ],
      resources: [stacks],
    }),
    new PolicyStatement({
      sid: 'PipelineCrossAccountArtifactsBucket',
      actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      resources: ['*'],
      conditions: { StringNotEquals: { 's3:ResourceAccount': stack.account } },
    }),
    new PolicyStatement({
      sid: 'PipelineCrossAccountArtifactsKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
    new PolicyStatement({ sid: 'CliPermissions', actions: ['sts:GetCallerIdentity'], resources: ['*'] }),
    new PolicyStatement({
      sid: 'ReadVersion',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${bootstrapVersionParameterName(qualifier)}`],
    }),
  ];
}
