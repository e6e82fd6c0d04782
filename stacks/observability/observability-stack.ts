import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnAlarm, CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSink } from 'aws-cdk-lib/aws-oam';
import { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { OrganizationAlarms, type SeverityTopics } from './organization-alarms';
import { TopicKey } from '../../building-blocks/kms/topic-key';
import { accountIdOf, baselineAccounts } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { SHARED_RESOURCE_TYPES, SINK_ARN_PARAMETER_NAME, SINK_NAME } from '../../contracts/oam-names';
import { dashboardsFor } from '../../dashboards/definitions/dashboards';
import { metricModelIds } from '../../dashboards/metrics/bedrock-metrics';
import { concreteRegion } from '../stack-region';

export interface ObservabilityStackProps extends StackProps {
  /** The governance configuration. */
  readonly config: GovernanceConfig;
}

/**
 * DASH-1 in the audit account, one stack per governed Region (OAM links, alarms and their metrics are Regional), the
 * Region of its `env`:
 *
 * - the OAM sink `genai-governance-organization`, whose policy admits links from principals of the organization only and
 *   only for metrics and log groups; its ARN in the advanced-tier SSM parameter `/genai-governance/observability/sink-arn`,
 *   shared with the organization through AWS RAM, where the member baseline and the management account read it;
 * - the KMS-encrypted alert topics by severity, `genai-governance-alerts-critical|high|medium`;
 * - the organization-level alarms (`OrganizationAlarms`);
 * - the dashboards `genai-governance-usage|guardrails|governance-health-<region>` (`dashboards/definitions/`).
 */
export class ObservabilityStack extends Stack {
  public readonly sink: CfnSink;
  public readonly topics: SeverityTopics;
  public readonly alarms: OrganizationAlarms;
  public readonly dashboards: CfnDashboard[];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const region = concreteRegion(this);
    const management = accountIdOf(config, config.topology.management);

    this.sink = new CfnSink(this, 'Sink', {
      name: SINK_NAME,
      policy: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'OrganizationLinksForMetricsAndLogGroups',
          Effect: 'Allow',
          Principal: '*',
          Action: ['oam:CreateLink', 'oam:UpdateLink'],
          Resource: '*',
          Condition: {
            'StringEquals': { 'aws:PrincipalOrgID': config.organization.id },
            'ForAllValues:StringEquals': { 'oam:ResourceTypes': SHARED_RESOURCE_TYPES },
          },
        }],
      },
    });
    const parameter = new StringParameter(this, 'SinkArn', {
      parameterName: SINK_ARN_PARAMETER_NAME,
      description: 'DASH-1: ARN of the audit account\'s OAM sink in this Region (shared with the organization)',
      stringValue: this.sink.attrArn,
      tier: ParameterTier.ADVANCED,
    });
    new CfnResourceShare(this, 'SinkArnShare', {
      name: `${GOVERNANCE_NAME_PREFIX}observability-sink-arn`,
      resourceArns: [parameter.parameterArn],
      principals: [`arn:${this.partition}:organizations::${management}:organization/${config.organization.id}`],
      allowExternalPrincipals: false,
    });

    const key = new TopicKey(this, 'TopicKey', {
      description: 'Generative-AI governance: encrypts the audit account\'s alert topics by severity',
      publisher: new ServicePrincipal('cloudwatch.amazonaws.com'),
    });
    const topic = (severity: string) => {
      const t = new Topic(this, `Alerts${severity}`, { topicName: `${GOVERNANCE_NAME_PREFIX}alerts-${severity}`, masterKey: key, enforceSSL: true });
      t.grantPublish(new ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }));
      return t;
    };
    this.topics = { critical: topic('critical'), high: topic('high'), medium: topic('medium') };

    const limits = config.observability.accountHourlyLimits;
    this.alarms = new OrganizationAlarms(this, 'Alarms', {
      models: config.bedrock.approvedModels.map((m) => {
        const own = limits.models.find((l) => l.modelId === m.modelId);
        return {
          modelId: m.modelId,
          metricModelIds: metricModelIds(config, m, region),
          accountLimits: {
            Invocations: own?.invocations ?? limits.invocations,
            InputTokenCount: own?.inputTokens ?? limits.inputTokens,
            OutputTokenCount: own?.outputTokens ?? limits.outputTokens,
          },
        };
      }),
      sourceAccountCount: baselineAccounts(config).length,
      anomalyBandStandardDeviations: config.observability.anomalyBandStandardDeviations,
      topics: this.topics,
      isHomeRegion: region === config.organization.homeRegion,
      managementAccountId: management,
    });
    const alarmArns = this.alarms.alarms.map((a) => CfnAlarm.arnForAlarm(a));
    this.dashboards = dashboardsFor({
      config,
      region,
      alarmArns,
      managementAccountId: management,
    }).map((d) => new CfnDashboard(this, d.name, { dashboardName: d.name, dashboardBody: this.toJsonString(d.body) }));
  }
}
