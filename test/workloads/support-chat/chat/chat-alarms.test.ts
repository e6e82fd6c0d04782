import { SUPPORT_CHAT_SERVICES } from '../../../../contracts/support-chat-metrics';
import { createTelemetry, recordRelay, recordTurn } from '../../../../workloads/support-chat/chat/handlers/lib/telemetry';
import type { TurnOutcome } from '../../../../workloads/support-chat/chat/handlers/turn-core';
import { tenantAllowedProfiles } from '../../../../workloads/support-chat/tenant/tenant-models';
import { exampleEstate } from '../../../support/example-estate';

/**
 * The tenant's alarms, their topic, active tracing and the dashboard, as the example estate synthesizes them; the alarms
 * are checked against the EMF the turn's telemetry really prints (namespace, metric names, dimension names and values).
 */

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  readonly [key: string]: unknown;
}

/** What `record` prints, as EMF documents (stdout captured, Powertools not mocked). */
function emitted(record: () => void): EmfDocument[] {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    record();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as EmfDocument);
}

/** What `recordRelay` prints for a relay invocation whose turn failed (logged and counted, not thrown). */
function emittedByTheRelay(): EmfDocument[] {
  return emitted(() => recordRelay(createTelemetry(SUPPORT_CHAT_SERVICES.relay).metrics, { invokedTurn: true, clientGone: false, threw: true }));
}

/** What `recordTurn` prints for an answered turn, as EMF documents (stdout captured, Powertools not mocked). */
function emittedByTheTurn(): EmfDocument[] {
  const outcome: TurnOutcome = {
    result: 'answered',
    profile: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
    fallback: false,
    usage: { inputTokens: 61, outputTokens: 38, totalTokens: 99 },
    firstTokenMs: 322,
    timing: { totalMs: 1410, modelMs: 1290, backoffMs: 0, overheadMs: 120, throttles: 0, retries: 0, breakerOpen: 0 },
  };
  return emitted(() => recordTurn(createTelemetry(SUPPORT_CHAT_SERVICES.turn).metrics, outcome));
}

/** Whether one EMF document publishes `metricName` in `namespace` with exactly these dimension names and values. */
function published(docs: EmfDocument[], namespace: string, metricName: string, dimensions: { Name: string; Value: unknown }[]): boolean {
  return docs.some((doc) => {
    const { Namespace, Dimensions, Metrics } = doc._aws.CloudWatchMetrics[0];
    return Namespace === namespace
      && Metrics.some((m) => m.Name === metricName)
      && Dimensions.some((set) => set.length === dimensions.length
        && set.every((name) => dimensions.some((d) => d.Name === name && d.Value === doc[name])));
  });
}

