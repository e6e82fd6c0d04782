import { Aws, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AccountPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AccountGuardrail, guardrailOwner } from './account-guardrail';
import { AlertForwarding } from './alert-forwarding';
import { criInvokePolicyName } from './baseline-global-stack';
import { BedrockEndpoints, DEFAULT_ENDPOINT_SERVICES, ENDPOINT_IAM_PREFIXES } from './bedrock-endpoints';
import { ConfigRecording } from './config-recording';
import { InvocationLogging } from './invocation-logging';
import { WorkloadContract } from './workload-contract';
import { guardrailProperties } from '../../building-blocks/guardrail/guardrail-properties';
import { denyGrantsExceptForAwsResources } from '../../building-blocks/kms/deny-grants-except-aws-resources';
import { ObservabilityLink } from '../../building-blocks/observability/observability-link';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { archiveKeyAliasArn, archiveLocation, invocationLogArchiveBucketName } from '../../contracts/archive-names';
import { RECORDED_RESOURCE_TYPES } from '../../contracts/detective-controls';
import { GOVERNANCE_NAME_PREFIX, GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE, WORKLOAD_BOUNDARY_NAME } from '../../contracts/governance-names';
import { LINK_LOG_GROUP_FILTER, LINK_METRIC_FILTER, sinkArnParameterArn } from '../../contracts/oam-names';
import { guardrailIdentifierParameterArn } from '../../contracts/workload-contract';
import { BEDROCK_NAMESPACE, LOG_DELIVERY_FAILURE_METRICS, metricModelIds, modelUsageAnomalyMetrics, USAGE_METRICS } from '../../dashboards/metrics/bedrock-metrics';
import { inferenceProfileIds } from '../../policies/approved-inference';
import { guardrailExcludedModels } from '../../policies/br-gr-1';
import { organizationOnlyEndpointPolicy, runtimeEndpointPolicy } from '../../policies/vpc-endpoint-policy';
import { criInvokePolicies } from '../../policies/workload-iam';

export interface BaselineRegionalStackProps extends StackProps {
  readonly config: GovernanceConfig;
}

/** Name of the alert topic in every member account and Region. */
export const ALERT_TOPIC_NAME = `${GOVERNANCE_NAME_PREFIX}alerts`;

/**
 * The member baseline's regional part, in every target account × governed Region. BL-VPCE-1: the Bedrock interface
 * endpoints in a private VPC (`BedrockEndpoints`). BL-LOG-1: model-invocation logging to a KMS-encrypted bucket
 * replicated to the log archive and to a log group (`InvocationLogging`). BL-GR-1 with account enforcement: the
 * guardrail and its enforced configuration (`AccountGuardrail`). BL-MON-1: anomaly-detection
 * alarms on `Invocations`, `InputTokenCount` and `OutputTokenCount` per approved model, alarms on invocation-log
 * delivery failures, the KMS-encrypted alert topic they notify (for the account's own subscribers), and the forwarding
 * of every alarm state change to the audit account's event bus (`AlertForwarding`). DASH-1: the OAM link to the
 * audit account's sink of the Region (`ObservabilityLink`; the StackSet passes each Region's sink parameter). The
 * workload contract: SSM parameters under `/genai-governance/workload/` naming what workloads need (`WorkloadContract`;
 * with organization enforcement the StackSet passes each Region's shared guardrail parameter).
 */
export class BaselineRegionalStack extends Stack {
  public readonly alertTopic: Topic;
  public readonly endpoints: BedrockEndpoints;
  public readonly invocationLogging: InvocationLogging;
  /** BL-GR-1, only with `bedrock.guardrail.enforcement: account`. */
  public readonly accountGuardrail?: AccountGuardrail;
  public readonly alarms: CfnAlarm[] = [];
  public readonly alertForwarding: AlertForwarding;
  public readonly observabilityLink: ObservabilityLink;
  /** The workload contract: `/genai-governance/workload/*` SSM parameters. */
  public readonly workloadContract: WorkloadContract;
  /** DET-CFG-1's recorder, only with `detective.configConformance` on and `recorder: baseline`. */
  public readonly configRecording?: ConfigRecording;

