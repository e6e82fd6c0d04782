import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { customResourceFunction } from './custom-resource-function';
import { acknowledgeFinding, type FindingAcknowledgement, logicalIdOf } from '../gates/acknowledge';
import { denyGrantsExceptForAwsResources } from '../kms/deny-grants-except-aws-resources';

export interface GovernanceHandlerProps {
  /** Name of the function, its role and its managed policy (`genai-governance-…`). */
  readonly name: string;
  /** What the role is for (IAM role description). */
  readonly roleDescription: string;
  /** What the function does (Lambda description). */
  readonly functionDescription: string;
  /** The TypeScript handler, bundled and inlined. */
  readonly entry: string;
  /** The handler's permissions; a statement for writing its own log streams is added. */
  readonly statements: readonly PolicyStatement[];
  /** Acknowledgements for findings the statements raise (an IAM5 on an action without a resource type, say). */
  readonly policyAcknowledgements?: readonly FindingAcknowledgement[];
  /** Retention of the handler's log group, in days. */
  readonly logRetentionDays: number;
  readonly outsideVpcReason: string;
  readonly concurrencyReason: string;
}

/**
 * The resources behind one of the management or audit account's custom resources, created directly in `scope` under
 * the ids `LogKey`, `Logs`, `Role`, `Policy` and `Handler`: a rotating key for the log group
 * `/aws/lambda/<name>` (kept on delete), a role only Lambda of this account may assume, one managed policy with the
 * given statements plus the function's own log streams, and the inline-code function (`customResourceFunction`).
 */
export function governanceHandler(scope: Construct, props: GovernanceHandlerProps): LambdaFunction {
  const key = new Key(scope, 'LogKey', {
    description: `Generative-AI governance: encrypts the logs of ${props.name}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  denyGrantsExceptForAwsResources(key);
  key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
  const logs = new LogGroup(scope, 'Logs', {
    logGroupName: `/aws/lambda/${props.name}`, retention: props.logRetentionDays as RetentionDays, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new Role(scope, 'Role', {
    roleName: props.name,
    description: props.roleDescription,
    assumedBy: new ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
  });
  const logsId = logicalIdOf(logs);
  const policy = new ManagedPolicy(scope, 'Policy', {
    managedPolicyName: props.name,
    roles: [role],
    statements: [
      ...props.statements,
      new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.logGroupArn.replace(/:\*$/, '')}:log-stream:*`] }),
    ],
  });
  acknowledgeFinding(policy,
    ...props.policyAcknowledgements ?? [],
    { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logsId}.Arn>:log-stream:*]`, reason: 'Lambda names its log streams itself; the wildcard is the streams of the function\'s own log group' },
  );
  return customResourceFunction(scope, 'Handler', {
    functionName: props.name,
    description: props.functionDescription,
    entry: props.entry,
    role,
    rolePolicy: policy,
    logGroup: logs,
    outsideVpcReason: props.outsideVpcReason,
    concurrencyReason: props.concurrencyReason,
  });
}
