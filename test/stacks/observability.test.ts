import { App, Duration, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { CfnCompositeAlarm, CompositeAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { baselineAccounts } from '../../config/accounts';
import type { GovernanceConfig } from '../../config/schema';
import { sinkArnParameterArn } from '../../contracts/oam-names';
import { namedQueries } from '../../dashboards/athena/named-queries';
import { metricModelIds, USAGE_METRICS } from '../../dashboards/metrics/bedrock-metrics';
import { expressionMetricUses } from '../../dashboards/metrics/metric-uses';
import { METRICS_INSIGHTS_QUOTAS } from '../../dashboards/metrics/metrics-insights';
import { synthesizedDashboards } from '../../dashboards/preview/synthesized-dashboards';
import { STACK_RECIPES, STACK_SET_NAMES } from '../../stacks/estate';
import { OrganizationAlarms, type OrganizationAlarmModel } from '../../stacks/observability/organization-alarms';
import { synthOne } from '../support/estate';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { OrgSimulator } from '../support/org-simulator';
import { scaledConfig } from '../support/scaled-organization';
import { flatten } from '../support/template-values';

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
const AUDIT = '527038146692';
const ofType = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
const ALARM_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'];
/** Every alarm of a template, composite ones included, by logical id. */
const alarmsOf = (t: Template) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => ALARM_TYPES.includes(r.Type));
/** An alarm whose query is a Metrics Insights query. */
const isInsights = (r: Resource) => (r.Properties.Metrics ?? []).some((q: { Expression?: string }) => /^\s*SELECT\b/.test(q.Expression ?? ''));
/** The per-account usage alarms: `genai-governance-org-<metric>-<model or profile id>`. */
const usageAlarms = (t: Template) => ofType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => r).filter((r) => String(r.Properties.AlarmName).startsWith('genai-governance-org-'));

/** What each approved model's alarms must compare with: `observability.accountHourlyLimits`, a model's own entry first. */
function limitsOf(config: GovernanceConfig, modelId: string): Record<string, number> {
  const limits = config.observability.accountHourlyLimits;
  const own = limits.models.find((m) => m.modelId === modelId);
  return {
    Invocations: own?.invocations ?? limits.invocations,
    InputTokenCount: own?.inputTokens ?? limits.inputTokens,
    OutputTokenCount: own?.outputTokens ?? limits.outputTokens,
  };
}

