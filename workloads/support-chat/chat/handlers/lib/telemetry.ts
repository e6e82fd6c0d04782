import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  AUTHORIZER_METRICS, type AuthorizerMetricName, PROFILE_METRICS, RELAY_METRICS, type RelayMetricName, SUPPORT_CHAT_METRICS_NAMESPACE,
  SUPPORT_CHAT_PROFILE_DIMENSION, type SupportChatMetricKind, type SupportChatService, TURN_METRICS, type TurnMetricName,
} from '../../../../../contracts/support-chat-metrics';
import { recordRating } from '../../../analytics/handlers/lib/csat-metrics';
import type { TurnOutcome } from '../turn-core';

/*
 * The tenant's telemetry with Powertools for AWS Lambda (TypeScript): structured JSON logs (Logger), CloudWatch metrics
 * as embedded metric format lines in those logs (Metrics: no PutMetricData call, no permission beyond the log stream's),
 * and X-Ray subsegments and annotations (Tracer). The entry points (`turn.ts`, `relay.ts`, `authorizer.ts`) wrap their
 * core with it; this file holds what each invocation publishes. The metric names, their kinds, the namespace and the
 * dimensions are the contract's (`contracts/support-chat-metrics.ts`), which the alarms, the dashboard and the metric
 * catalog read too (docs/adr/0008-support-chat-telemetry.md).
 */

/** Powertools' unit of each kind of metric the contract names. */
const UNITS: Readonly<Record<SupportChatMetricKind, typeof MetricUnit[keyof typeof MetricUnit]>> = {
  count: MetricUnit.Count,
  duration: MetricUnit.Milliseconds,
};

/** The result metric each outcome counts in (every result metric is published, 0 or 1, so sums have no gaps). */
export const RESULT_METRICS: Readonly<Record<Exclude<TurnOutcome['result'], 'rated'>, TurnMetricName>> = {
  answered: 'TurnsAnswered',
  replayed: 'TurnsReplayed',
  degraded: 'TurnsDegraded',
  refused: 'TurnsRefused',
  failed: 'TurnsFailed',
  gone: 'TurnsGone',
  handed_off: 'TurnsHandedOff',
};

/** A function's Logger, Metrics and Tracer. */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/**
 * The Logger, Metrics (namespace `SupportChat`, default dimension `service`) and Tracer of one function, created once per
 * container. Tracing turns itself off outside Lambda (no `AWS_EXECUTION_ENV`), so tests and `chat:local` send nothing.
 */
export function createTelemetry(service: SupportChatService): Telemetry {
  return {
    logger: new Logger({ serviceName: service }),
    metrics: new Metrics({ namespace: SUPPORT_CHAT_METRICS_NAMESPACE, serviceName: service }),
    tracer: new Tracer({ serviceName: service }),
  };
}

/** A failure of ours or the model's, as opposed to a refusal or the organization's guardrail doing its job. */
export function isTurnError(outcome: TurnOutcome): boolean {
  return outcome.result === 'failed' && outcome.code !== 'guardrail_intervened';
}

/**
 * Publishes one turn's metrics as two EMF documents: every `TURN_METRICS` value that applies with the dimension
 * `service`, then `PROFILE_METRICS` with `service` and `Profile` when a profile answered. Counts are published as 0 when
 * they did not happen, so a sum over a period has no gaps; durations and tokens only when the turn has them (a refused
 * or replayed turn called no model).
 */
