import type { Template } from 'aws-cdk-lib/assertions';
import { sinkArnParameterArn } from '../../contracts/oam-names';
import { namedQueries } from '../../dashboards/athena/named-queries';
import { synthesizedDashboards } from '../../dashboards/preview/synthesized-dashboards';
import { homeRegionFirst, STACK_RECIPES, STACK_SET_NAMES } from '../../stacks/estate';
import { MAX_METRICS_PER_ALARM } from '../../stacks/observability/organization-alarms';
import { synthOne, synthVariant } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { flatten } from '../support/template-values';

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
const AUDIT = '527038146692';
const ofType = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe('DASH-1: cross-account observability, dashboards and organization alarms', () => {
  const config = exampleConfig();
  const estate = exampleEstate();
  const { assembly } = estate;
  const [home, other] = estate.observability.map((s) => s.template);
  const regional = estate.baseline.regional.template;

  test('one audit-account stack per governed Region; the StackSets and the trail deploy after the sinks exist', () => {
    expect(estate.observability.map((s) => [s.account, s.region])).toEqual([[AUDIT, 'eu-central-1'], [AUDIT, 'eu-west-1']]);
    const stackSetDeps = estate.stackSets.dependencies;
    expect(stackSetDeps).toEqual(expect.arrayContaining(['GovernanceObservability-eu-central-1', 'GovernanceObservability-eu-west-1']));
    expect(estate.organizationTrail.dependencies).toContain('GovernanceObservability-eu-central-1');
  });

  test('evaluated: the sink admits links from the organization for metrics and log groups only', async () => {
    const [[, sink]] = ofType(home, 'AWS::Oam::Sink');
    expect(sink.Properties.Name).toBe('genai-governance-organization');
    const simulator = new OrgSimulator(assembly, config);
    const link = (account: string, types: string[], principalArn?: string, orgId?: string) => simulator.evaluate({
      account,
      principalArn,
      action: 'oam:CreateLink',
      resource: `arn:aws:oam:eu-central-1:${AUDIT}:sink/0a1b2c3d-1111-2222-3333-444455556666`,
      resourceAccount: AUDIT,
      resourcePolicy: sink.Properties.Policy,
      context: { 'oam:ResourceTypes': types, ...(orgId && { 'aws:PrincipalOrgID': orgId }) },
    });
    expect((await link('support-chat-prod', ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'])).result).toBe('Allowed');
    expect((await link('management', ['AWS::CloudWatch::Metric'])).result).toBe('Allowed');
    expect((await link('support-chat-prod', ['AWS::CloudWatch::Metric', 'AWS::XRay::Trace'])).result).not.toBe('Allowed');
    expect((await link('support-chat-prod', ['AWS::CloudWatch::Metric'], 'arn:aws:iam::999988887777:role/admin', 'o-someoneelse1')).result).not.toBe('Allowed');
  });

  test('the sink ARN is published in an advanced SSM parameter shared with the organization only', () => {
    for (const t of [home, other]) {
      const [[, parameter]] = ofType(t, 'AWS::SSM::Parameter');
      expect(parameter.Properties).toMatchObject({ Name: '/genai-governance/observability/sink-arn', Tier: 'Advanced', Value: { 'Fn::GetAtt': [expect.stringMatching(/^Sink/), 'Arn'] } });
      const [[, share]] = ofType(t, 'AWS::RAM::ResourceShare');
      expect(share.Properties.AllowExternalPrincipals).toBe(false);
      expect(flatten(share.Properties.Principals[0])).toBe('arn:${AWS::Partition}:organizations::318274650913:organization/o-7kq2m9xv4b');
    }
  });

  test('every member account × Region links to its Region\'s sink (the StackSet passes each Region\'s parameter), sharing only Bedrock metrics and governance log groups', () => {
    const [[, link]] = ofType(regional, 'AWS::Oam::Link');
    expect(link.Properties).toMatchObject({
      LabelTemplate: '$AccountName',
      ResourceTypes: ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'],
      SinkIdentifier: { Ref: 'ObservabilitySinkArnParameter' },
      LinkConfiguration: {
        MetricConfiguration: { Filter: "Namespace IN ('AWS/Bedrock', 'AWS/Bedrock/Guardrails')" },
        LogGroupConfiguration: { Filter: "LogGroupName LIKE '/genai-governance/%'" },
      },
    });
    expect(regional.toJSON().Parameters.ObservabilitySinkArnParameter.Type).toBe('AWS::SSM::Parameter::Value<String>');
    const stackSet = ofType(estate.stackSets.template, 'AWS::CloudFormation::StackSet').map(([, r]) => r)
      .find((r) => r.Properties.StackSetName === STACK_SET_NAMES.regional)!;
    type Group = { Regions: string[]; ParameterOverrides?: { ParameterKey: string; ParameterValue: string }[] };
    const groups = stackSet.Properties.StackInstancesGroup as Group[];
    expect(groups.map((g) => [g.Regions, g.ParameterOverrides])).toEqual(config.organization.governedRegions.map((r) => [
      [r], [{ ParameterKey: 'ObservabilitySinkArnParameter', ParameterValue: sinkArnParameterArn(AUDIT, r) }],
    ]));
  });

  test('the management account counts Bedrock AccessDenied from the trail\'s log group and links that metric to the home sink', () => {
    const trail = estate.organizationTrail.template;
    const [[, filter]] = ofType(trail, 'AWS::Logs::MetricFilter');
    expect(filter.Properties.FilterPattern).toBe('{ ($.eventSource = "bedrock.amazonaws.com") && ($.errorCode = "AccessDenied*") }');
    expect(filter.Properties.MetricTransformations).toEqual([{ MetricNamespace: 'GenAiGovernance', MetricName: 'BedrockAccessDenied', MetricValue: '1' }]);
    const [[, link]] = ofType(trail, 'AWS::Oam::Link');
    expect(link.Properties).toMatchObject({ ResourceTypes: ['AWS::CloudWatch::Metric'], LinkConfiguration: { MetricConfiguration: { Filter: "Namespace IN ('GenAiGovernance')" } } });
    expect(trail.toJSON().Parameters.ObservabilitySinkArnParameter.Default).toBe(sinkArnParameterArn(AUDIT, 'eu-central-1'));
  });

  test('the alert bus\'s events become metrics: Macie findings on invocation-log buckets by severity, member alarms into ALARM by account', () => {
    const alerts = estate.auditAlerts.template;
    const filters = Object.fromEntries(ofType(alerts, 'AWS::Logs::MetricFilter').map(([, r]) => [r.Properties.MetricTransformations[0].MetricName, r.Properties]));
    expect(filters.MacieInvocationLogFindings.FilterPattern).toBe('{ ($.source = "aws.macie") && ($.detail.resourcesAffected.s3Bucket.name = "genai-governance-invocation-log*") }');
    expect(filters.MemberAlarmsInAlarm.FilterPattern).toBe('{ ($.source = "aws.cloudwatch") && ($.detail.state.value = "ALARM") }');
    const rule = ofType(alerts, 'AWS::Events::Rule').map(([, r]) => r).find((r) => r.Properties.Name === 'genai-governance-alert-events-to-logs')!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['aws.cloudwatch', 'aws.macie'] });
  });

  test('alarm actions go to the topic of their severity', () => {
    const topics = Object.fromEntries(ofType(home, 'AWS::SNS::Topic').map(([id, r]) => [id, r.Properties.TopicName]));
    const severityOf = (alarm: Resource) => topics[alarm.Properties.AlarmActions[0].Ref];
    const alarms = [...ofType(home, 'AWS::CloudWatch::Alarm'), ...ofType(home, 'AWS::CloudWatch::CompositeAlarm')].map(([, r]) => r);
    const bySeverity = (name: string) => severityOf(alarms.find((a) => a.Properties.AlarmName === name)!);
    expect(bySeverity('genai-governance-spend-anomaly')).toBe('genai-governance-alerts-critical');
    expect(bySeverity('genai-governance-bedrock-access-denied-anomaly')).toBe('genai-governance-alerts-high');
    expect(bySeverity('genai-governance-macie-invocation-log-findings')).toBe('genai-governance-alerts-high');
    expect(bySeverity('genai-governance-member-alarms-in-alarm')).toBe('genai-governance-alerts-high');
    expect(bySeverity('genai-governance-org-Invocations-anomaly-amazon.nova-lite-v1:0')).toBe('genai-governance-alerts-medium');
    expect(ofType(other, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties.AlarmName)).not.toContain('genai-governance-member-alarms-in-alarm');
  });

  test('organization anomaly alarms sum every baseline account\'s metric per model (base and profile ids), cross-account', () => {
    const alarm = ofType(home, 'AWS::CloudWatch::Alarm').map(([, r]) => r).find((r) => r.Properties.AlarmName === 'genai-governance-org-InputTokenCount-anomaly-anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    const stats = alarm.Properties.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.AccountId, m.MetricStat.Metric.Dimensions[0].Value]).sort()).toEqual([
      ['741852096357', 'anthropic.claude-sonnet-4-5-20250929-v1:0'], ['741852096357', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
      ['853069217446', 'anthropic.claude-sonnet-4-5-20250929-v1:0'], ['853069217446', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
      ['964170382535', 'anthropic.claude-sonnet-4-5-20250929-v1:0'], ['964170382535', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ]);
    expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanUpperThreshold', ThresholdMetricId: 'band' });
    expect(alarm.Properties.Metrics.find((m: any) => m.Id === 'band').Expression).toBe('ANOMALY_DETECTION_BAND(total, 2)');
    const [[, composite]] = ofType(home, 'AWS::CloudWatch::CompositeAlarm');
    const rule = composite.Properties.AlarmRule as string;
    expect(rule.split(' OR ')).toHaveLength(config.bedrock.approvedModels.length * 2);
    expect(rule).toContain('ALARM("genai-governance-org-OutputTokenCount-anomaly-amazon.nova-lite-v1:0")');
    expect(rule).not.toContain('Invocations-anomaly');
  });

  test('a large organization gets one alarm per group of accounts, none above the 10-metric quota', () => {
    const big = exampleConfig();
    const accounts = Array.from({ length: 12 }, (_, i) => ({ name: `team-${i}`, id: String(100000000000 + i), organizationalUnit: 'Workloads/Prod' }));
    (big as { accounts: unknown[] }).accounts = [...big.accounts, ...accounts];
    const t = synthOne((app) => STACK_RECIPES.observability(app, big, homeRegionFirst(big)[1]));
    const sonnet = ofType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => r).filter((r) => String(r.Properties.AlarmName).startsWith('genai-governance-org-Invocations-anomaly-anthropic.claude-sonnet'));
    // 15 baseline accounts × 2 model ids = 30 metrics → 3 alarms of 5 accounts each.
    expect(ofType(t, 'AWS::CloudWatch::CompositeAlarm').length).toBeGreaterThan(0);
    for (const [, c] of ofType(t, 'AWS::CloudWatch::CompositeAlarm')) expect(String(c.Properties.AlarmRule).length).toBeLessThanOrEqual(10240);
    expect(sonnet.map((r) => r.Properties.AlarmName.slice(-2))).toEqual(['-1', '-2', '-3']);
    for (const r of ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a)) {
      expect((r.Properties.Metrics ?? []).filter((m: any) => m.MetricStat).length).toBeLessThanOrEqual(MAX_METRICS_PER_ALARM);
    }
  });

  test('past the stack\'s alarm budget the per-model alarms are left out with a warning; the other alarms stay', () => {
    const huge = exampleConfig();
    const accounts = Array.from({ length: 150 }, (_, i) => ({ name: `team-${i}`, id: String(200000000000 + i), organizationalUnit: 'Sandbox' }));
    (huge as { accounts: unknown[] }).accounts = [...huge.accounts, ...accounts];
    const { built: stack, synthesized } = synthVariant((app) => STACK_RECIPES.observability(app, huge, homeRegionFirst(huge)[0]));
    const names = ofType(synthesized(stack).template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties.AlarmName);
    expect(names.filter((n: string) => n.startsWith('genai-governance-org-'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['genai-governance-bedrock-access-denied-anomaly', 'genai-governance-member-alarms-in-alarm']));
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.join('\n')).toMatch(/153 baseline accounts need \d+ per-model organization anomaly alarms .* more than the 90 a stack holds/);
  });

  test('three dashboards per Region, each opening with how to read it and the Athena query that drills down', () => {
    const queries = namedQueries(config).map((q) => q.name);
    for (const [t, region] of [[home, 'eu-central-1'], [other, 'eu-west-1']] as const) {
      const dashboards = synthesizedDashboards(t.toJSON());
      expect(dashboards.map((d) => d.name)).toEqual(['usage', 'guardrails', 'governance-health'].map((n) => `genai-governance-${n}-${region}`));
      for (const d of dashboards) {
        const [first, ...rest] = d.widgets;
        expect(first.type).toBe('text');
        const query = /saved query `([\w-]+)`/.exec((first as any).properties.markdown)![1];
        expect(queries).toContain(query);
        for (const w of rest.filter((x) => x.type === 'metric')) expect([region, config.organization.homeRegion]).toContain((w as any).properties.region);
      }
      const health = dashboards[2].widgets.find((w) => w.type === 'alarm') as any;
      expect(health.properties.alarms).toContain('genai-governance-spend-anomaly');
    }
  });

  test('the usage dashboard estimates cost from the configured prices, and names the models it cannot price', () => {
    const usage = synthesizedDashboards(home.toJSON())[0];
    const cost = usage.widgets.find((w) => w.type === 'metric' && w.properties.title.startsWith('Estimated')) as any;
    expect(cost.properties.metrics).toHaveLength(config.observability.modelPrices.length);
    expect(cost.properties.metrics[0][0].expression).toBe(
      '(SUM(SEARCH(\'{AWS/Bedrock,ModelId} MetricName="InputTokenCount" (ModelId="anthropic.claude-sonnet-4-5-20250929-v1:0" OR ModelId="eu.anthropic.claude-sonnet-4-5-20250929-v1:0")\', \'Sum\', 3600)) * 3'
      + ' + SUM(SEARCH(\'{AWS/Bedrock,ModelId} MetricName="OutputTokenCount" (ModelId="anthropic.claude-sonnet-4-5-20250929-v1:0" OR ModelId="eu.anthropic.claude-sonnet-4-5-20250929-v1:0")\', \'Sum\', 3600)) * 15) / 1000000',
    );
    expect((usage.widgets[0] as any).properties.markdown).toContain('not priced: cohere.rerank-v3-5:0');
  });
});
