import type { Template } from 'aws-cdk-lib/assertions';
import { accountIdOf } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { BEDROCK_SPEND_VALUE, SPEND_ANOMALY_NAMES } from '../../contracts/spend-anomaly-names';
import { synthesizedDashboards } from '../../dashboards/preview/synthesized-dashboards';
import { ManagementStack } from '../../stacks/management/management-stack';
import { synthOne } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
const resources = (t: Template) => Object.entries(t.toJSON().Resources as Record<string, Resource>);
const ofType = (t: Template, type: string) => resources(t).filter(([, r]) => r.Type === type);
const only = (t: Template, type: string): [string, Resource] => {
  const found = ofType(t, type);
  expect(found).toHaveLength(1);
  return found[0];
};

/** The management stack alone, for a config variant, with every gate on. */
function managementFor(config: GovernanceConfig): Template {
  return synthOne((app) => new ManagementStack(app, 'GovernanceManagement', {
    config,
    env: { account: accountIdOf(config, config.topology.management), region: config.organization.homeRegion },
  }));
}

/** A config with `spendAnomalies` replaced. */
function withSpend(spend: Partial<GovernanceConfig['observability']['spendAnomalies']>): GovernanceConfig {
  const config = exampleConfig();
  config.observability.spendAnomalies = { ...config.observability.spendAnomalies, ...spend };
  return config;
}

describe('DASH-1: Cost Anomaly Detection on the organization\'s Bedrock spend (management account)', () => {
  test('a service code named twice fails synth, naming it', () => {
    expect(() => managementFor(withSpend({ additionalServiceCodes: ['AmazonBedrock'] })))
      .toThrow(/the service code "AmazonBedrock" is counted as Bedrock spend twice/);
  });

  test('off in the config: no cost category, monitor, subscription or spend topic', () => {
    const t = managementFor(withSpend({ enabled: false }));
    for (const type of ['AWS::CE::CostCategory', 'AWS::CE::AnomalyMonitor', 'AWS::CE::AnomalySubscription', 'AWS::SNS::Topic']) expect(ofType(t, type)).toEqual([]);
  });

  const template = exampleEstate().management.template;

  test('the cost category\'s one value is every line item of the Bedrock service code, in every linked account (no account, Region or tag in the rule)', () => {
    const [, category] = only(template, 'AWS::CE::CostCategory');
    expect(category.Properties.Name).toBe('genai-governance-bedrock-spend');
    expect(category.Properties.Name.length).toBeLessThanOrEqual(50);
    expect(category.Properties.RuleVersion).toBe('CostCategoryExpression.v1');
    expect(JSON.parse(category.Properties.Rules)).toEqual([
      { Value: BEDROCK_SPEND_VALUE, Rule: { Dimensions: { Key: 'SERVICE_CODE', Values: ['AmazonBedrock'], MatchOptions: ['EQUALS'] } } },
    ]);
  });

  test('a customer managed monitor on that one cost category value, created after the category it names', () => {
    const [categoryId] = only(template, 'AWS::CE::CostCategory');
    const [, monitor] = only(template, 'AWS::CE::AnomalyMonitor');
    expect(monitor.Properties).toMatchObject({ MonitorName: SPEND_ANOMALY_NAMES.monitor, MonitorType: 'CUSTOM' });
    expect(monitor.Properties.MonitorDimension).toBeUndefined();
    expect(JSON.parse(monitor.Properties.MonitorSpecification)).toEqual({
      CostCategories: { Key: SPEND_ANOMALY_NAMES.costCategory, Values: [BEDROCK_SPEND_VALUE], MatchOptions: ['EQUALS'] },
    });
    expect(monitor.DependsOn).toContain(categoryId);
  });

  test('individual alerts (IMMEDIATE, over SNS) from 100 USD of total impact to the encrypted spend topic, after its policy exists', () => {
    const [monitorId] = only(template, 'AWS::CE::AnomalyMonitor');
    const [topicId, topic] = only(template, 'AWS::SNS::Topic');
    const [policyId] = only(template, 'AWS::SNS::TopicPolicy');
    const [, subscription] = only(template, 'AWS::CE::AnomalySubscription');
    expect(subscription.Properties).toMatchObject({
      SubscriptionName: SPEND_ANOMALY_NAMES.subscription,
      Frequency: 'IMMEDIATE',
      MonitorArnList: [{ 'Fn::GetAtt': [monitorId, 'MonitorArn'] }],
      Subscribers: [{ Type: 'SNS', Address: { Ref: topicId } }],
    });
    expect(subscription.Properties.Threshold).toBeUndefined();
    expect(JSON.parse(subscription.Properties.ThresholdExpression)).toEqual(
      { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', Values: ['100'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } });
    expect(subscription.DependsOn).toContain(policyId);
    expect(topic.Properties.TopicName).toBe('genai-governance-alerts-spend');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/TopicKey/), 'Arn'] });
  });

  test('Cost Anomaly Detection may publish to the topic and use its key; the topic refuses anything but TLS', () => {
    const [, policy] = only(template, 'AWS::SNS::TopicPolicy');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const publish = statements.find((s) => s.Sid === 'CostAnomalyDetectionPublishes');
    expect(publish).toMatchObject({ Effect: 'Allow', Principal: { Service: 'costalerts.amazonaws.com' }, Action: 'sns:Publish' });
    expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    const key = ofType(template, 'AWS::KMS::Key').map(([, r]) => r).find((r) => /spend anomaly/.test(r.Properties.Description))!;
    const grant = (key.Properties.KeyPolicy.Statement as any[]).find((s) => s.Principal?.Service === 'costalerts.amazonaws.com');
    expect(grant.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('a percentage threshold is ANDed with the absolute one; Marketplace service codes join the cost category\'s rule', () => {
    const t = managementFor(withSpend({ minimumImpactUsd: 250, minimumImpactPercentage: 40, additionalServiceCodes: ['prodview-claude-example'] }));
    const [, subscription] = only(t, 'AWS::CE::AnomalySubscription');
    expect(JSON.parse(subscription.Properties.ThresholdExpression)).toEqual({
      And: [
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', Values: ['250'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } },
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', Values: ['40'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } },
      ],
    });
    const [, category] = only(t, 'AWS::CE::CostCategory');
    expect(JSON.parse(category.Properties.Rules)[0].Rule.Dimensions.Values).toEqual(['AmazonBedrock', 'prodview-claude-example']);
  });

  test('the usage dashboard names the three layers and where each one notifies', () => {
    const [home] = exampleEstate().observability;
    const usage = synthesizedDashboards(home.template.toJSON())[0];
    const layers = usage.widgets.find((w) => w.type === 'text' && /Three layers/.test((w as any).properties.markdown)) as any;
    expect(layers).toBeDefined();
    const text = layers.properties.markdown as string;
    for (const name of ['BL-MON-1', 'genai-governance-usage-above-limit-', 'genai-governance-token-usage-above-limit', SPEND_ANOMALY_NAMES.monitor, SPEND_ANOMALY_NAMES.topic]) {
      expect(text).toContain(name);
    }
  });
});
