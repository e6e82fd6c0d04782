import { BEDROCK, GOVERNANCE_METRICS_NAMESPACE, METRIC_CATALOG, metricUseProblem, VERIFICATION_METRICS_NAMESPACE, type MetricUse } from '../../dashboards/metrics/catalog';
import { alarmMetricUses, expressionMetricUses, metricLineUses } from '../../dashboards/metrics/metric-uses';
import { synthesizedDashboards } from '../../dashboards/preview/synthesized-dashboards';
import { ACCOUNTS_UNREADABLE, CONTROLS_IN_DRIFT, VERIFICATION_NAMESPACE } from '../../operations/verify/daily-run';
import { exampleEstate } from '../support/example-estate';

type Resource = { Type: string; Properties: any };

describe('DASH-1: every widget and alarm reads a metric AWS (or this app) publishes, with a statistic that fits it', () => {
  const { assembly } = exampleEstate();
  const templates = assembly.stacks.flatMap((s) => [{ name: s.stackName, template: s.template }])
    .concat(assembly.nestedAssemblies.flatMap((n) => n.nestedAssembly.stacks.map((s) => ({ name: s.stackName, template: s.template }))));
  const resources = templates.flatMap(({ name, template }) => Object.entries((template.Resources ?? {}) as Record<string, Resource>)
    .map(([id, r]) => ({ name, id, r })));

  const widgetUses = templates.flatMap(({ name, template }) => synthesizedDashboards(template).flatMap((d) => d.widgets.flatMap((w) => (
    w.type === 'metric'
      ? w.properties.metrics.flatMap((line) => metricLineUses(line, w.properties.stat).map((use) => ({ where: `${name} ${d.name} "${w.properties.title}"`, use })))
      : []))));
  const alarmUses = resources.filter(({ r }) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap(({ name, r }) => alarmMetricUses(r.Properties).map((use) => ({ where: `${name} ${String(r.Properties.AlarmName)}`, use })));

  test('the dashboards and alarms of every template (member baseline included) are checked, and all pass', () => {
    expect(widgetUses.length).toBeGreaterThan(40);
    expect(alarmUses.length).toBeGreaterThan(40);
    const problems = [...widgetUses, ...alarmUses].map(({ where, use }) => ({ where, problem: metricUseProblem(use) })).filter((p) => p.problem);
    expect(problems).toEqual([]);
  });

  test('the metrics this app publishes are exactly the ones its metric filters write', () => {
    const filters = resources.filter(({ r }) => r.Type === 'AWS::Logs::MetricFilter').flatMap(({ r }) => r.Properties.MetricTransformations.map((t: any) => ({
      namespace: t.MetricNamespace, metricName: t.MetricName, dimensions: (t.Dimensions ?? []).map((d: any) => d.Key).sort(),
    })));
    const catalog = METRIC_CATALOG.filter((m) => m.namespace === GOVERNANCE_METRICS_NAMESPACE)
      .map((m) => ({ namespace: m.namespace, metricName: m.metricName, dimensions: [...m.dimensionSets[0]].sort() }));
    const byName = (a: { metricName: string }, b: { metricName: string }) => a.metricName.localeCompare(b.metricName);
    expect(filters.sort(byName)).toEqual(catalog.sort(byName));
  });

  test('the verification metrics are the namespace and names the daily verification puts', () => {
    const verification = METRIC_CATALOG.filter((m) => m.namespace === VERIFICATION_METRICS_NAMESPACE);
    expect(verification.map((m) => [m.namespace, m.metricName, m.dimensionSets]).sort())
      .toEqual([ACCOUNTS_UNREADABLE, CONTROLS_IN_DRIFT].map((name) => [VERIFICATION_NAMESPACE, name, [[]]]));
  });

  test('every AWS metric names its AWS source page', () => {
    for (const m of METRIC_CATALOG.filter((d) => d.namespace.startsWith('AWS/'))) expect(m.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });
});

describe('the catalog check catches the mistakes it exists for', () => {
  const use = (over: Partial<MetricUse>): MetricUse => ({ namespace: BEDROCK, metricName: 'Invocations', dimensions: ['ModelId'], statistic: 'Sum', ...over });

  test('a correct use passes', () => expect(metricUseProblem(use({}))).toBeUndefined());
  test('a misspelt metric', () => expect(metricUseProblem(use({ metricName: 'InvocationCount' }))).toBe('AWS/Bedrock InvocationCount is not a metric of the catalog'));
  test('the right metric in the wrong namespace', () => expect(metricUseProblem(use({ namespace: 'AWS/Bedrock/Agents' }))).toContain('is not in namespace AWS/Bedrock/Agents'));
  test('a dimension the metric does not have', () => expect(metricUseProblem(use({ dimensions: ['ModelName'] }))).toContain('not [ModelName]'));
  test('the Sum of a latency', () => expect(metricUseProblem(use({ metricName: 'InvocationLatency', statistic: 'Sum' }))).toContain('means nothing'));
  test('a percentile of a latency passes, of a count does not', () => {
    expect(metricUseProblem(use({ metricName: 'TimeToFirstToken', statistic: 'p99' }))).toBeUndefined();
    expect(metricUseProblem(use({ statistic: 'p99' }))).toContain('means nothing');
  });
  test('expressions are parsed, and an unknown form of metric read is refused', () => {
    expect(expressionMetricUses('SELECT AVG(InvocationLatency) FROM SCHEMA("AWS/Bedrock", ModelId) GROUP BY ModelId')).toEqual([
      { namespace: 'AWS/Bedrock', metricName: 'InvocationLatency', dimensions: ['ModelId'], statistic: 'Average' },
    ]);
    expect(expressionMetricUses('SUM(SEARCH(\'{AWS/Bedrock,ModelId} MetricName="InputTokenCount" ModelId="x"\', \'Sum\', 3600)) * 3')).toEqual([
      { namespace: 'AWS/Bedrock', metricName: 'InputTokenCount', dimensions: ['ModelId'], statistic: 'Sum' },
    ]);
    expect(() => expressionMetricUses('SEARCH(\'Namespace="AWS/Bedrock" Invocations\', \'Sum\', 300)')).toThrow('cannot parse');
  });
});
