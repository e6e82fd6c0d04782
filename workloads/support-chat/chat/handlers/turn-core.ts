import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { rateConversation, type RatingOutcome } from '../../analytics/handlers/lib/rate-conversation';
import { TURN_SETTLE_SECONDS } from '../chat-wiring';
import { type AgentIdentity, type ConversationAgentAction, isAgentAction } from './lib/agent-protocol';
import type { ApplicationProfiles } from './lib/application-profiles';
import { decideBudget } from './lib/budget';
import type { BudgetCounter } from './lib/budget-counter';
import { budgetDay } from './lib/budget-counter';
import { type ChatSettings, GROUNDED_PROMPT } from './lib/chat-settings';
import { budgetKey, checkedId, checkedSub, echoableId, InvalidKeyError, rateKey, userKey } from './lib/conversation-keys';
import type { ConversationStore, StoredMessage } from './lib/conversation-store';
import {
  budgetExhausted, type FrameError, inProgress, inputRefusal, type InputProblem, messageIdConflict, modelFailure, rateLimited, turnFailure,
  unknownMessage,
} from './lib/error-frames';
import { FrameWriter, type FrameUsage } from './lib/frames';
import { estimateTokens, selectHistory } from './lib/history';
import { classify, type GuardedConversation, streamAnswer, StreamedThenFailed } from './lib/model-calls';
import { canFallBack, CircuitBreaker, DeadlineExceededError, firstAvailable, GuardrailIntervenedError } from './lib/resilience';
import type { QuestionClass } from './lib/router';
import type { ActiveSettings } from './lib/settings-source';
import { FINAL_FRAME_RESERVE_MS, TurnClock, turnTimeouts } from './lib/turn-clock';
import { citationsOf, groundingSources, lookUp, type LookUp } from './lib/turn-knowledge';
import type { CostPrices } from '../../cost/handlers/lib/turn-cost';
import { turnCostUsd, type TurnCostBase } from '../../cost/handlers/lib/turn-usage';
import { runAgentAction } from '../../handoff/handlers/lib/agent-turn';
import type { HandOffPort } from '../../handoff/handlers/lib/hand-off-port';
import { handOffBeforeAnswer } from '../../handoff/handlers/lib/turn-hand-off';
import type { Citation, KnowledgeSource } from '../../knowledge/handlers/lib/knowledge-source';
import { detectLanguage } from '../../language/handlers/lib/detect-language';
import { supportedLanguageOf, type SupportedLanguage } from '../../language/handlers/lib/languages';
import { tenantMessage } from '../../language/handlers/lib/tenant-messages';
import type { ToolRun, TurnTools } from '../../orders/handlers/lib/tool-rounds';
import { type Redaction, redactInput } from '../../privacy/handlers/lib/input-redaction';

/** What the relay sends the turn for one WebSocket message (the user comes from the `$connect` authorizer). */
export interface TurnRequest {
  readonly action: 'sendMessage' | 'resume' | 'rate' | ConversationAgentAction;
  /** The Cognito `sub` the authorizer verified. */
  readonly sub: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** The user's message (`sendMessage`). */
  readonly text?: string;
  /**
   * The language the client says the customer reads (a BCP 47 tag, the message's optional `language`): the fallback of
   * the turn's detection when neither the message nor the conversation tells.
   */
  readonly language?: string;
  /** The relay's API Gateway request id, for the turn's logs (`correlation_id`); the turn itself does not read it. */
  readonly correlationId?: string;
  /** The customer's CSAT score of the conversation, 1 to 5 (`rate`). */
  readonly score?: number;
  /** The customer's comment with the score (`rate`, optional). */
  readonly comment?: string;
  /** An agent action's agent, from the authorizer's context (`relay-agents.ts`); `sub` is then the customer's. */
  readonly agent?: AgentIdentity;
  /** `leaveConversation`: close the hand-off too. */
  readonly close?: boolean;
}

/** The tenant's limits (`workloads.supportChat.limits`). */
export interface TurnLimits {
  readonly maxInputCharacters: number;
  readonly historyMessages: number;
  readonly historyTokens: number;
  readonly dailyTokensPerUser: number;
  readonly dailyTokensPerTenant: number;
  readonly turnDeadlineSeconds: number;
}