describe('DASH-1: organization alarms refuse what the Metrics Insights quotas would not hold', () => {
  /** The organization alarms alone, in a bare stack, for models made up to reach a quota. */
  const alarmsFor = (models: OrganizationAlarmModel[], more: { sourceAccountCount?: number; evaluationPeriods?: number; period?: Duration } = {}) => {
    const stack = new Stack(new App(), 'Alarms', { env: { account: '527038146692', region: 'eu-central-1' } });
    const topic = new Topic(stack, 'Topic');
    return new OrganizationAlarms(stack, 'Alarms', {
      models,
      sourceAccountCount: more.sourceAccountCount ?? 1000,
      period: more.period,
      evaluationPeriods: more.evaluationPeriods,
      anomalyBandStandardDeviations: 2,
      topics: { critical: topic, high: topic, medium: topic },
      isHomeRegion: true,
      managementAccountId: '318274650913',
    });
  };
  const limits = { Invocations: 10, InputTokenCount: 1000, OutputTokenCount: 100 };
  /** `count` made-up models of `ids` metric model ids each, their ids `length` characters long. */
  const madeUp = (count: number, ids: number, length = 20): OrganizationAlarmModel[] => Array.from({ length: count }, (_, m) => {
    const modelId = `vendor.model-${m}-`.padEnd(length, 'x');
    return { modelId, metricModelIds: Array.from({ length: ids }, (__, i) => (i === 0 ? modelId : `g${i}.${modelId}`)), accountLimits: limits };
  });

  test('more than 160 Metrics Insights alarms in a Region (80 % of the 200 AWS allows by default) fail synth', () => {
    // 27 models × 2 ids × 3 metrics = 162, plus the home Region's two Metrics Insights alarms.
    expect(() => alarmsFor(madeUp(27, 2))).toThrow(/164 Metrics Insights alarms in this Region; the quota is 200 .*\(at most 160\)/);
    expect(alarmsFor(madeUp(26, 2)).metricsInsightsAlarms).toHaveLength(26 * 2 * 3 + 2);
  });

  test('more than 8,000 source accounts (80 % of the 10,000 metrics a query processes) fail synth; the alarms do not depend on them', () => {
    expect(() => alarmsFor(madeUp(1, 1), { sourceAccountCount: 8001 })).toThrow(/8001 source accounts; .* at most 10000 .*\(at most 8000 accounts\)/);
    const names = (n: number) => alarmsFor(madeUp(2, 2), { sourceAccountCount: n }).alarms.map((a) => a.node.path);
    expect(names(8000)).toEqual(names(1));
  });

  test('a period and evaluation beyond the 3 hours a Metrics Insights alarm evaluates fail synth', () => {
    expect(() => alarmsFor(madeUp(1, 1), { evaluationPeriods: 4 })).toThrow(/4 × 3600 s = 14400 s; a Metrics Insights alarm evaluates at most the latest 10800 s/);
    expect(() => alarmsFor(madeUp(1, 1), { period: Duration.hours(2), evaluationPeriods: 2 })).toThrow(/14400 s/);
    expect(() => alarmsFor(madeUp(1, 1), { evaluationPeriods: 3 })).not.toThrow();
  });

  test('a token-usage rule past the 10,240 characters of a composite alarm rule nests one composite per model, each within the quota', () => {
    // 50 models with one 60-character id each: 100 token alarms of about 110 characters each in the rule.
    const { alarms } = alarmsFor(madeUp(50, 1, 60));
    const composites = alarms.filter((a) => a instanceof CompositeAlarm).map((a) => ({
      name: Stack.of(a).resolve((a.node.defaultChild as CfnCompositeAlarm).alarmName) as string,
      rule: Stack.of(a).resolve((a.node.defaultChild as CfnCompositeAlarm).alarmRule) as string,
    }));
    // Per model its medium composite and its nested token composite, and the top one.
    expect(composites).toHaveLength(101);
    for (const { rule } of composites) expect(rule.length).toBeLessThanOrEqual(10240);
    const top = composites[composites.length - 1];
    expect(top.name).toBe('genai-governance-token-usage-above-limit');
    expect(top.rule.split(' OR ')).toHaveLength(50);
    expect(top.rule).toContain(`ALARM("genai-governance-token-usage-above-limit-${madeUp(50, 1, 60)[0].modelId}")`);
  });

  test('a model whose usage alarms would not fit one composite rule fails synth, naming the model\'s composite', () => {
    // 1 model with 40 ids of 200 characters: 120 alarms of about 250 characters each.
    expect(() => alarmsFor(madeUp(1, 40, 200))).toThrow(/the rule of genai-governance-usage-above-limit-vendor\.model-0-x+ names 120 alarms in \d+ characters; a composite alarm rule holds at most 10240/);
  });
});

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
      expect(flatten(share.Properties.Principals[0])).toBe('arn:aws:organizations::318274650913:organization/o-7kq2m9xv4b');
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
    // Each Region also gets its guardrail parameter (the workload contract: test/stacksets/workload-contract.test.ts).
    const sinkOnly = (g: Group) => g.ParameterOverrides?.filter((o) => o.ParameterKey === 'ObservabilitySinkArnParameter');
    expect(groups.map((g) => [g.Regions, sinkOnly(g)])).toEqual(config.organization.governedRegions.map((r) => [
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
    expect(bySeverity('genai-governance-token-usage-above-limit')).toBe('genai-governance-alerts-critical');
    expect(bySeverity('genai-governance-usage-above-limit-amazon.nova-lite-v1:0')).toBe('genai-governance-alerts-medium');
    expect(bySeverity('genai-governance-bedrock-access-denied-anomaly')).toBe('genai-governance-alerts-high');
    expect(bySeverity('genai-governance-macie-invocation-log-findings')).toBe('genai-governance-alerts-high');
    expect(bySeverity('genai-governance-member-alarms-in-alarm')).toBe('genai-governance-alerts-high');
    expect(ofType(other, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties.AlarmName)).not.toContain('genai-governance-member-alarms-in-alarm');
  });

  test('per approved model id and usage metric, one alarm reads every linked account with one Metrics Insights query and compares each account with its hourly limit', () => {
    // The example: three models through the eu. profiles (base id + eu. id), two in-Region exceptions (base id only).
    const sonnet = config.bedrock.approvedModels[0];
    expect(metricModelIds(config, sonnet)).toEqual(['anthropic.claude-sonnet-4-5-20250929-v1:0', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    // In a Region, only the profiles of the geographies it belongs to can report: a us. id never in eu-central-1.
    const euAndUs: GovernanceConfig = { ...config, bedrock: { ...config.bedrock, geographies: ['eu', 'us'] } };
    expect(metricModelIds(euAndUs, sonnet)).toEqual([sonnet.modelId, `eu.${sonnet.modelId}`, `us.${sonnet.modelId}`]);
    expect(metricModelIds(euAndUs, sonnet, 'eu-central-1')).toEqual([sonnet.modelId, `eu.${sonnet.modelId}`]);
    expect(metricModelIds(euAndUs, sonnet, 'us-east-1')).toEqual([sonnet.modelId, `us.${sonnet.modelId}`]);
    for (const [t, region] of [[home, 'eu-central-1'], [other, 'eu-west-1']] as const) {
      const expected = config.bedrock.approvedModels.flatMap((m) => metricModelIds(config, m, region)
        .flatMap((id) => USAGE_METRICS.map((metric) => ({ model: m.modelId, id, metric }))));
      expect(expected).toHaveLength((3 * 2 + 2) * 3);
      const alarms = usageAlarms(t);
      expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual(expected.map((e) => `genai-governance-org-${e.metric}-${e.id}`).sort());
      for (const { model, id, metric } of expected) {
        const alarm = alarms.find((a) => a.Properties.AlarmName === `genai-governance-org-${metric}-${id}`)!;
        expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: limitsOf(config, model)[metric], TreatMissingData: 'notBreaching' });
        expect(alarm.Properties.ThresholdMetricId).toBeUndefined();
        const [query, ...more] = alarm.Properties.Metrics;
        expect(more).toEqual([]);
        expect(query).toMatchObject({ Id: expect.stringMatching(/^[a-z][A-Za-z0-9_]*$/), ReturnData: true, Period: 3600 });
        expect(query.MetricStat).toBeUndefined();
        expect(query.AccountId).toBeUndefined();
        // SUM of the metric in AWS/Bedrock with exactly the ModelId dimension, for this one id, one series per account.
        expect(expressionMetricUses(query.Expression)).toEqual([{ namespace: 'AWS/Bedrock', metricName: metric, dimensions: ['ModelId'], statistic: 'Sum' }]);
        expect(query.Expression).toMatch(/^SELECT SUM\(\w+\) FROM SCHEMA\("AWS\/Bedrock", ModelId\) WHERE ModelId = '([^']+)' GROUP BY AWS\.AccountId ORDER BY SUM\(\) DESC LIMIT (\d+)$/);
        expect(query.Expression).toContain(` WHERE ModelId = '${id}' `);
      }
    }
    // The titan embedding model has its own input-token limit in the example; the others keep the defaults.
    expect(limitsOf(config, 'amazon.titan-embed-text-v2:0').InputTokenCount).not.toBe(config.observability.accountHourlyLimits.inputTokens);
    expect(usageAlarms(home).find((a) => a.Properties.AlarmName === 'genai-governance-org-InputTokenCount-amazon.titan-embed-text-v2:0')!.Properties.Threshold)
      .toBe(limitsOf(config, 'amazon.titan-embed-text-v2:0').InputTokenCount);
  });

  test('with global inference allowed, a model that has a global. profile is watched under its global. id in every Region; one without is not', () => {
    const sonnet = config.bedrock.approvedModels.find((m) => m.modelId === 'anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    const nova = config.bedrock.approvedModels.find((m) => m.modelId === 'amazon.nova-lite-v1:0')!;
    const titan = config.bedrock.approvedModels.find((m) => m.modelId === 'amazon.titan-embed-text-v2:0')!;
    expect(config.bedrock.globalInference).toBe('deny');
    expect(metricModelIds(config, sonnet, 'eu-central-1')).not.toContain(`global.${sonnet.modelId}`);
    const allowed: GovernanceConfig = { ...config, bedrock: { ...config.bedrock, globalInference: 'allow' } };
    for (const region of [...config.organization.governedRegions, undefined]) {
      expect(metricModelIds(allowed, sonnet, region)).toEqual([sonnet.modelId, `eu.${sonnet.modelId}`, `global.${sonnet.modelId}`]);
      // Nova Lite has no global. profile in the catalog; an in-Region model reports under its own id only.
      expect(metricModelIds(allowed, nova, region)).toEqual([nova.modelId, `eu.${nova.modelId}`]);
      expect(metricModelIds(allowed, titan, region)).toEqual([titan.modelId]);
    }
    // The organization alarms follow: three more per global. id (one per usage metric), each on a query for that id.
    const t = synthOne((app) => STACK_RECIPES.observability(app, allowed, 'eu-west-1'));
    const globals = usageAlarms(t).filter((a) => /-global\./.test(a.Properties.AlarmName));
    const withGlobal = allowed.bedrock.approvedModels.filter((m) => metricModelIds(allowed, m).some((id) => id.startsWith('global.')));
    expect(withGlobal.map((m) => m.modelId)).toEqual(['anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0']);
    expect(globals.map((a) => a.Properties.AlarmName).sort()).toEqual(withGlobal.flatMap((m) => USAGE_METRICS.map((metric) => `genai-governance-org-${metric}-global.${m.modelId}`)).sort());
    for (const a of globals) expect(a.Properties.Metrics[0].Expression).toContain(` WHERE ModelId = '${/-(global\..*)$/.exec(a.Properties.AlarmName)![1]}' `);
  });

  test('no organization alarm names an account: the queries find the accounts linked to the sink', () => {
    const accountIds = baselineAccounts(config).map((a) => a.id);
    expect(accountIds.length).toBeGreaterThan(0);
    for (const t of [home, other]) {
      const text = JSON.stringify(alarmsOf(t).filter(([, r]) => r.Properties.AlarmName !== 'genai-governance-bedrock-access-denied-anomaly'));
      for (const id of accountIds) expect(text).not.toContain(id);
    }
  });

  test('the Metrics Insights quotas hold: one query per alarm, at most 500 series, a window within 3 hours, at most 160 such alarms in a Region', () => {
    for (const t of [home, other]) {
      const insights = alarmsOf(t).map(([, r]) => r).filter(isInsights);
      expect(insights.length).toBeGreaterThanOrEqual(usageAlarms(t).length);
      expect(insights.length).toBeLessThanOrEqual(METRICS_INSIGHTS_QUOTAS.alarmsPerRegion * 0.8);
      for (const r of insights) {
        expect(r.Properties.Metrics).toHaveLength(1);
        const [{ Expression, Period }] = r.Properties.Metrics;
        expect(Expression.length).toBeLessThanOrEqual(METRICS_INSIGHTS_QUOTAS.expressionCharacters);
        expect(Period * r.Properties.EvaluationPeriods).toBeLessThanOrEqual(METRICS_INSIGHTS_QUOTAS.alarmEvaluationSeconds);
        const limit = /LIMIT (\d+)$/.exec(Expression);
        if (/GROUP BY/.test(Expression)) expect(Number(limit?.[1])).toBeLessThanOrEqual(METRICS_INSIGHTS_QUOTAS.seriesPerQuery);
      }
    }
    // Each usage query matches one metric per account and id: the baseline's accounts, far below 10,000.
    expect(baselineAccounts(config).length).toBeLessThanOrEqual(METRICS_INSIGHTS_QUOTAS.metricsPerQuery * 0.8);
  });

  test('the token-usage alarm is in ALARM when any token alarm is: every model id\'s InputTokenCount and OutputTokenCount alarm, no Invocations alarm', () => {
    const [[, composite]] = ofType(home, 'AWS::CloudWatch::CompositeAlarm').filter(([, r]) => r.Properties.AlarmName === 'genai-governance-token-usage-above-limit');
    const rule = composite.Properties.AlarmRule as string;
    const tokenAlarms = usageAlarms(home).map((a) => a.Properties.AlarmName as string).filter((n) => !n.includes('-Invocations-'));
    expect(tokenAlarms).toHaveLength((3 * 2 + 2) * 2);
    expect(rule.replace(/^\((.*)\)$/, '$1').split(' OR ').sort()).toEqual(tokenAlarms.map((n) => `ALARM("${n}")`).sort());
    // The rule names its alarms, so the composite depends on each explicitly.
    const tokenIds = ofType(home, 'AWS::CloudWatch::Alarm').filter(([, r]) => tokenAlarms.includes(r.Properties.AlarmName)).map(([id]) => id);
    expect(tokenIds).toHaveLength(tokenAlarms.length);
    expect(composite.DependsOn).toEqual(expect.arrayContaining(tokenIds));
  });

  test('one message per model, not per account: the usage alarms have no actions (CloudWatch would notify per contributor); each is in its model\'s composite, which notifies medium', () => {
    const topics = Object.fromEntries(ofType(home, 'AWS::SNS::Topic').map(([id, r]) => [id, r.Properties.TopicName]));
    for (const t of [home, other]) {
      const usage = usageAlarms(t);
      for (const a of usage) {
        expect(a.Properties.AlarmActions).toBeUndefined();
        expect(a.Properties.OKActions).toBeUndefined();
      }
      const composites = ofType(t, 'AWS::CloudWatch::CompositeAlarm').map(([, r]) => r).filter((r) => String(r.Properties.AlarmName).startsWith('genai-governance-usage-above-limit-'));
      expect(composites.map((c) => c.Properties.AlarmName)).toEqual(config.bedrock.approvedModels.map((m) => `genai-governance-usage-above-limit-${m.modelId}`));
      const named = composites.flatMap((c) => (c.Properties.AlarmRule as string).replace(/^\((.*)\)$/, '$1').split(' OR '));
      // Every usage alarm exactly once, and a model's composite names only its own ids' alarms.
      expect([...named].sort()).toEqual(usage.map((a) => `ALARM("${a.Properties.AlarmName}")`).sort());
      for (const [c, m] of composites.map((composite, i) => [composite, config.bedrock.approvedModels[i]] as const)) {
        const ids = metricModelIds(config, m, t === home ? 'eu-central-1' : 'eu-west-1');
        expect((c.Properties.AlarmRule as string).split(' OR ')).toHaveLength(ids.length * USAGE_METRICS.length);
        expect(c.Properties.AlarmDescription).toContain('describe-alarm-contributors');
        if (t === home) expect(topics[c.Properties.AlarmActions[0].Ref]).toBe('genai-governance-alerts-medium');
      }
    }
  });

  test('the alarm set is the same for organizations of 10, 100 and 1,000 accounts: same types, names, logical ids and properties', () => {
    const synthAt = (accounts: number, ous: number) => {
      const scaled = scaledConfig(accounts, ous);
      expect(scaled.accounts).toHaveLength(accounts);
      expect(baselineAccounts(scaled)).toHaveLength(accounts - 3);
      const t = synthOne((app) => STACK_RECIPES.observability(app, scaled, scaled.organization.homeRegion));
      return alarmsOf(t).map(([id, r]) => ({ id, type: r.Type, name: r.Properties.AlarmName, properties: r.Properties }));
    };
    const [ten, hundred, thousand] = [synthAt(10, 5), synthAt(100, 20), synthAt(1000, 100)];
    expect(ten.length).toBe((3 * 2 + 2) * 3 + 5 + 1 + 3);
    expect(ten.filter((a) => a.type === 'AWS::CloudWatch::CompositeAlarm').map((a) => a.name)).toEqual([
      ...config.bedrock.approvedModels.map((m) => `genai-governance-usage-above-limit-${m.modelId}`), 'genai-governance-token-usage-above-limit',
    ]);
    expect(hundred).toEqual(ten);
    expect(thousand).toEqual(ten);
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
      expect(health.properties.alarms).toContain('genai-governance-token-usage-above-limit');
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
