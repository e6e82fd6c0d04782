import { Aws } from 'aws-cdk-lib';
import { CfnConfigurationRecorder, CfnDeliveryChannel } from 'aws-cdk-lib/aws-config';
import { ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding, logicalIdOf } from '../../building-blocks/gates/acknowledge';
import { CONFIG_DELIVERY_PREFIX, CONFIG_RECORDER_NAME, CONFIG_RECORDER_ROLE_NAME } from '../../contracts/detective-controls';

/** Properties of `ConfigRecording`. */
export interface ConfigRecordingProps {
  /** The resource types recorded, and nothing else. */
  readonly resourceTypes: readonly string[];
  /** `CONTINUOUS`: every change; `DAILY`: at most one configuration item a day per changed resource. */
  readonly recordingFrequency: 'CONTINUOUS' | 'DAILY';
  /** Where Config delivers configuration history and snapshots (under `aws-config/`): the invocation-log bucket. */
  readonly bucket: IBucket;
  /** The bucket's key. */
  readonly key: IKey;
}

/**
 * DET-CFG-1's recorder in a member account and Region: an AWS Config recorder of only the given resource types (the
 * Bedrock and AgentCore types the governance conformance pack and Security Hub's AI standard evaluate), with its
 * delivery channel into the account's invocation-log bucket under `aws-config/`, SSE-KMS with that bucket's key. That
 * bucket is replicated to the log archive's Object Lock bucket, so the configuration history of the AI resources is
 * kept as evidence beside the invocation logs. Config delivers with the recorder's role (`genai-governance-config-recorder`,
 * AWS's `AWS_ConfigRole` plus the writes to that prefix), which ORG-TAMPER-BASELINE keeps from anyone else.
 * CloudFormation starts the recorder once the delivery channel exists. An account has one recorder per Region: with
 * one already there (e.g. AWS Control Tower's), set `detective.configConformance.recorder: existing` instead.
 */
export class ConfigRecording extends Construct {
  public readonly recorder: CfnConfigurationRecorder;
  public readonly deliveryChannel: CfnDeliveryChannel;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: ConfigRecordingProps) {
    super(scope, id);
    if (props.resourceTypes.length === 0) throw new Error('ConfigRecording: no resource type to record');
    const objects = props.bucket.arnForObjects(`${CONFIG_DELIVERY_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/Config/*`);
    this.role = new Role(this, 'Role', {
      // Regional: the global baseline does not exist in every Region a recorder does, and a role per Region keeps the
      // stacks independent.
      roleName: `${CONFIG_RECORDER_ROLE_NAME}-${Aws.REGION}`,
      description: 'DET-CFG-1: the AWS Config recorder of the generative-AI governance baseline',
      assumedBy: new ServicePrincipal('config.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    acknowledgeFinding(this.role,
      { id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]', reason: 'AWS_ConfigRole is the policy AWS Config documents for a recorder\'s role; AWS adds the read permissions of resource types as Config learns to record them' },
    );
    const delivery = new ManagedPolicy(this, 'DeliveryPolicy', {
      managedPolicyName: `${CONFIG_RECORDER_ROLE_NAME}-${Aws.REGION}`,
      roles: [this.role],
      document: new PolicyDocument({
        statements: [
          new PolicyStatement({ sid: 'DeliverConfiguration', actions: ['s3:PutObject', 's3:PutObjectAcl'], resources: [objects] }),
          new PolicyStatement({ sid: 'CheckBucket', actions: ['s3:GetBucketAcl', 's3:ListBucket'], resources: [props.bucket.bucketArn] }),
          new PolicyStatement({ sid: 'EncryptDeliveries', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.key.keyArn] }),
        ],
      }),
    });
    acknowledgeFinding(delivery, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(props.bucket)}.Arn>/${CONFIG_DELIVERY_PREFIX}/AWSLogs/<AWS::AccountId>/Config/*]`,
      reason: 'Config names its history and snapshot objects itself; the wildcard is this account\'s Config prefix of the one delivery bucket',
    });
    this.recorder = new CfnConfigurationRecorder(this, 'Recorder', {
      name: CONFIG_RECORDER_NAME,
      roleArn: this.role.roleArn,
      recordingGroup: {
        allSupported: false,
        includeGlobalResourceTypes: false,
        resourceTypes: [...props.resourceTypes],
        recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
      },
      recordingMode: { recordingFrequency: props.recordingFrequency },
    });
    this.deliveryChannel = new CfnDeliveryChannel(this, 'DeliveryChannel', {
      name: CONFIG_RECORDER_NAME,
      s3BucketName: props.bucket.bucketName,
      s3KeyPrefix: CONFIG_DELIVERY_PREFIX,
      s3KmsKeyArn: props.key.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // Config refuses a delivery channel before there is a recorder.
    this.deliveryChannel.node.addDependency(this.recorder);
  }
}