/** What a turn needs; the Lambda handler builds it from the environment, the local harness from its emulators. */
export interface TurnDependencies {
  readonly bedrock: BedrockRuntimeClient;
  /** The conversation store and counter of one user, with credentials confined to that user's items. */
  readonly forUser: (sub: string) => Promise<{ readonly store: ConversationStore; readonly counter: BudgetCounter }>;
  /** The tenant's daily counter (the handler role's own credentials). */
  readonly tenantCounter: BudgetCounter;
  /**
   * The settings of this turn (AppConfig's deployed version, else the last good one, else the defaults: `SettingsSource`):
   * profiles by role and the fallback chain, budget rules, prompts, flags, the per-user rate. The turn passes the time it
   * may take (`turnTimeouts`); past it, the source answers with the last good version or the defaults.
   */
  readonly settings: (timeoutMs?: number) => Promise<ActiveSettings>;
  readonly limits: TurnLimits;
  /** The guardrail to pass on every call: the workload contract's ARN and numeric version. */
  readonly guardrail: { readonly identifier: string; readonly version: string };
  /**
   * The tenant's application inference profiles by the system profile each wraps (`APPLICATION_PROFILES`, ADR 35): a
   * Bedrock call of a wrapped profile sends the application profile's ARN; everything else names the system profile.
   * @default - none: every call sends the system profile
   */
  readonly applicationProfiles?: ApplicationProfiles;
  /** One breaker per inference profile, kept across turns of a container. */
  readonly breaker: CircuitBreaker;
  /**
   * The tenant's knowledge base: each question is answered from its passages only, with citations, or with "I don't have
   * that information" (docs/adr/0024-support-chat-knowledge-grounded-or-silent.md).
   * @default - none: the model answers without passages
   */
  readonly knowledge?: KnowledgeSource;
  /**
   * The answer when every model failed.
   * @default - the tenant's degraded answer in the customer's language (`tenantMessage('degraded_answer')`)
   */
  readonly degradedText?: string;
  /**
   * The hand-off to human agents (`handoff/handlers/lib/turn-hand-off.ts`): a conversation with a person gets no answer,
   * a message that triggers a hand-off gets the escalation notice.
   * @default - none: the assistant answers every message
   */
  readonly handOff?: HandOffPort;
  /**
   * Tools the answer model may call (Converse tool use: the order look-up), each for the turn's customer only, at most
   * `maxRounds` rounds an answer; each call is stored with the conversation (`putToolCall`).
   * @default - none: the answer's request has no `toolConfig`
   */
  readonly tools?: TurnTools;
  /**
   * The prices of every billed call (`COST_PRICES`, from `workloads.supportChat.pricing`): each answer stores its
   * `costUsd` and the outcome carries it (`TurnCostUsd`). @default - none: turns are not costed
   */
  readonly prices?: CostPrices;
  /**
   * Sends each new message to `ApplyGuardrail` (source `INPUT`, `guardrail`) before it is stored and stores and sends
   * only what comes back, PII anonymised (`privacy/handlers/lib/input-redaction.ts`, ADR 36); a message the guardrail
   * blocks is refused (`guardrail_intervened`) and one it cannot redact in time fails, both with nothing stored.
   * @default false: the message is stored and sent as written (the Lambda handler sets it)
   */
  readonly redactInput?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What a turn did, for logs and metrics. */
export interface TurnOutcome {
  readonly result: 'answered' | 'replayed' | 'degraded' | 'refused' | 'failed' | 'gone' | 'handed_off' | 'rated';
  readonly code?: string;
  /** A `rate` request's outcome (no turn ran: it counts in the CSAT metrics only, `recordRating`). */
  readonly rating?: RatingOutcome;
  readonly profile?: string;
  readonly questionClass?: QuestionClass;
  readonly fallback?: boolean;
  readonly usage?: FrameUsage;
  /** Milliseconds from the turn's start to its first text frame. */
  readonly firstTokenMs?: number;
  /** How the turn spent its time and what the resilience did (for the EMF metrics and the bench). */
  readonly timing?: TurnTiming;
  /** The budgets could not be settled after the answer (the store failed): the reservation stays counted. */
  readonly settleFailed?: boolean;
  /** What the turn's billed calls cost, USD (`cost/handlers/lib/turn-usage.ts`), when the tenant has prices and an answer was stored. */
  readonly costUsd?: number;
  /**
   * What the knowledge base gave the turn: passages the answer was grounded on (`grounded`, with `citations` documents),
   * none that support an answer (`unsupported`), an answer the guardrail's grounding check blocked (`grounding_blocked`),
   * or no answer in time (`unavailable`). Absent for a tenant without a knowledge base or a turn that did not get there.
   */
  readonly knowledge?: { readonly state: 'grounded' | 'unsupported' | 'grounding_blocked' | 'unavailable'; readonly citations?: number };
  /** Where the turn's settings came from and the prompt versions it used (for the logs). */
  readonly settings?: {
    readonly source: ActiveSettings['source'];
    readonly problem?: string;
    /** The deployed version was invalid (`SettingsRejected`). */
    readonly rejected?: boolean;
    readonly prompts?: readonly string[];
  };
}

/** The turn's time, split into the model's, the backoff sleeps' and ours. */
export interface TurnTiming {
  /** Milliseconds from the turn's start to its end. */
  readonly totalMs: number;
  /**
   * Milliseconds waiting on Bedrock: each call from its request to its last event (the classifier's and every attempt's),
   * less the time the stream waited on us (writing frames).
   */
  readonly modelMs: number;
  /** Milliseconds sleeping between retries (the jittered backoff). */
  readonly backoffMs: number;
  /** Our own time: `totalMs - modelMs - backoffMs`. */
  readonly overheadMs: number;
  /** Retries after a throttling error (`ThrottlingException`, HTTP 429). */
  readonly throttles: number;
  /** Retries of any kind. */
  readonly retries: number;
  /** Candidates the fallback chain passed over because their breaker was open. */
  readonly breakerOpen: number;
}

/** What every step of a turn shares: the request, the dependencies, the clock and the writer of its frames. */
interface Turn {
  readonly request: TurnRequest;
  readonly deps: TurnDependencies;
  readonly now: () => number;
  readonly started: number;
  readonly clock: TurnClock;
  readonly writer: FrameWriter;
  /** Aborted when the turn gives up (its cut-off): the model calls still running stop. */
  readonly signal: AbortSignal;
  /**
   * The customer's language, for the turn's own texts: the message's (`detectLanguage`), else the conversation's, else
   * the client's; set from the text first, then from the stored message once the turn holds it.
   */
  language: SupportedLanguage;
}

/** A turn that holds its message: the settings it runs on, the user's store and counter, and the question. */
interface ClaimedTurn extends Turn {
  readonly settings: ChatSettings;
  readonly settingsLog: NonNullable<TurnOutcome['settings']>;
  readonly store: ConversationStore;
  readonly counter: BudgetCounter;
  readonly question: string;
  /** Characters of the message `ApplyGuardrail` evaluated before it was stored (`redactInput`), for the turn's cost. */
  readonly redactedCharacters?: number;
}

/**
 * One turn of the chat, persist first and stream second: the user message is stored (idempotent by `messageId`) before
 * any model call; a repeated or resumed message replays the stored answer; the budgets are reserved atomically; the
 * classifier picks the question's class; the budget rules pick the model role; the answer streams through the approved
 * profile with the organization guardrail, falling back along the configured chain (never outside it) and finally to a
 * static degraded answer; the answer is stored and the budgets settled with the real usage. Frames go to `send`.
 *
 * Every request ends with exactly one final frame (`done` or `error`), whatever fails: each model call has its timeouts
 * (`turnTimeouts`); an error the steps do not turn into a frame themselves (the store or the settings failing, a bug)
 * becomes an `internal` error frame; and a turn still running at its cut-off (the deadline plus the settle time, less
 * `FINAL_FRAME_RESERVE_MS` to send it: before the function's timeout) is aborted with a `deadline_exceeded` frame. The
 * promise never rejects.
 */
export async function runTurn(request: TurnRequest, deps: TurnDependencies, send: (data: string) => Promise<void>): Promise<TurnOutcome> {
  // A human agent's action on the customer's conversation (handoff/handlers/lib/agent-turn.ts): no model call.
  if (isAgentAction(request.action)) return runAgentAction({ ...request, action: request.action as ConversationAgentAction }, deps, send);
  const now = deps.now ?? Date.now;
  const ids = { conversationId: echoableId(request.conversationId), messageId: echoableId(request.messageId) };
  const writer = new FrameWriter({ ...ids, send: whileAttached(send) });
  const started = now();
  const aborter = new AbortController();
  const language = detectLanguage(typeof request.text === 'string' ? request.text : '', { previous: request.language }).language;
  if (request.action === 'rate') {
    const rating = await rateConversation(request, async () => (await deps.forUser(request.sub)).store, language, whileAttached(send));
    return { result: rating.result, code: rating.code, rating };
  }
  const turn: Turn = { request, deps, now, started, clock: new TurnClock(now), writer, signal: aborter.signal, language };
  const deadlineMs = deps.limits.turnDeadlineSeconds * 1000;
  const cutOffMs = deadlineMs + TURN_SETTLE_SECONDS * 1000 - FINAL_FRAME_RESERVE_MS;
  const body = turnBody(turn).then((outcome) => ({ outcome }), (error: unknown) => ({ error }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ late: true }>((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), Math.max(0, started + cutOffMs - now()));
  });
  const first = await Promise.race([body, late]);
  clearTimeout(timer);
  if ('outcome' in first) return first.outcome;
  const error = 'late' in first ? new DeadlineExceededError(`the turn was still running ${cutOffMs} ms after its start`) : first.error;
  // The steps still running stop at the abort; what they write after this frame is refused by the ended writer.
  aborter.abort(error);
  const failure = turnFailure(error, turn.language);
  if (!writer.ended) await fail(writer, failure).catch(() => undefined);
  return { result: 'failed', code: failure.code, timing: turn.clock.timing(0) };
}