  constructor(scope: Construct, id: string, props: BaselineRegionalStackProps) {
    super(scope, id, props);
    const { config } = props;
    const audit = accountIdOf(config, config.topology.audit);

    const key = new Key(this, 'AlertKey', {
      description: 'Generative-AI governance: encrypts the alert topic and the baseline log groups',
      enableKeyRotation: true,
    });
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    const { network } = config.baseline;
    this.endpoints = new BedrockEndpoints(this, 'BedrockEndpoints', {
      endpointPolicies: Object.fromEntries([...DEFAULT_ENDPOINT_SERVICES, ...network.additionalEndpoints].map((service) => [service, service === 'bedrock-runtime'
        ? runtimeEndpointPolicy(config, Aws.ACCOUNT_ID, guardrailOwner(config))
        : organizationOnlyEndpointPolicy(config, ENDPOINT_IAM_PREFIXES[service])])),
      existingVpc: network.existingVpc,
      vpcCidr: network.vpcCidr,
      logKey: key,
      flowLogRetention: config.retention.logGroupRetentionDays,
    });
    this.invocationLogging = new InvocationLogging(this, 'InvocationLogging', {
      settings: config.baseline.invocationLogging,
      archive: { ...archiveLocation(config), bucketName: invocationLogArchiveBucketName(config), keyAliasArn: archiveKeyAliasArn(config) },
      logRetention: config.retention.logGroupRetentionDays,
      accessLogExpiration: Duration.days(config.retention.accessLogExpirationDays),
    });
    const conformance = config.detective.configConformance;
    if (conformance.enabled && conformance.recorder === 'baseline') {
      this.configRecording = new ConfigRecording(this, 'ConfigRecording', {
        resourceTypes: [...new Set([...RECORDED_RESOURCE_TYPES, ...conformance.additionalResourceTypes])],
        recordingFrequency: conformance.recordingFrequency,
        bucket: this.invocationLogging.bucket,
        key: this.invocationLogging.key,
      });
    }
    if (config.bedrock.guardrail.enforcement === 'account') {
      this.accountGuardrail = new AccountGuardrail(this, 'AccountGuardrail', { content: guardrailProperties(config), excludedModels: guardrailExcludedModels(config) });
    }
    denyGrantsExceptForAwsResources(key);
    key.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    this.alertTopic = new Topic(this, 'Alerts', { topicName: ALERT_TOPIC_NAME, masterKey: key, enforceSSL: true });
    this.alertTopic.grantPublish(new ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }));
    this.alertTopic.addToResourcePolicy(new PolicyStatement({
      sid: 'AuditAccountMaySubscribe',
      principals: [new AccountPrincipal(audit)],
      actions: ['sns:Subscribe'],
      resources: [this.alertTopic.topicArn],
    }));

    for (const approved of config.bedrock.approvedModels) {
      const ids = metricModelIds(config, approved);
      for (const metricName of USAGE_METRICS) {
        // Ids from the model, not its position: reordering the approved models changes no logical id.
        const alarm = new CfnAlarm(this, `${metricName}Anomaly-${approved.modelId}`, {
          alarmName: `${GOVERNANCE_NAME_PREFIX}${metricName}-anomaly-${approved.modelId}`.slice(0, 255),
          alarmDescription: `BL-MON-1: ${metricName} of ${approved.modelId} outside its anomaly band (2 standard deviations, hourly)`,
          comparisonOperator: 'GreaterThanUpperThreshold',
          evaluationPeriods: 1,
          thresholdMetricId: 'band',
          treatMissingData: 'notBreaching',
          alarmActions: [this.alertTopic.topicArn],
          metrics: modelUsageAnomalyMetrics(metricName, ids, `${metricName} ${approved.modelId}`, 2),
        });
        this.alarms.push(alarm);
      }
    }
    for (const metricName of LOG_DELIVERY_FAILURE_METRICS) {
      this.alarms.push(new CfnAlarm(this, `${metricName}Alarm`, {
        alarmName: `${GOVERNANCE_NAME_PREFIX}${metricName}`,
        alarmDescription: `BL-MON-1: Bedrock could not deliver model-invocation logs (${metricName})`,
        namespace: BEDROCK_NAMESPACE,
        metricName,
        statistic: 'Sum',
        period: Duration.minutes(5).toSeconds(),
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [this.alertTopic.topicArn],
      }));
    }
    this.alertForwarding = new AlertForwarding(this, 'AlertForwarding', { auditAccountId: audit, homeRegion: config.organization.homeRegion });
    // DASH-1: the account's Bedrock metrics and governance log groups, visible in the audit account of this Region.
    this.observabilityLink = new ObservabilityLink(this, 'ObservabilityLink', {
      sinkArnParameterArn: sinkArnParameterArn(audit, config.organization.homeRegion),
      metricFilter: LINK_METRIC_FILTER,
      logGroupFilter: LINK_LOG_GROUP_FILTER,
    });
    const invokePolicyCount = criInvokePolicies(config, Aws.ACCOUNT_ID, guardrailOwner(config)).length; // as the global stack splits them
    this.workloadContract = new WorkloadContract(this, 'WorkloadContract', {
      vpcId: this.endpoints.vpcId,
      subnetIds: this.endpoints.subnetIds,
      endpointSecurityGroupId: this.endpoints.securityGroupId,
      permissionsBoundaryArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/${WORKLOAD_BOUNDARY_NAME}`,
      invokePolicyArns: Array.from({ length: invokePolicyCount }, (_, i) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/${criInvokePolicyName(i + 1)}`),
      inferenceProfileIdsByRegion: Object.fromEntries(config.organization.governedRegions.map((r) => [r, inferenceProfileIds(config, r)])),
      guardrail: this.accountGuardrail && {
        arn: this.accountGuardrail.guardrail.attrGuardrailArn, version: this.accountGuardrail.version.attrVersion,
      },
      guardrailParameterArn: guardrailIdentifierParameterArn(accountIdOf(config, config.topology.management), config.organization.homeRegion),
    });
    Tags.of(this).add(GOVERNANCE_TAG_KEY, GOVERNANCE_TAG_VALUE);
  }
}