describe('support-chat alarms, topic, tracing and dashboard (synthesized example estate)', () => {
  const chat = exampleEstate().supportChat[0];
  const template = chat.template;
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const alarms = Object.fromEntries(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.AlarmName as string, a.Properties]));
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'support-chat-alarms' } }));
  const turnDocs = emittedByTheTurn();

  test('there are exactly the thirteen tenant alarms (chat, knowledge sync, hand-off, refund approvals, the release\'s new versions), each notifying the tenant topic on ALARM and on OK', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'support-chat-error-rate', 'support-chat-handoff-age', 'support-chat-handoff-dead-letters', 'support-chat-knowledge-sync-failures',
      'support-chat-refund-approval-failed', 'support-chat-relay-errors', 'support-chat-relay-release-errors', 'support-chat-relay-release-p99', 'support-chat-settings-rejected',
      'support-chat-success-rate', 'support-chat-turn-latency-p95', 'support-chat-turn-release-errors', 'support-chat-turn-release-p99',
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  test('the latency alarm reads TurnLatency p95 exactly as the turn publishes it, above 5 s in 3 of 3 five-minute periods', () => {
    const alarm = alarms['support-chat-turn-latency-p95'];
    expect(alarm).toMatchObject({
      Namespace: 'SupportChat',
      MetricName: 'TurnLatency',
      ExtendedStatistic: 'p95',
      Period: 300,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(published(turnDocs, alarm.Namespace, alarm.MetricName, alarm.Dimensions)).toBe(true);
    // A dimension the turn does not publish would leave the alarm on a metric with no data: the check above must see it.
    expect(published(turnDocs, alarm.Namespace, alarm.MetricName, [{ Name: 'service', Value: 'support-chat-relay' }])).toBe(false);
  });

  test('the error-rate alarm is 100 * (Errors + TurnsDegraded) / Turns per minute above 1 %, on the metrics and dimensions the turn publishes', () => {
    const alarm = alarms['support-chat-error-rate'];
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression).toMatchObject({ Expression: '100 * (FILL(errors, 0) + FILL(degraded, 0)) / turns', ReturnData: true });
    const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period, m.ReturnData]).sort()).toEqual([
      ['degraded', 'TurnsDegraded', 'Sum', 60, false],
      ['errors', 'Errors', 'Sum', 60, false],
      ['turns', 'Turns', 'Sum', 60, false],
    ]);
    for (const { MetricStat: { Metric } } of stats) expect(published(turnDocs, Metric.Namespace, Metric.MetricName, Metric.Dimensions)).toBe(true);
  });

  test('the success-rate alarm: answered, replayed or gone over the turns neither refused nor handed off, per minute, below 95 % in 3 of 5 minutes', () => {
    const alarm = alarms['support-chat-success-rate'];
    expect(alarm).toMatchObject({ Threshold: 95, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(alarm.Metrics.find((m: any) => m.Expression)).toMatchObject({
      Expression: 'IF(turns - FILL(refused, 0) - FILL(handedoff, 0) > 0, '
        + '100 * (FILL(answered, 0) + FILL(replayed, 0) + FILL(gone, 0)) / (turns - FILL(refused, 0) - FILL(handedoff, 0)), 100)',
      ReturnData: true,
    });
    const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]).sort()).toEqual([
      ['answered', 'TurnsAnswered', 'Sum', 60],
      ['gone', 'TurnsGone', 'Sum', 60],
      ['handedoff', 'TurnsHandedOff', 'Sum', 60],
      ['refused', 'TurnsRefused', 'Sum', 60],
      ['replayed', 'TurnsReplayed', 'Sum', 60],
      ['turns', 'Turns', 'Sum', 60],
    ]);
    for (const { MetricStat: { Metric } } of stats) expect(published(turnDocs, Metric.Namespace, Metric.MetricName, Metric.Dimensions)).toBe(true);
  });

  test('the settings-rejected alarm: any SettingsRejected in a minute, as the turn publishes it', () => {
    const alarm = alarms['support-chat-settings-rejected'];
    expect(alarm).toMatchObject({
      Namespace: 'SupportChat', MetricName: 'SettingsRejected', Statistic: 'Sum', Period: 60, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1,
    });
    expect(published(turnDocs, alarm.Namespace, alarm.MetricName, alarm.Dimensions)).toBe(true);
  });

  test('the relay alarm is the relay\'s EMF Errors (as recordRelay publishes them) plus its function\'s Lambda Errors, above 0 in 2 of 3 five-minute periods', () => {
    const alarm = alarms['support-chat-relay-errors'];
    expect(Object.values(resources).some((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'support-chat-relay')).toBe(true);
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(alarm.MetricName).toBeUndefined();
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression).toMatchObject({ ReturnData: true });
    const stats = Object.fromEntries(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m]));
    expect(expression.Expression).toBe(`FILL(${Object.keys(stats).find((id) => stats[id].MetricStat.Metric.Namespace === 'SupportChat')}, 0) + FILL(${
      Object.keys(stats).find((id) => stats[id].MetricStat.Metric.Namespace === 'AWS/Lambda')}, 0)`);
    const emf = Object.values(stats).find((m: any) => m.MetricStat.Metric.Namespace === 'SupportChat').MetricStat;
    const lambda = Object.values(stats).find((m: any) => m.MetricStat.Metric.Namespace === 'AWS/Lambda').MetricStat;
    expect(Object.keys(stats)).toHaveLength(2);
    expect([emf.Stat, emf.Period, lambda.Stat, lambda.Period]).toEqual(['Sum', 300, 'Sum', 300]);
    // By the relay's name, not a Ref: a Ref would close a dependency cycle through the release's rollback alarms.
    expect(lambda.Metric).toEqual({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'support-chat-relay' }] });
    const relayDocs = emittedByTheRelay();
    expect(published(relayDocs, emf.Metric.Namespace, emf.Metric.MetricName, emf.Metric.Dimensions)).toBe(true);
    expect(relayDocs.some((doc) => doc.Errors === 1)).toBe(true);
    // The turn publishes an Errors metric too: the alarm must read the relay's, not the turn's.
    expect(published(turnDocs, emf.Metric.Namespace, emf.Metric.MetricName, emf.Metric.Dimensions)).toBe(false);
  });

  test('the topic is encrypted with a key of its own (not the conversations\'), refuses plain HTTP, and only this account\'s CloudWatch publishes', () => {
    const topic = resources[topicId].Properties;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(resources[keyId].Properties).toMatchObject({ Description: 'Support chat: encrypts the alarm topic', EnableKeyRotation: true });
    const keyStatements = resources[keyId].Properties.KeyPolicy.Statement;
    expect(keyStatements).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    }));
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy' && r.Properties.Topics.some((t: any) => t.Ref === topicId))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': chat.account } },
    }));
  });

  test('the chat\'s three functions trace actively, each created after the one tracing policy, which allows sending segments and nothing else', () => {
    const [policyId, policy] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy'
      && r.Properties.ManagedPolicyName === `support-chat-tracing-${chat.region}`)!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'SendTraces', Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    ]);
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.FunctionName).startsWith('support-chat-'));
    expect(functions.map(([, f]) => f.Properties.FunctionName).sort()).toEqual([
      'support-chat-authorizer', 'support-chat-conversation-export', 'support-chat-handoff-connector', 'support-chat-knowledge-sync', 'support-chat-privacy',
      'support-chat-refund-approval', 'support-chat-relay', 'support-chat-turn', 'support-chat-widget-web-acl-lookup',
    ]);
    // ChatTracing is given the chat's functions only: the knowledge sync, the hand-off connector, the export, the privacy
    // function, the refund approval's task function and the widget's web ACL lookup are not traced by it.
    const chatFunctions = functions.filter(([, f]) => ['support-chat-authorizer', 'support-chat-relay', 'support-chat-turn'].includes(f.Properties.FunctionName));
    expect(chatFunctions).toHaveLength(3);
    const roleIds = chatFunctions.map(([, f]) => f.Properties.Role['Fn::GetAtt'][0]);
    expect(policy.Properties.Roles.map((r: any) => r.Ref).sort()).toEqual([...roleIds].sort());
    for (const [, f] of chatFunctions) {
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.DependsOn).toContain(policyId);
    }
  });

  test('the dashboard support-chat-<region> shows the alarms and reads the tenant\'s metrics in the stack\'s Region', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards.map((d) => d.Properties.DashboardName)).toEqual([`support-chat-${chat.region}`]);
  });

  test('the cost widget prices each callable profile of a priced model at observability.modelPrices, on tokens the turn publishes', () => {
    const { config } = exampleEstate();
    // The body is a Fn::Join of JSON text and the alarms' ARNs (inside JSON strings): an X stands in for each ARN.
    const parts = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const widget = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'X')).join('')).widgets.find((w: { properties: { title?: string } }) => w.properties.title?.startsWith('Estimated cost'));
    const lines = widget.properties.metrics as unknown[][];
    const costs = lines.filter((l) => typeof l[0] === 'object' && 'expression' in (l[0] as object)).map((l) => l[0] as { id: string; expression: string; label: string });
    const allowed = tenantAllowedProfiles(config, chat.region);
    const expected = allowed.flatMap((profileId) => config.observability.modelPrices.filter((p) => profileId.endsWith(`.${p.modelId}`)).map((p) => ({ profileId, p })));
    expect(expected.length).toBeGreaterThan(1);
    expect(costs.map((c) => c.label)).toEqual(expected.map((e) => `${e.profileId} (USD)`));
    expected.forEach(({ profileId, p }, i) => {
      expect(costs[i].expression).toBe(`(FILL(in${i}, 0) * ${p.inputPerMillionTokens} + FILL(out${i}, 0) * ${p.outputPerMillionTokens}) / 1000000`);
      // The hidden token lines name the metric, dimensions and value the turn prints for an answer of that profile.
      const input = lines.find((l) => (l.at(-1) as { id?: string }).id === `in${i}`)!;
      expect(input.slice(0, -1)).toEqual(['SupportChat', 'InputTokens', 'service', SUPPORT_CHAT_SERVICES.turn, 'Profile', profileId]);
    });
    expect(published(turnDocs, 'SupportChat', 'InputTokens', [{ Name: 'service', Value: SUPPORT_CHAT_SERVICES.turn }, {
      Name: 'Profile',
      Value: turnDocs
        .map((d) => d.Profile).find(Boolean),
    }])).toBe(true);
  });
});
