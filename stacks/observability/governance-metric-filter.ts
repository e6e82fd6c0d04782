import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GOVERNANCE_NAME_PREFIX } from '../../contracts/governance-names';
import { GOVERNANCE_METRICS_NAMESPACE } from '../../dashboards/metrics/catalog';

export interface GovernanceMetricFilterProps {
  readonly logGroup: ILogGroup;
  /** Metric name in `GenAiGovernance` (listed in `dashboards/metrics/catalog.ts`). */
  readonly metricName: string;
  /** Name of the filter, after the `genai-governance-` prefix. */
  readonly filterName: string;
  /** JSON fields and the value each must equal (a trailing `*` matches a prefix); all must hold. */
  readonly matches: readonly (readonly [field: string, value: string])[];
  /** Metric dimensions and the JSON field each takes its value from. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** A metric filter that counts (value 1) the JSON log events matching every field, as a `GenAiGovernance` metric. */
export function governanceMetricFilter(scope: Construct, id: string, props: GovernanceMetricFilterProps): MetricFilter {
  return new MetricFilter(scope, id, {
    logGroup: props.logGroup,
    filterName: `${GOVERNANCE_NAME_PREFIX}${props.filterName}`,
    filterPattern: FilterPattern.all(...props.matches.map(([field, value]) => FilterPattern.stringValue(field, '=', value))),
    metricNamespace: GOVERNANCE_METRICS_NAMESPACE,
    metricName: props.metricName,
    metricValue: '1',
    ...(props.dimensions && { dimensions: { ...props.dimensions } }),
  });
}