/** The turn's steps: validation, settings, the claim of the message, then the answer (`answerTurn`). */
async function turnBody(turn: Turn): Promise<TurnOutcome> {
  const { request, deps } = turn;
  const checked = validate(request, deps.limits);
  if (!checked.ok) {
    await fail(turn.writer, inputRefusal(checked.problem, deps.limits.maxInputCharacters, turn.language));
    return { result: 'refused', code: checked.problem };
  }
  const { settingsMs, classifierMs } = turnTimeouts(deps.limits.turnDeadlineSeconds * 1000, 1);
  // The redaction (ADR 36) runs beside the settings, within the classifier's share of the deadline.
  const redacting = request.action === 'sendMessage' && deps.redactInput
    ? turn.clock.model(() => redactInput(checked.text, deps, classifierMs, turn.signal))
    : undefined;
  const active = await deps.settings(settingsMs);
  const { prompts } = active.settings;
  const settingsLog = {
    source: active.source,
    problem: active.problem,
    ...(active.rejected ? { rejected: true } : {}),
    prompts: [prompts.answer.version, prompts.router.version, ...(deps.knowledge ? [(prompts.grounded ?? GROUNDED_PROMPT).version] : [])],
  };
  const redaction = await redacting;
  if (redaction && redaction.kind !== 'redacted') return refuseUnredacted(turn, redaction, settingsLog);
  const { store, counter } = await deps.forUser(request.sub);
  const claim = await claimMessage(turn, store, redaction?.text ?? checked.text, settingsLog);
  if ('result' in claim) return claim;
  const redacted = redaction ? { redactedCharacters: redaction.guardedCharacters } : {};
  const claimed: ClaimedTurn = { ...turn, settings: active.settings, settingsLog, store, counter, question: claim.question, ...redacted };
  let answered = false;
  try {
    const handOffTurn = {
      ...request,
      question: claim.question,
      language: turn.language,
      store,
      writer: turn.writer,
      unresolvedTurnsLimit: active.settings.limits.unresolvedTurnsBeforeHandOff,
    };
    const handedOff = deps.handOff && await handOffBeforeAnswer(deps.handOff, handOffTurn);
    if (handedOff) return { result: 'handed_off', code: handedOff, settings: settingsLog };
    return await answerTurn(claimed, () => {
      answered = true;
    });
  } finally {
    // A refused or failed turn gives the lease back, so a resume can answer the message at once.
    if (!answered) await store.release(request.sub, request.conversationId, request.messageId).catch(() => undefined);
  }
}

