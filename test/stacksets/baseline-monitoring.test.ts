import { Match } from 'aws-cdk-lib/assertions';
import { LOG_DELIVERY_FAILURE_METRICS, USAGE_METRICS } from '../../dashboards/metrics/bedrock-metrics';
import { STACK_SET_NAMES } from '../../stacks/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';

describe('BL-MON-1: anomaly and log-delivery alarms in every member account × governed Region', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const member = estate.baseline.regional.template;
  const alarms = Object.values(member.toJSON().Resources as Record<string, any>).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
  const topicRef = { Ref: Object.keys(member.findResources('AWS::SNS::Topic'))[0] };

  test('one anomaly alarm per approved model and usage metric, on the sum of the model and its profile ids', () => {
    expect(alarms.filter((a) => a.ThresholdMetricId === 'band')).toHaveLength(config.bedrock.approvedModels.length * USAGE_METRICS.length);
    const sonnet = alarms.find((a) => a.AlarmName === 'genai-governance-InputTokenCount-anomaly-anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(sonnet.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions[0].Value))
      .toEqual(['anthropic.claude-sonnet-4-5-20250929-v1:0', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    expect(sonnet.Metrics.find((m: any) => m.Id === 'band').Expression).toBe('ANOMALY_DETECTION_BAND(total, 2)');
    expect(sonnet).toMatchObject({ ComparisonOperator: 'GreaterThanUpperThreshold', AlarmActions: [topicRef] });
  });

  test('every metric is an AWS/Bedrock metric of the documented catalog', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) {
      const metrics = a.MetricName
        ? [{ Namespace: a.Namespace, MetricName: a.MetricName }]
        : a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
      for (const m of metrics) {
        expect(m.Namespace).toBe('AWS/Bedrock');
        expect([...USAGE_METRICS, ...LOG_DELIVERY_FAILURE_METRICS]).toContain(m.MetricName);
      }
    }
  });

  test('an alarm on each invocation-log delivery failure metric', () => {
    for (const metricName of LOG_DELIVERY_FAILURE_METRICS) {
      expect(alarms).toContainEqual(expect.objectContaining({ MetricName: metricName, Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topicRef] }));
    }
  });

  test('alarms notify a KMS-encrypted topic the audit account may subscribe to', () => {
    member.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'genai-governance-alerts', KmsMasterKeyId: Match.anyValue() });
    member.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AuditAccountMaySubscribe', Action: 'sns:Subscribe', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::527038146692:root']] } } })]) },
    });
  });

  test('every resource carries the governance tag the tamper-protection SCPs key on', () => {
    for (const type of ['AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::CloudWatch::Alarm']) {
      expect([type, Object.keys(member.findResources(type)).length > 0]).toEqual([type, true]);
      for (const r of Object.values(member.findResources(type)) as any[]) {
        expect([type, r.Properties.Tags]).toEqual([type, expect.arrayContaining([{ Key: 'genai-governance:managed', Value: 'true' }])]);
      }
    }
  });

  test('goes to every governed Region by its own StackSet', () => {
    const stackSets = Object.values(estate.stackSets.template.findResources('AWS::CloudFormation::StackSet')) as any[];
    const regional = stackSets.find((s) => s.Properties.StackSetName === STACK_SET_NAMES.regional)!;
    expect(regional.Properties.StackInstancesGroup.flatMap((g: { Regions: string[] }) => g.Regions)).toEqual(config.organization.governedRegions);
  });
});
