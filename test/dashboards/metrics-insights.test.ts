import { metricsInsightsQuery } from '../../dashboards/metrics/metrics-insights';

describe('Metrics Insights queries are written in the documented syntax, within the quotas', () => {
  const base = { aggregate: 'SUM', namespace: 'AWS/Bedrock', metricName: 'Invocations', schema: ['ModelId'] } as const;

  test('a query that asks for more than 500 time series, ranks without groups, or quotes a label value badly is refused', () => {
    expect(() => metricsInsightsQuery({ ...base, groupBy: ['AWS.AccountId'], top: 501 })).toThrow(/returns 1 to 500 time series; got top 501/);
    expect(() => metricsInsightsQuery({ ...base, groupBy: ['AWS.AccountId'], top: 0 })).toThrow(/got top 0/);
    expect(() => metricsInsightsQuery({ ...base, top: 10 })).toThrow(/needs groupBy/);
    expect(() => metricsInsightsQuery({ ...base, where: { ModelId: "it's" } })).toThrow(/without quotes or backslashes/);
  });

  test('SELECT, FROM SCHEMA, WHERE with = and AND only, GROUP BY, ORDER BY the aggregate DESC and LIMIT, in that order', () => {
    expect(metricsInsightsQuery(base)).toBe('SELECT SUM(Invocations) FROM SCHEMA("AWS/Bedrock", ModelId)');
    expect(metricsInsightsQuery({ ...base, where: { ModelId: 'eu.amazon.nova-lite-v1:0', Other: 'x' }, groupBy: ['AWS.AccountId'], top: 500 })).toBe(
      'SELECT SUM(Invocations) FROM SCHEMA("AWS/Bedrock", ModelId) WHERE ModelId = \'eu.amazon.nova-lite-v1:0\' AND Other = \'x\' '
      + 'GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 500',
    );
  });
});