/**
 * A message the redaction did not return (ADR 36): nothing is stored. A block is the guardrail's `guardrail_intervened`,
 * as when the answer's own guardrail blocks the question; a guardrail that failed or hung ends the turn with the frame of
 * that failure (`model_unavailable`, `deadline_exceeded`): the message is safe to send again.
 */
async function refuseUnredacted(turn: Turn, redaction: Exclude<Redaction, { kind: 'redacted' }>, settingsLog: ClaimedTurn['settingsLog']): Promise<TurnOutcome> {
  const error = redaction.kind === 'blocked' ? new GuardrailIntervenedError('the guardrail blocked the message before it was stored') : redaction.error;
  const failure = modelFailure(error, turn.language);
  await fail(turn.writer, failure);
  return { result: 'failed', code: failure.code, timing: turn.clock.timing(0), settings: settingsLog };
}

/** Sends frames until the relay stops reading (its client left): then the turn goes on unheard, and stores the answer for a resume. */
function whileAttached(send: (data: string) => Promise<void>): (data: string) => Promise<void> {
  let detached = false;
  return async (data) => {
    if (detached) return;
    try {
      await send(data);
    } catch {
      detached = true;
    }
  };
}

/** Ends the answer with an error frame. */
function fail(writer: FrameWriter, error: FrameError): Promise<unknown> {
  return writer.fail(error.code, error.message);
}

/**
 * Stores the user's message (a `sendMessage`) or finds it (a `resume`) and takes its lease, so one turn at a time answers
 * it; a message already answered is replayed instead, one being answered is refused with `in_progress`, a `messageId`
 * stored before with another text with `message_id_conflict` (its answer belongs to the other text).
 */
