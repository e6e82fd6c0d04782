import {
  SUPPORT_CHAT_METRICS_NAMESPACE, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES, type SupportChatMetricName,
} from '../../../../contracts/support-chat-metrics';
import type { MetricLine, MetricWidget, Widget } from '../../../../dashboards/widgets/layout';

/** One widget of the section with its size on the dashboard's grid. */
interface SizedWidget {
  readonly widget: Widget;
  readonly width: number;
  readonly height: number;
}

const HOUR = 3600;

const turnLine = (metricName: SupportChatMetricName, options: Record<string, unknown>): MetricLine =>
  [SUPPORT_CHAT_METRICS_NAMESPACE, metricName, SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_SERVICES.turn, options];

function hourly(title: string, region: string, metrics: readonly MetricLine[], label: string): SizedWidget {
  const widget: MetricWidget = {
    type: 'metric',
    properties: { title, region, view: 'timeSeries', stacked: false, period: HOUR, metrics, yAxis: { left: { label, min: 0 } } },
  };
  return { widget, width: 12, height: 6 };
}

/**
 * The support manager's section of the tenant dashboard, by the hour, from what the turn function publishes: CSAT (the
 * `rate` action's `CsatScore` average and `Ratings`), the share of turns the assistant answered from the documents or
 * the model (not "I don't have that information", not handed off, not the degraded answer), the hand-offs to a person,
 * and what the answers cost (`TurnCostUsd`). The conversation-level figures (resolution and escalation rates by day and
 * reason, CSAT by language, cost per conversation) are the Athena queries of the tenant's workgroup.
 */
export function supportManagerSection(region: string): SizedWidget[] {
  const text: Widget = {
    type: 'text',
    properties: {
      markdown: '## For the support manager\nBy the hour. CSAT is the average score (1–5) of the ratings customers gave; answered is the share of turns '
        + 'the assistant answered itself (not "I don\'t have that information", a hand-off or the degraded answer). Per conversation and by day, '
        + 'language and reason: the named queries of the `support-chat-analytics` Athena workgroup.',
    },
  };
  const answered: MetricLine = [{
    id: 'answeredpct',
    expression: 'IF(FILL(answered, 0) + FILL(handedoff, 0) + FILL(degraded, 0) > 0, '
      + '100 * (FILL(answered, 0) - FILL(unsupported, 0)) / (FILL(answered, 0) + FILL(handedoff, 0) + FILL(degraded, 0)), 0)',
    label: 'Answered by the assistant (%)',
  }];
  return [
    { widget: text, width: 24, height: 2 },
    hourly('CSAT (average score, 1-5) and ratings', region, [
      turnLine('CsatScore', { stat: 'Average', label: 'CSAT average' }),
      turnLine('Ratings', { stat: 'Sum', label: 'ratings', yAxis: 'right' }),
    ], 'score'),
    hourly('Turns the assistant answered itself (%)', region, [
      turnLine('TurnsAnswered', { stat: 'Sum', id: 'answered', visible: false }),
      turnLine('Unsupported', { stat: 'Sum', id: 'unsupported', visible: false }),
      turnLine('TurnsHandedOff', { stat: 'Sum', id: 'handedoff', visible: false }),
      turnLine('TurnsDegraded', { stat: 'Sum', id: 'degraded', visible: false }),
      answered,
    ], '%'),
    hourly('Escalations to a person', region, [turnLine('TurnsHandedOff', { stat: 'Sum', label: 'handed off' })], 'turns'),
    hourly('Cost of the answers (USD)', region, [turnLine('TurnCostUsd', { stat: 'Sum', label: 'USD' })], 'USD'),
  ];
}
