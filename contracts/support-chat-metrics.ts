/**
 * The support-chat tenant's own CloudWatch metrics: what its functions publish as embedded metric format lines with
 * Powertools Metrics (`workloads/support-chat/chat/handlers/lib/telemetry.ts`), and what its alarms, its dashboard and
 * the metric catalog (`dashboards/metrics/catalog.ts`) read. One list, so a metric the handlers stop publishing cannot
 * stay on a dashboard (docs/adr/0008-support-chat-telemetry.md).
 */

/** The CloudWatch namespace of every metric the tenant publishes. */
export const SUPPORT_CHAT_METRICS_NAMESPACE = 'SupportChat';

/** Powertools' dimension for the service: the only dimension of every metric (low cardinality: four values). */
export const SUPPORT_CHAT_SERVICE_DIMENSION = 'service';

/** The inference profile that answered: a second dimension set of the per-profile metrics (the approved profiles only). */
export const SUPPORT_CHAT_PROFILE_DIMENSION = 'Profile';

/** The service name of each function: its logs' `service` and its metrics' `service` dimension. */
export const SUPPORT_CHAT_SERVICES = {
  turn: 'support-chat-turn',
  relay: 'support-chat-relay',
  authorizer: 'support-chat-authorizer',
  /** The knowledge base's synchronization (`workloads/support-chat/knowledge`). */
  knowledgeSync: 'support-chat-knowledge-sync',
} as const;

/** A service name of `SUPPORT_CHAT_SERVICES`. */
export type SupportChatService = typeof SUPPORT_CHAT_SERVICES[keyof typeof SUPPORT_CHAT_SERVICES];

/** Counts add up (published with unit `Count`); durations are milliseconds, read as averages and percentiles. */
export type SupportChatMetricKind = 'count' | 'duration';

/** What the turn publishes once per invocation (`service` = `support-chat-turn`), by kind. */
export const TURN_METRICS = {
  /** Every invocation of the turn, whatever its result: the error rate's denominator. */
  Turns: 'count',
  TurnsAnswered: 'count',
  /** A repeated `sendMessage` or a `resume` answered from the store, with no model call. */
  TurnsReplayed: 'count',
  /**
   * Every profile failed: the static degraded answer. Not an error of the turn (it answered), but the error-rate alarm,
   * the success-rate alarm and so AppConfig's rollback count it: a full model outage, or a settings version whose
   * profiles all fail, is caught.
   */
  TurnsDegraded: 'count',
  /** Refused before any model call: input too long, bad ids, rate limit or budget. */
  TurnsRefused: 'count',
  /**
   * Ended with an error frame other than a refusal: after the model was called (model_unavailable, deadline_exceeded,
   * guardrail_intervened), or because the store or the settings failed or the turn reached its cut-off (internal,
   * deadline_exceeded).
   */
  TurnsFailed: 'count',
  /** The relay stopped reading (its client left) before the last frame; the answer is still stored. */
  TurnsGone: 'count',
  /**
   * The message went to a person, not the model: it handed the conversation off (the escalation notice was sent), or the
   * conversation was already with an agent (the assistant stayed silent).
   */
  TurnsHandedOff: 'count',
  /** A failed turn (model unavailable, deadline, internal) or a turn whose handler threw; not a guardrail intervention. */
  Errors: 'count',
  /** From the turn's start to its end, for turns that called a model. */
  TurnLatency: 'duration',
  /** From the turn's start to its first text frame. */
  TimeToFirstToken: 'duration',
  /** Our own time per turn: TurnLatency less ModelTime and BackoffTime. */
  Overhead: 'duration',
  /** Waiting on Bedrock (classifier and every attempt), less the time the stream waited on us. */
  ModelTime: 'duration',
  /** Sleeping between retries. */
  BackoffTime: 'duration',
  /** The answer's tokens as Bedrock reported them (the classifier's are in AWS/Bedrock only). */
  InputTokens: 'count',
  OutputTokens: 'count',
  /** Retries after throttling (ThrottlingException, HTTP 429). */
  Throttles: 'count',
  /** Retries of any kind. */
  Retries: 'count',
  /** Answered by a profile of the fallback chain, not the one the router chose. */
  Fallbacks: 'count',
  /** Profiles the chain passed over because their circuit breaker was open. */
  BreakerOpen: 'count',
  /**
   * The turn read the deployed settings version and rejected it (invalid: `parseChatSettings`), running on the last good
   * version or the defaults: a bad version AppConfig's validator let through. Alarmed on, so AppConfig rolls it back.
   */
  SettingsRejected: 'count',
  /**
   * Answered with the tenant's "I don't have that information" (and the offer of a person): the knowledge base had no
   * passage that supports an answer, or the guardrail's contextual grounding check blocked the model's answer. Not an
   * error; a rise says the knowledge base lacks what customers ask (docs/adr/0024-support-chat-knowledge-grounded-or-silent.md).
   */
  Unsupported: 'count',
  /**
   * What the turn's billed calls cost, in USD, published when the answer was costed (the tenant has `pricing`): it adds
   * up like a count (unit `Count`: CloudWatch has no currency unit), so its Sum over a period is the tenant's spend on
   * the chat path then (workloads/support-chat/cost).
   */
  TurnCostUsd: 'count',
} as const satisfies Record<string, SupportChatMetricKind>;
export type TurnMetricName = keyof typeof TURN_METRICS;

