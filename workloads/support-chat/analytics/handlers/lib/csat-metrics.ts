import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RatingOutcome } from './rate-conversation';

/**
 * Publishes one `rate` request as its own EMF document (`CSAT_METRICS`, `contracts/support-chat-metrics.ts`): `Ratings`
 * 1 and `CsatScore` with the score when it was stored, `Ratings` 0 otherwise. Not in `Turns`: a rating is no turn.
 */
export function recordRating(metrics: Metrics, rating: RatingOutcome): void {
  metrics.addMetric('Ratings', MetricUnit.Count, rating.result === 'rated' ? 1 : 0);
  if (rating.result === 'rated' && rating.score !== undefined) metrics.addMetric('CsatScore', MetricUnit.Count, rating.score);
  metrics.publishStoredMetrics();
}
