import { Stack } from 'aws-cdk-lib';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { BucketDeployment } from 'aws-cdk-lib/aws-s3-deployment';
import type { IConstruct } from 'constructs';
import { acknowledgeLambdaFindings } from '../../../../building-blocks/custom-resources/lambda-recipe';
import { acknowledgeFinding, logicalIdOf, partitionOf } from '../../../../building-blocks/gates/acknowledge';

/** The CDK bootstrap's default qualifier, when the app's context names none. */
const DEFAULT_QUALIFIER = 'hnb659fds';

/**
 * Acknowledges, on the one function and role aws-cdk-lib's `BucketDeployment` creates per stack and memory size, the
 * gate findings its fixed design raises, each with why it holds for deploying the widget's files: the function runs
 * only while CloudFormation creates or updates the deployment (copy the synthesized files from the CDK asset bucket
 * into the widget bucket, invalidate the distribution), on aws-cdk-lib's pinned Python runtime with the AWS CLI layer.
 */
export function acknowledgeDeploymentFindings(deployment: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(deployment);
  const fn = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment')) as IConstruct | undefined;
  if (!fn) throw new Error(`${deployment.node.path}: the BucketDeployment's function is not in the stack`);
  acknowledgeLambdaFindings(fn, {
    outsideVpc: 'Runs only during a CloudFormation deployment and reaches S3 and CloudFront\'s global API, which the baseline VPC has no endpoint for (CloudFront); it holds no customer data, only the widget\'s public files',
    deadLetterQueue: 'CloudFormation invokes it synchronously for the custom resource and fails the deployment on an error: there is no asynchronous event to keep',
    concurrency: 'One invocation per deployment of the widget\'s files; reserving concurrency would take it from the tenant\'s functions',
  });
  acknowledgeFinding(fn, { id: 'AwsSolutions::AwsSolutions-L1', reason: 'aws-cdk-lib\'s BucketDeployment pins its handler\'s Python runtime (the AWS CLI layer\'s); the construct offers no runtime choice' });
  const role = deployment.handlerRole;
  acknowledgeFinding(role, {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'aws-cdk-lib\'s BucketDeployment attaches AWS\'s basic execution policy to its role (CloudWatch Logs writes only)',
  });
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${deployment.node.path}: the BucketDeployment's role has no default policy`);
  const partition = partitionOf(stack);
  // The stack's own synthesizer's qualifier first: a pipeline gives its stacks a synthesizer of its bootstrap.
  const qualifier = stack.synthesizer.bootstrapQualifier ?? stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DEFAULT_QUALIFIER;
  const grants = 'aws-cdk-lib grants the deployment function read on the CDK asset bucket and read-write on the widget bucket (objects of that one bucket) and the key, with its action wildcards; BucketDeployment offers no narrower grant';
  acknowledgeFinding(policy,
    ...['kms:GenerateDataKey*', 'kms:ReEncrypt*', 's3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']
      .map((action) => ({ id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`, reason: grants })),
    { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/*]`, reason: 'Every object of the widget bucket: the deployment replaces the whole set of files and deletes the ones the build no longer has' },
    { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*]`, reason: 'The CDK asset bucket of this account and Region, where the synthesized widget files are uploaded under content-hash keys' },
    { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'cloudfront:CreateInvalidation and GetInvalidation as aws-cdk-lib grants them to invalidate the distribution after a deployment' },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy', reason: 'aws-cdk-lib\'s BucketDeployment writes its grants into its role\'s default inline policy; the role serves that one function' },
    { id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy', reason: 'aws-cdk-lib\'s BucketDeployment writes its grants into its role\'s default inline policy; the role serves that one function' },
  );
}