async function claimMessage(
  turn: Turn, store: ConversationStore, input: string, settingsLog: ClaimedTurn['settingsLog'],
): Promise<TurnOutcome | { readonly question: string }> {
  const { request, deps, writer } = turn;
  const leaseUntil = turn.started + (deps.limits.turnDeadlineSeconds + TURN_SETTLE_SECONDS) * 1000;
  const stored = request.action === 'sendMessage'
    ? await store.putUserMessage(request.sub, request.conversationId, request.messageId, input, leaseUntil, await messageLanguage(turn, store, input))
    : await store.find(request.sub, request.conversationId, request.messageId).then((found) => found && { created: false, ...found });
  if (!stored) {
    await fail(writer, unknownMessage(turn.language));
    return { result: 'refused', code: 'unknown_message' };
  }
  if ('conflict' in stored && stored.conflict) {
    await fail(writer, messageIdConflict(turn.language));
    return { result: 'refused', code: 'message_id_conflict', settings: settingsLog };
  }
  turn.language = stored.message.language ?? turn.language;
  if (stored.answer) return replay(writer, stored.answer);
  if (!stored.created && !(await store.claim(request.sub, request.conversationId, request.messageId, leaseUntil))) {
    const again = await store.find(request.sub, request.conversationId, request.messageId);
    if (again?.answer) return replay(writer, again.answer);
    await fail(writer, inProgress(turn.language));
    return { result: 'refused', code: 'in_progress', settings: settingsLog };
  }
  return { question: stored.message.text };
}

/**
 * The language of a new message: its own when its text says (`script`, `detector`); else the conversation's, read from
 * the store only then (one query: "ok", "merci", a number); else the client's `language`; else English.
 */
async function messageLanguage(turn: Turn, store: ConversationStore, text: string): Promise<SupportedLanguage> {
  const own = detectLanguage(text);
  if (own.source === 'script' || own.source === 'detector') return own.language;
  const conversation = await store.conversationLanguage(turn.request.sub, turn.request.conversationId);
  const language = detectLanguage(text, { previous: conversation ?? supportedLanguageOf(turn.request.language) }).language;
  turn.language = language;
  return language;
}

/** Sends a stored answer again. */
async function replay(writer: FrameWriter, answer: StoredMessage): Promise<TurnOutcome> {
  await writer.write(answer.text);
  const summary = await writer.end(undefined, answer.citations);
  return { result: summary.state === 'gone' ? 'gone' : 'replayed' };
}

/** What the turn reserved before the model: the rate, the history, and the user's and the tenant's tokens. */
interface Reservation {
  readonly rateGranted: boolean;
  readonly budgetGranted: boolean;
  readonly history: StoredMessage[];
  /** The share of the day's tokens left before this turn: the user's and the tenant's. */
  readonly left: { readonly user: number; readonly tenant: number };
  /** Gives back what a refused turn reserved. */
  readonly giveBack: () => Promise<unknown>;
  /** Corrects both reservations to the tokens the turn used. */
  readonly settle: (used: number) => Promise<unknown>;
}

/**
 * One round trip to DynamoDB before the model: the per-user rate, the history, and the user's and the tenant's daily
 * tokens reserved atomically. The reservation is an upper bound (the whole history budget, the question, the longest
 * answer), corrected by the real usage when the turn settles.
 */
async function reserve(turn: ClaimedTurn): Promise<Reservation> {
  const { request, deps, settings, counter, store } = turn;
  const minute = new Date(turn.now()).toISOString().slice(0, 16);
  const estimate = deps.limits.historyTokens + estimateTokens(turn.question) + settings.limits.maxAnswerTokens;
  const day = budgetDay(turn.now());
  const userKeyOfDay = { pk: userKey(request.sub), sk: budgetKey(day) };
  const tenantKeyOfDay = { pk: 'TENANT', sk: budgetKey(day) };
  // The daily budgets: the settings' (AppConfig, changed without a deployment), else the config's.
  const perUser = settings.limits.dailyTokensPerUser ?? deps.limits.dailyTokensPerUser;
  const perTenant = settings.limits.dailyTokensPerTenant ?? deps.limits.dailyTokensPerTenant;
  const [rate, history, user, tenant] = await Promise.all([
    counter.reserve({ pk: userKey(request.sub), sk: rateKey(minute) }, 1, settings.limits.messagesPerUserPerMinute),
    store.history(request.sub, request.conversationId, deps.limits.historyMessages + 1),
    counter.reserve(userKeyOfDay, estimate, perUser),
    deps.tenantCounter.reserve(tenantKeyOfDay, estimate, perTenant),
  ]);
  return {
    rateGranted: rate.granted,
    budgetGranted: user.granted && tenant.granted,
    history,
    left: { user: 1 - user.used / perUser, tenant: 1 - tenant.used / perTenant },
    giveBack: () => Promise.all([
      user.granted ? counter.settle(userKeyOfDay, -estimate) : undefined,
      tenant.granted ? deps.tenantCounter.settle(tenantKeyOfDay, -estimate) : undefined,
    ]),
    settle: (used) => Promise.all([
      counter.settle(userKeyOfDay, used - estimate),
      deps.tenantCounter.settle(tenantKeyOfDay, used - estimate),
    ]),
  };
}

