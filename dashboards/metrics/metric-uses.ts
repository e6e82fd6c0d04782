import type { MetricUse } from './catalog';

/** Metrics Insights aggregate functions and the CloudWatch statistic each one computes. */
const INSIGHTS_FUNCTIONS: Record<string, string> = { SUM: 'Sum', AVG: 'Average', MIN: 'Minimum', MAX: 'Maximum', COUNT: 'SampleCount' };

/**
 * The metrics an expression reads: Metrics Insights queries (`SELECT SUM(m) FROM SCHEMA("ns", d1, d2)`; SCHEMA lists
 * the metric's complete dimension set) and SEARCH expressions (`SEARCH('{ns,d1} MetricName="m" …', 'Sum', 300)`;
 * braces also name the complete dimension set). Anything else that looks like a metric read throws, so a form this
 * parser does not know cannot slip past the catalog check.
 */
export function expressionMetricUses(expression: string): MetricUse[] {
  const uses: MetricUse[] = [];
  for (const m of expression.matchAll(/SELECT\s+(\w+)\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)"((?:\s*,\s*[\w.]+)*)\)/g)) {
    const statistic = INSIGHTS_FUNCTIONS[m[1].toUpperCase()];
    if (!statistic) throw new Error(`unknown Metrics Insights function ${m[1]} in: ${expression}`);
    uses.push({ namespace: m[3], metricName: m[2], dimensions: m[4].split(',').map((d) => d.trim()).filter(Boolean), statistic });
  }
  for (const m of expression.matchAll(/SEARCH\('\{([^}]+)\}\s+MetricName="(\w+)"[^']*',\s*'([\w.]+)',\s*\d+\)/g)) {
    const [namespace, ...dimensions] = m[1].split(',').map((s) => s.trim());
    uses.push({ namespace, metricName: m[2], dimensions, statistic: m[3] });
  }
  const reads = (expression.match(/\bSELECT\b/g) ?? []).length + (expression.match(/\bSEARCH\(/g) ?? []).length;
  if (reads !== uses.length) throw new Error(`an expression reads metrics in a form the catalog check cannot parse: ${expression}`);
  return uses;
}

/** The metrics one dashboard metric line reads: an expression, or `[namespace, name, dim, value, …, {stat}]`. */
export function metricLineUses(line: readonly unknown[], widgetStat: string | undefined): MetricUse[] {
  const options = (typeof line[line.length - 1] === 'object' ? line[line.length - 1] : {}) as Record<string, unknown>;
  if (typeof options.expression === 'string') return expressionMetricUses(options.expression);
  const names = line.filter((v): v is string => typeof v === 'string');
  const [namespace, metricName, ...dimensionPairs] = names;
  const statistic = (options.stat as string | undefined) ?? widgetStat;
  if (!namespace || !metricName || !statistic) throw new Error(`a metric line without namespace, name or statistic: ${JSON.stringify(line)}`);
  return [{ namespace, metricName, dimensions: dimensionPairs.filter((_, i) => i % 2 === 0), statistic }];
}

/** A CloudWatch alarm's properties as in the template (`AWS::CloudWatch::Alarm`). */
interface AlarmProperties {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { Name: string }[];
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Metrics?: readonly {
    readonly Expression?: string;
    readonly MetricStat?: {
      readonly Metric: { readonly Namespace: string; readonly MetricName: string; readonly Dimensions?: readonly { Name: string }[] };
      readonly Stat: string;
    };
  }[];
}

/** The metrics a CloudWatch alarm reads (a single metric, or the MetricStats and expressions of a math alarm). */
export function alarmMetricUses(alarm: AlarmProperties): MetricUse[] {
  if (alarm.MetricName) {
    return [{
      namespace: alarm.Namespace!,
      metricName: alarm.MetricName,
      dimensions: (alarm.Dimensions ?? []).map((d) => d.Name),
      statistic: alarm.Statistic ?? alarm.ExtendedStatistic!,
    }];
  }
  return (alarm.Metrics ?? []).flatMap((q) => {
    if (q.MetricStat) {
      const { Metric, Stat } = q.MetricStat;
      const dimensions = (Metric.Dimensions ?? []).map((d) => d.Name);
      return [{ namespace: Metric.Namespace, metricName: Metric.MetricName, dimensions, statistic: Stat }];
    }
    return q.Expression ? expressionMetricUses(q.Expression) : [];
  });
}
