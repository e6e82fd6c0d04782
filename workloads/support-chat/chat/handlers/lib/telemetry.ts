import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { TurnOutcome } from '../turn-core';

/*
 * The tenant's telemetry with Powertools for AWS Lambda (TypeScript): structured JSON logs (Logger), CloudWatch metrics
 * as embedded metric format lines in those logs (Metrics: no PutMetricData call, no permission beyond the log stream's),
 * and X-Ray subsegments and annotations (Tracer). The entry points (`turn.ts`, `relay.ts`, `authorizer.ts`) wrap their
 * core with it; this file holds the metric names and what each invocation publishes, so the alarms and the dashboard
 * (`stack/chat-alarms.ts`, `stack/chat-dashboard.ts`) name exactly what the handlers emit
 * (docs/adr/0008-support-chat-telemetry.md).
 */

/** The CloudWatch namespace of every metric the tenant publishes. */
export const METRICS_NAMESPACE = 'SupportChat';
/** Powertools' dimension for the service: the only dimension of every metric (low cardinality: three values). */
export const SERVICE_DIMENSION = 'service';
/** The inference profile that answered: a second dimension set of the per-profile metrics (the approved profiles only). */
export const PROFILE_DIMENSION = 'Profile';

/** The service name of each function: its logs' `service` and its metrics' `service` dimension. */
export const SERVICES = {
  turn: 'support-chat-turn',
  relay: 'support-chat-relay',
  authorizer: 'support-chat-authorizer',
} as const;

const COUNT = MetricUnit.Count;
const MILLISECONDS = MetricUnit.Milliseconds;

/** What the turn publishes once per invocation (`service` = `support-chat-turn`), with its unit. */
export const TURN_METRICS = {
  /** Every invocation of the turn, whatever its result: the error rate's denominator. */
  Turns: COUNT,
  TurnsAnswered: COUNT,
  /** A repeated `sendMessage` or a `resume` answered from the store, with no model call. */
  TurnsReplayed: COUNT,
  /** Every profile failed: the static degraded answer. */
  TurnsDegraded: COUNT,
  /** Refused before any model call: input too long, bad ids, rate limit or budget. */
  TurnsRefused: COUNT,
  /** Ended with an error frame after the model was called (model_unavailable, deadline_exceeded, guardrail_intervened). */
  TurnsFailed: COUNT,
  /** The relay stopped reading (its client left) before the last frame; the answer is still stored. */
  TurnsGone: COUNT,
  /** A failed turn (model unavailable, deadline) or a turn whose handler threw; not a guardrail intervention. */
  Errors: COUNT,
  /** From the turn's start to its end, for turns that called a model. */
  TurnLatency: MILLISECONDS,
  /** From the turn's start to its first text frame. */
  TimeToFirstToken: MILLISECONDS,
  /** Our own time per turn: TurnLatency less ModelTime and BackoffTime. */
  Overhead: MILLISECONDS,
  /** Waiting on Bedrock (classifier and every attempt), less the time the stream waited on us. */
  ModelTime: MILLISECONDS,
  /** Sleeping between retries. */
  BackoffTime: MILLISECONDS,
  /** The answer's tokens as Bedrock reported them (the classifier's are in AWS/Bedrock only). */
  InputTokens: COUNT,
  OutputTokens: COUNT,
  /** Retries after throttling (ThrottlingException, HTTP 429). */
  Throttles: COUNT,
  /** Retries of any kind. */
  Retries: COUNT,
  /** Answered by a profile of the fallback chain, not the one the router chose. */
  Fallbacks: COUNT,
  /** Profiles the chain passed over because their circuit breaker was open. */
  BreakerOpen: COUNT,
} as const;
export type TurnMetricName = keyof typeof TURN_METRICS;

/** The turn's metrics published a second time with the answering profile (`service`, `Profile`). */
export const PROFILE_METRICS = ['TimeToFirstToken', 'InputTokens', 'OutputTokens'] as const satisfies readonly TurnMetricName[];

/** The result metric each outcome counts in (every result metric is published, 0 or 1, so sums have no gaps). */
export const RESULT_METRICS: Readonly<Record<TurnOutcome['result'], TurnMetricName>> = {
  answered: 'TurnsAnswered',
  replayed: 'TurnsReplayed',
  degraded: 'TurnsDegraded',
  refused: 'TurnsRefused',
  failed: 'TurnsFailed',
  gone: 'TurnsGone',
};

/** What the relay publishes once per invocation (`service` = `support-chat-relay`). */
export const RELAY_METRICS = {
  /** A message the relay handed to the turn. */
  Messages: COUNT,
  /** The client left (GoneException) before the last frame. */
  ClientGone: COUNT,
  /** The relay's handler threw (the turn's invocation failed, or posting failed other than Gone). */
  Errors: COUNT,
  /** From invoking the turn to its first text frame (`chunk`): time to first token as the relay sees it, invoke and cold start included. */
  TimeToFirstChunk: MILLISECONDS,
} as const;
export type RelayMetricName = keyof typeof RELAY_METRICS;

/** What the authorizer publishes once per invocation (`service` = `support-chat-authorizer`). */
export const AUTHORIZER_METRICS = {
  ConnectionsAuthorized: COUNT,
  /** Refused with 401 (no, expired, wrong or forged token). */
  ConnectionsRefused: COUNT,
  /** The handler failed other than by refusing (its settings are missing). */
  Errors: COUNT,
} as const;
export type AuthorizerMetricName = keyof typeof AUTHORIZER_METRICS;

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
export function createTelemetry(service: typeof SERVICES[keyof typeof SERVICES]): Telemetry {
  return {
    logger: new Logger({ serviceName: service }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }),
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
  const add = (name: TurnMetricName, value: number) => metrics.addMetric(name, TURN_METRICS[name], value);
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
  const perProfile = profileValues(outcome);
  for (const [name, value] of perProfile) add(name, value);
  metrics.publishStoredMetrics();
  if (outcome.profile && perProfile.length > 0) {
    metrics.addDimension(PROFILE_DIMENSION, outcome.profile);
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
  metrics.addMetric('Turns', TURN_METRICS.Turns, 1);
  for (const name of Object.values(RESULT_METRICS)) metrics.addMetric(name, TURN_METRICS[name], 0);
  metrics.addMetric('Errors', TURN_METRICS.Errors, 1);
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
  const add = (name: RelayMetricName, value: number) => metrics.addMetric(name, RELAY_METRICS[name], value);
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
  const add = (name: AuthorizerMetricName, value: number) => metrics.addMetric(name, AUTHORIZER_METRICS[name], value);
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

/** An id from a request as logs and traces may carry it: the protocol's 1–64 of `A-Z a-z 0-9 - _`, else `invalid`. */
export function loggableId(id: unknown): string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : 'invalid';
}

/** A correlation id from a request (API Gateway's request ids are base64: `Zk3b1H4kFiAFexQ=`): 1–128 of those characters, else `invalid`. */
export function loggableCorrelationId(id: unknown): string {
  return typeof id === 'string' && /^[A-Za-z0-9+/=_-]{1,128}$/.test(id) ? id : 'invalid';
}