/** Reserves, classifies, picks the model role by the budget rules, and streams the answer (or refuses). */
async function answerTurn(turn: ClaimedTurn, onStored: () => void): Promise<TurnOutcome> {
  const { request, deps, settings, settingsLog, writer } = turn;
  const reservation = await reserve(turn);
  if (!reservation.rateGranted) {
    await reservation.giveBack();
    await fail(writer, rateLimited(settings.limits.messagesPerUserPerMinute, turn.language));
    return { result: 'refused', code: 'rate_limited', settings: settingsLog };
  }
  const prior = reservation.history.filter((m) => !(m.messageId === request.messageId && m.role === 'user'));
  const history = selectHistory(prior, turn.question, { maxMessages: deps.limits.historyMessages, maxTokens: deps.limits.historyTokens });
  if (!reservation.budgetGranted) {
    await reservation.giveBack();
    await fail(writer, budgetExhausted(turn.language));
    return { result: 'refused', code: 'budget_exhausted', settings: settingsLog };
  }
  // The classifier is a model call too: only after the reservation, and its tokens are settled with the answer's. The
  // knowledge base is searched beside it; the two count once in the model's time (both wait on Bedrock).
  const { classifierMs, retrievalMs } = turnTimeouts(deps.limits.turnDeadlineSeconds * 1000, 1, { knowledge: deps.knowledge !== undefined });
  const [classified, found] = await turn.clock.model(() => Promise.all([
    settings.flags.classifier
      ? classify(turn.question, settings, deps, classifierMs, turn.signal)
      : { questionClass: 'complex' as const, label: undefined, tokens: 0, call: undefined, guardedCharacters: 0 },
    deps.knowledge ? lookUp(deps.knowledge, turn.question, turn.language, retrievalMs, turn.signal) : undefined,
  ]));
  const { questionClass, label, tokens: classifierTokens, call: classifierCall, guardedCharacters } = classified;
  const decision = decideBudget(reservation.left, questionClass, settings.budgetRules);
  const settle = (used: number) => reservation.settle(classifierTokens + used);
  if (decision.kind === 'refuse') {
    await settle(0);
    await fail(writer, budgetExhausted(turn.language));
    return { result: 'refused', code: 'budget_exhausted', questionClass, settings: settingsLog };
  }
  const costBase: TurnCostBase = { classifier: { call: classifierCall, guardedCharacters }, retrievalQuestion: found?.kind === 'found' ? turn.question : undefined };
  const costWithRedaction: TurnCostBase = turn.redactedCharacters === undefined
    ? costBase
    : { ...costBase, redaction: { guardedCharacters: turn.redactedCharacters } };
  const plan = { role: decision.role, questionClass, settle, onStored, costBase: costWithRedaction };
  if (found?.kind === 'failed') {
    return answerWithoutModel(turn, plan, tenantMessage('knowledge_unavailable', turn.language), {
      result: 'degraded', code: 'knowledge_unavailable', knowledge: { state: 'unavailable' },
    });
  }
  // An order question goes to the model with the order tool even when no document supports it: the answer then comes
  // from the customer's own orders (the tool's results), not from the documents.
  const forTools = label === 'order_status' && (deps.tools?.tools.length ?? 0) > 0;
  if (found && !found.retrieval.supported && !forTools) {
    return answerWithoutModel(turn, plan, tenantMessage('offer_human_agent', turn.language), {
      result: 'answered', code: 'unsupported', knowledge: { state: 'unsupported' },
    });
  }
  // Passages that support nothing are not sent (nor cited): the order question is answered from the tool alone.
  const grounding = found?.kind === 'found' && found.retrieval.supported ? found : undefined;
  const conversation = { messages: history.messages, current: turn.question, ...groundingOf(settings, grounding) };
  return streamTurnAnswer(turn, { ...plan, conversation, citations: grounding ? citationsOf(grounding.retrieval.passages) : undefined });
}

/** The grounded answer's system prompt and sources, when the knowledge base found passages. */
function groundingOf(settings: ChatSettings, found: LookUp | undefined): Pick<GuardedConversation, 'groundingSources' | 'system'> {
  if (found?.kind !== 'found') return {};
  return { groundingSources: groundingSources(found.retrieval.passages), system: (settings.prompts.grounded ?? GROUNDED_PROMPT).system };
}