/** The turn's metrics published a second time with the answering profile (`service`, `Profile`). */
export const PROFILE_METRICS = ['TimeToFirstToken', 'InputTokens', 'OutputTokens'] as const satisfies readonly TurnMetricName[];

/** What the relay publishes once per invocation (`service` = `support-chat-relay`). */
export const RELAY_METRICS = {
  /** A message the relay handed to the turn. */
  Messages: 'count',
  /** The client left (GoneException) before the last frame. */
  ClientGone: 'count',
  /** The relay's handler threw (the turn's invocation failed, or posting failed other than Gone). */
  Errors: 'count',
  /** From invoking the turn to its first text frame (`chunk`): time to first token as the relay sees it, invoke and cold start included. */
  TimeToFirstChunk: 'duration',
} as const satisfies Record<string, SupportChatMetricKind>;
export type RelayMetricName = keyof typeof RELAY_METRICS;

/** What the authorizer publishes once per invocation (`service` = `support-chat-authorizer`). */
export const AUTHORIZER_METRICS = {
  ConnectionsAuthorized: 'count',
  /** Refused with 401 (no, expired, wrong or forged token). */
  ConnectionsRefused: 'count',
  /** The handler failed other than by refusing (its settings are missing). */
  Errors: 'count',
} as const satisfies Record<string, SupportChatMetricKind>;
export type AuthorizerMetricName = keyof typeof AUTHORIZER_METRICS;

/** What the knowledge base's synchronization publishes once per invocation (`service` = `support-chat-knowledge-sync`). */
export const KNOWLEDGE_SYNC_METRICS = {
  /** An ingestion job started on the data source. */
  KnowledgeSyncsStarted: 'count',
  /** A start Bedrock refused (other than for a job already running), or a finished job that failed or failed documents. */
  KnowledgeSyncFailures: 'count',
} as const satisfies Record<string, SupportChatMetricKind>;
export type KnowledgeSyncMetricName = keyof typeof KNOWLEDGE_SYNC_METRICS;

/**
 * What the turn function publishes for a customer's `rate` of a conversation (`service` = `support-chat-turn`), in an
 * EMF document of its own: never in `Turns`, so ratings move neither the error nor the success rate.
 */
export const CSAT_METRICS = {
  /** A rating stored (1), or refused or failed (0). */
  Ratings: 'count',
  /** The stored rating's score, 1 to 5: its Average is the mean CSAT of the period, its SampleCount the ratings. */
  CsatScore: 'count',
} as const satisfies Record<string, SupportChatMetricKind>;
export type CsatMetricName = keyof typeof CSAT_METRICS;

/** One metric name of the tenant with its kind and dimension sets, as the metric catalog lists it. */
export interface SupportChatMetric {
  readonly metricName: string;
  readonly kind: SupportChatMetricKind;
  /** `[service]`, and `[service, Profile]` for `PROFILE_METRICS`. */
  readonly dimensionSets: readonly (readonly string[])[];
}

/** Every metric name the tenant publishes, once (`Errors` is every function's), with its kind and dimension sets. */
export function supportChatMetrics(): SupportChatMetric[] {
  const kinds = new Map<string, SupportChatMetricKind>();
  const lists = [TURN_METRICS, RELAY_METRICS, AUTHORIZER_METRICS, KNOWLEDGE_SYNC_METRICS, CSAT_METRICS] as Record<string, SupportChatMetricKind>[];
  for (const metrics of lists) {
    for (const [name, kind] of Object.entries(metrics)) {
      const known = kinds.get(name);
      if (known && known !== kind) throw new Error(`support-chat metric ${name} is published as both ${known} and ${kind}`);
      kinds.set(name, kind);
    }
  }
  const perProfile = new Set<string>(PROFILE_METRICS);
  return [...kinds].map(([metricName, kind]) => ({
    metricName,
    kind,
    dimensionSets: perProfile.has(metricName)
      ? [[SUPPORT_CHAT_SERVICE_DIMENSION], [SUPPORT_CHAT_SERVICE_DIMENSION, SUPPORT_CHAT_PROFILE_DIMENSION]]
      : [[SUPPORT_CHAT_SERVICE_DIMENSION]],
  }));
}

/** Any metric name the tenant publishes. */
export type SupportChatMetricName = TurnMetricName | RelayMetricName | AuthorizerMetricName | KnowledgeSyncMetricName
  | CsatMetricName;