export function recordTurn(metrics: Metrics, outcome: TurnOutcome): void {
  // A `rate` ran no turn: it counts in the CSAT metrics only, never in `Turns` (the error and success rates).
  if (outcome.rating) return recordRating(metrics, outcome.rating);
  const add = (name: TurnMetricName, value: number) => metrics.addMetric(name, UNITS[TURN_METRICS[name]], value);
  add('Turns', 1);
  for (const [result, name] of Object.entries(RESULT_METRICS)) add(name, outcome.result === result ? 1 : 0);
  add('Errors', isTurnError(outcome) ? 1 : 0);
  const timing = outcome.timing;
  if (timing) {
    add('TurnLatency', timing.totalMs);
    add('Overhead', timing.overheadMs);
    add('ModelTime', timing.modelMs);
    add('BackoffTime', timing.backoffMs);
  }
  add('Throttles', timing?.throttles ?? 0);
  add('Retries', timing?.retries ?? 0);
  add('BreakerOpen', timing?.breakerOpen ?? 0);
  add('Fallbacks', outcome.fallback ? 1 : 0);
  add('SettingsRejected', outcome.settings?.rejected ? 1 : 0);
  add('Unsupported', outcome.knowledge?.state === 'unsupported' || outcome.knowledge?.state === 'grounding_blocked' ? 1 : 0);
  // USD, published as the count it adds up like (CloudWatch has no currency unit).
  if (outcome.costUsd !== undefined) add('TurnCostUsd', outcome.costUsd);
  const perProfile = profileValues(outcome);
  for (const [name, value] of perProfile) add(name, value);
  metrics.publishStoredMetrics();
  if (outcome.profile && perProfile.length > 0) {
    metrics.addDimension(SUPPORT_CHAT_PROFILE_DIMENSION, outcome.profile);
    for (const [name, value] of perProfile) add(name, value);
    metrics.publishStoredMetrics();
  }
}

function profileValues(outcome: TurnOutcome): [typeof PROFILE_METRICS[number], number][] {
  const values: Record<typeof PROFILE_METRICS[number], number | undefined> = {
    TimeToFirstToken: outcome.firstTokenMs,
    InputTokens: outcome.usage?.inputTokens,
    OutputTokens: outcome.usage?.outputTokens,
  };
  return PROFILE_METRICS.filter((name) => values[name] !== undefined).map((name) => [name, values[name]!]);
}

/** Publishes a turn whose handler threw: it counts as a turn and an error, in no result. */
export function recordTurnThrew(metrics: Metrics): void {
  const add = (name: TurnMetricName, value: number) => metrics.addMetric(name, UNITS[TURN_METRICS[name]], value);
  add('Turns', 1);
  for (const name of Object.values(RESULT_METRICS)) add(name, 0);
  add('Errors', 1);
  add('SettingsRejected', 0);
  metrics.publishStoredMetrics();
}

/** One relay invocation, as its wrapper saw it. */
export interface RelayInvocation {
  /** The relay invoked the turn (a well-formed `sendMessage` or `resume`). */
  readonly invokedTurn: boolean;
  readonly clientGone: boolean;
  readonly threw: boolean;
  /** Milliseconds from invoking the turn to its first text frame, when one came. */
  readonly firstChunkMs?: number;
}

/** Publishes one relay invocation: `Errors` always; the message's metrics when the turn was invoked. */
export function recordRelay(metrics: Metrics, invocation: RelayInvocation): void {
  const add = (name: RelayMetricName, value: number) => metrics.addMetric(name, UNITS[RELAY_METRICS[name]], value);
  add('Errors', invocation.threw ? 1 : 0);
  if (invocation.invokedTurn) {
    add('Messages', 1);
    add('ClientGone', invocation.clientGone ? 1 : 0);
    if (invocation.firstChunkMs !== undefined) add('TimeToFirstChunk', invocation.firstChunkMs);
  }
  metrics.publishStoredMetrics();
}

/** Publishes one authorizer invocation. */
export function recordAuthorization(metrics: Metrics, outcome: 'authorized' | 'refused' | 'error'): void {
  const add = (name: AuthorizerMetricName, value: number) => metrics.addMetric(name, UNITS[AUTHORIZER_METRICS[name]], value);
  add('ConnectionsAuthorized', outcome === 'authorized' ? 1 : 0);
  add('ConnectionsRefused', outcome === 'refused' ? 1 : 0);
  add('Errors', outcome === 'error' ? 1 : 0);
  metrics.publishStoredMetrics();
}

/**
 * Runs `work` in an X-Ray subsegment `name` of the function's segment (Lambda's, with active tracing) and restores the
 * segment after; annotates the cold start and the service. Without tracing (outside Lambda) it only runs `work`.
 */
export async function inSubsegment<T>(tracer: Tracer, name: string, work: () => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return work();
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(name);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
}

/** A correlation id from a request (API Gateway's request ids are base64: `Zk3b1H4kFiAFexQ=`): 1–128 of those characters, else `invalid`. */
export function loggableCorrelationId(id: unknown): string {
  return typeof id === 'string' && /^[A-Za-z0-9+/=_-]{1,128}$/.test(id) ? id : 'invalid';
}