/**
 * Answers with one of the tenant's own texts instead of the model's (the knowledge base has nothing on the question, or
 * cannot be searched, or the guardrail's grounding check blocked the answer): the text, stored as the answer, then `done`
 * while the budgets settle with what the model calls used.
 */
async function answerWithoutModel(
  turn: ClaimedTurn, plan: Omit<AnswerPlan, 'conversation'>, text: string,
  outcome: Pick<TurnOutcome, 'result' | 'code' | 'knowledge'>, used = 0,
): Promise<TurnOutcome> {
  const { request, writer } = turn;
  await writer.write(text);
  const costUsd = turnCostUsd(turn.deps.prices, plan.costBase ?? {});
  await turn.store.putAnswer(request.sub, request.conversationId, request.messageId, text, [], costUsd === undefined ? {} : { costUsd });
  plan.onStored();
  const [summary, settled] = await Promise.all([writer.end(), settleQuietly(plan, used)]);
  return {
    ...outcome,
    ...(summary.state === 'gone' ? { result: 'gone' as const } : {}),
    questionClass: plan.questionClass,
    timing: turn.clock.timing(0),
    settings: turn.settingsLog,
    ...(settled ? {} : { settleFailed: true }),
    ...(costUsd === undefined ? {} : { costUsd }),
  };
}

/** What `streamTurnAnswer` needs beyond the turn. */
interface AnswerPlan {
  readonly conversation: GuardedConversation;
  readonly role: 'fast' | 'capable';
  readonly questionClass: QuestionClass;
  readonly settle: (used: number) => Promise<unknown>;
  /** Called once the answer is stored (the lease is then the answer's, not to be released). */
  readonly onStored: () => void;
  /** The documents of the passages the answer is grounded on, for the `done` frame and the stored answer. @default none */
  readonly citations?: readonly Citation[];
  /** The classifier's call and the retrieval, for the turn's cost. @default none */
  readonly costBase?: TurnCostBase;
}

/**
 * Streams the answer along the fallback chain (the settings' chain, each id one the validator and `parseChatSettings`
 * allow: the approved geography only), or the degraded answer when every profile failed; stores it, then sends `done`
 * while the budgets settle. Each attempt is aborted when it hangs before its first token or between chunks
 * (`turnTimeouts`, shared out so that the chain and the degraded answer fit the deadline). An error that ends the answer
 * becomes its error frame (`modelFailure`); a store that fails to take the answer throws (`runTurn` sends the frame).
 */
async function streamTurnAnswer(turn: ClaimedTurn, plan: AnswerPlan): Promise<TurnOutcome> {
  const { request, deps, settings, settingsLog, writer, clock, now } = turn;
  const chosen = settings.models[plan.role];
  const candidates = [chosen, ...(settings.flags.fallback ? settings.models.fallback.filter((p) => p !== chosen) : [])];
  const deadline = turn.started + deps.limits.turnDeadlineSeconds * 1000;
  const knowledge = deps.knowledge !== undefined;
  const { firstTokenMs, idleMs } = turnTimeouts(deps.limits.turnDeadlineSeconds * 1000, new Set(candidates).size, { knowledge });
  let firstTokenAt: number | undefined;
  let text = '';
  let usage: FrameUsage | undefined;
  let result: Awaited<ReturnType<typeof firstAvailable<Awaited<ReturnType<typeof streamAnswer>>>>>;
  try {
    result = await firstAvailable(candidates, async (profile, context) => {
      text = '';
      const onText = async (delta: string) => {
        firstTokenAt ??= now();
        text += delta;
        await clock.ours(() => writer.write(delta));
      };
      const { maxAnswerTokens } = settings.limits;
      const limits = { remainingMs: context.remainingMs, firstTokenMs, idleMs, signal: turn.signal };
      const tools = toolRunOf(turn);
      const answer = await clock.model(() => streamAnswer(profile, plan.conversation, settings, deps, maxAnswerTokens, limits, onText, tools));
      usage = answer.usage;
      return answer;
    }, {
      breaker: deps.breaker,
      degradedText: deps.degradedText ?? tenantMessage('degraded_answer', turn.language),
      deadline,
      now,
      random: deps.random,
      sleep: deps.sleep,
      onRetry: ({ delayMs, error }) => clock.retried(delayMs, error),
      // Never restart an answer the client has partly seen on another model; otherwise what the chain allows.
      shouldFallBack: (error) => !(error instanceof StreamedThenFailed) && canFallBack(error),
    });
  } catch (error) {
    if (error instanceof GuardrailIntervenedError && (error as { groundingBlocked?: boolean }).groundingBlocked) {
      // The grounding check blocked the answer before any text: the customer gets the tenant's "I don't have that information".
      return answerWithoutModel(turn, plan, tenantMessage('offer_human_agent', turn.language), {
        result: 'answered', code: 'grounding_blocked', knowledge: { state: 'grounding_blocked' },
      }, usage?.totalTokens ?? 0);
    }
    const failure = modelFailure(error, turn.language);
    const [, settled] = await Promise.all([fail(writer, failure), settleQuietly(plan, usage?.totalTokens ?? estimateTokens(text))]);
    return {
      result: 'failed',
      code: failure.code,
      questionClass: plan.questionClass,
      timing: clock.timing(0),
      settings: settingsLog,
      ...(settled ? {} : { settleFailed: true }),
    };
  }
  if (result.kind === 'degraded') {
    await writer.write(result.text);
    text = result.text;
  }
  // The guardrail's grounding check blocked (part of) the answer: its message went out in the stream; the tenant's
  // "I don't have that information" follows it, and no citation is shown for an answer the passages did not support.
  const groundingBlocked = result.kind === 'answer' && result.value.groundingBlocked === true;
  if (groundingBlocked) {
    const notice = `\n\n${tenantMessage('offer_human_agent', turn.language)}`;
    await writer.write(notice);
    text += notice;
  }
  const citations = result.kind === 'answer' && !groundingBlocked ? plan.citations ?? [] : [];
  const answered = result.kind === 'answer' ? { calls: result.value.calls, question: plan.conversation.current, output: text, grounded: plan.conversation.groundingSources !== undefined } : undefined;
  const costUsd = turnCostUsd(deps.prices, plan.costBase ?? {}, answered);
  const measured = result.kind === 'answer' ? { profile: result.candidate, ...(firstTokenAt === undefined ? {} : { firstTokenMs: firstTokenAt - turn.started }) } : {};
  const cost = costUsd === undefined ? {} : { costUsd };
  await turn.store.putAnswer(request.sub, request.conversationId, request.messageId, text, citations, cost, measured);
  plan.onStored();
  // The answer is stored: `done` goes out while the budgets settle.
  const [summary, settled] = await Promise.all([writer.end(usage, citations), settleQuietly(plan, usage?.totalTokens ?? 0)]);
  return {
    result: summary.state === 'gone' ? 'gone' : result.kind === 'degraded' ? 'degraded' : 'answered',
    profile: result.kind === 'answer' ? result.candidate : undefined,
    fallback: result.kind === 'answer' ? result.fallback : undefined,
    questionClass: plan.questionClass,
    usage,
    firstTokenMs: firstTokenAt === undefined ? undefined : firstTokenAt - turn.started,
    timing: clock.timing(result.passedOver.filter((p) => p.reason === 'circuit_open').length),
    settings: settingsLog,
    ...(groundingBlocked ? { code: 'grounding_blocked', knowledge: { state: 'grounding_blocked' as const } } : {}),
    ...(plan.citations && !groundingBlocked ? { knowledge: { state: 'grounded' as const, citations: citations.length } } : {}),
    ...(settled ? {} : { settleFailed: true }),
    ...(costUsd === undefined ? {} : { costUsd }),
  };
}

/** The turn's tools for its customer, each call stored under the user's partition before the model sees its result. */
function toolRunOf(turn: ClaimedTurn): ToolRun | undefined {
  const { tools } = turn.deps;
  if (!tools) return undefined;
  const { sub, conversationId, messageId } = turn.request;
  return {
    ...tools,
    sub,
    onCall: async (call) => {
      const { outcome, ...made } = call;
      await turn.store.putToolCall(sub, { ...made, conversationId, messageId, status: outcome.status, result: outcome.json });
    },
  };
}

/**
 * Settles the budgets; a store that fails here does not change the answer the user gets (the reservation, an upper
 * bound, then stays counted). Resolves whether it settled.
 */
function settleQuietly(plan: Pick<AnswerPlan, 'settle'>, used: number): Promise<boolean> {
  return plan.settle(used).then(() => true, () => false);
}

function validate(request: TurnRequest, limits: TurnLimits): { ok: true; text: string } | { ok: false; problem: InputProblem } {
  try {
    checkedSub(request.sub);
    checkedId('conversation id', request.conversationId);
    checkedId('message id', request.messageId);
  } catch (error) {
    if (error instanceof InvalidKeyError) return { ok: false, problem: 'bad_ids' };
    throw error;
  }
  if (request.action === 'resume') return { ok: true, text: '' };
  if (typeof request.text !== 'string' || request.text.trim().length === 0) return { ok: false, problem: 'missing_text' };
  if ([...request.text].length > limits.maxInputCharacters) return { ok: false, problem: 'input_too_long' };
  return { ok: true, text: request.text };
}
