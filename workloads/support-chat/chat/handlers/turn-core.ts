import { ConverseCommand, ConverseStreamCommand, type BedrockRuntimeClient, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { decideBudget } from './lib/budget';
import type { BudgetCounter } from './lib/budget-counter';
import { budgetDay } from './lib/budget-counter';
import type { ChatSettings } from './lib/chat-settings';
import { budgetKey, checkedId, checkedSub, CLIENT_ID_RULE, echoableId, InvalidKeyError, rateKey, userKey } from './lib/conversation-keys';
import type { ConversationStore, StoredMessage } from './lib/conversation-store';
import { FrameWriter, type FrameUsage } from './lib/frames';
import { estimateTokens, selectHistory, toConverseMessages } from './lib/history';
import { canFallBack, CircuitBreaker, DeadlineExceededError, firstAvailable, GuardrailIntervenedError } from './lib/resilience';
import { buildClassifierRequest, classifyResponse, type QuestionClass } from './lib/router';
import type { ActiveSettings } from './lib/settings-source';

/** What the relay sends the turn for one WebSocket message (the user comes from the `$connect` authorizer). */
export interface TurnRequest {
  readonly action: 'sendMessage' | 'resume';
  /** The Cognito `sub` the authorizer verified. */
  readonly sub: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** The user's message (`sendMessage`). */
  readonly text?: string;
  /** The relay's API Gateway request id, for the turn's logs (`correlation_id`); the turn itself does not read it. */
  readonly correlationId?: string;
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
   * profiles by role and the fallback chain, budget rules, prompts, flags, the per-user rate.
   */
  readonly settings: () => Promise<ActiveSettings>;
  readonly limits: TurnLimits;
  /** The guardrail to pass on every call: the workload contract's ARN and numeric version. */
  readonly guardrail: { readonly identifier: string; readonly version: string };
  /** One breaker per inference profile, kept across turns of a container. */
  readonly breaker: CircuitBreaker;
  /** The answer when every model failed. */
  readonly degradedText: string;
  /** @default Date.now */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What a turn did, for logs and metrics. */
export interface TurnOutcome {
  readonly result: 'answered' | 'replayed' | 'degraded' | 'refused' | 'failed' | 'gone';
  readonly code?: string;
  readonly profile?: string;
  readonly questionClass?: QuestionClass;
  readonly fallback?: boolean;
  readonly usage?: FrameUsage;
  /** Milliseconds from the turn's start to its first text frame. */
  readonly firstTokenMs?: number;
  /** How the turn spent its time and what the resilience did (for the EMF metrics and the bench). */
  readonly timing?: TurnTiming;
  /** Where the turn's settings came from and the prompt versions it used (for the logs). */
  readonly settings?: { readonly source: ActiveSettings['source']; readonly problem?: string; readonly prompts?: readonly string[] };
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

/** Thrown inside an attempt once text has reached the client: the chain must not restart the answer on another model. */
class StreamedThenFailed extends Error {
  constructor(readonly cause: unknown) {
    super('the stream failed after text was sent');
  }
}

/**
 * One turn of the chat, persist first and stream second: the user message is stored (idempotent by `messageId`) before
 * any model call; a repeated or resumed message replays the stored answer; the budgets are reserved atomically; the
 * classifier picks the question's class; the budget rules pick the model role; the answer streams through the approved
 * profile with the organization guardrail, falling back along the configured chain (never outside it) and finally to a
 * static degraded answer; the answer is stored and the budgets settled with the real usage. Frames go to `send`.
 */
export async function runTurn(request: TurnRequest, deps: TurnDependencies, send: (data: string) => Promise<void>): Promise<TurnOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const clock = new TurnClock(now);
  const deadline = started + deps.limits.turnDeadlineSeconds * 1000;
  let firstTokenAt: number | undefined;
  // A relay that stops reading (its client left) must not stop the turn: the answer is still stored, for a resume.
  let detached = false;
  const sendWhileAttached = async (data: string) => {
    if (detached) return;
    try {
      await send(data);
    } catch {
      detached = true;
    }
  };
  const ids = { conversationId: echoableId(request.conversationId), messageId: echoableId(request.messageId) };
  const writer = new FrameWriter({ ...ids, send: sendWhileAttached });
  const checked = validate(request, deps.limits);
  if (!checked.ok) {
    await writer.fail(checked.problem === 'input_too_long' ? 'input_too_long' : 'bad_request', describe(checked.problem, deps.limits));
    return { result: 'refused', code: checked.problem };
  }
  const input = checked.text;

  const active = await deps.settings();
  const settings = active.settings;
  const settingsLog = { source: active.source, problem: active.problem, prompts: [settings.prompts.answer.version, settings.prompts.router.version] };
  const { store, counter } = await deps.forUser(request.sub);
  const replay = async (answer: StoredMessage): Promise<TurnOutcome> => {
    await writer.write(answer.text);
    const summary = await writer.end();
    return { result: summary.state === 'gone' ? 'gone' : 'replayed' };
  };
  // The message's lease: one turn at a time answers it (a resume while it runs gets `in_progress`, not a second model call).
  const leaseUntil = started + (deps.limits.turnDeadlineSeconds + 5) * 1000;
  const stored = request.action === 'sendMessage'
    ? await store.putUserMessage(request.sub, request.conversationId, request.messageId, input, leaseUntil)
    : await store.find(request.sub, request.conversationId, request.messageId).then((found) => found && { created: false, ...found });
  if (!stored) {
    await writer.fail('bad_request', `no message ${request.messageId} in conversation ${request.conversationId}`);
    return { result: 'refused', code: 'unknown_message' };
  }
  if (stored.answer) return replay(stored.answer);
  if (!stored.created && !(await store.claim(request.sub, request.conversationId, request.messageId, leaseUntil))) {
    const again = await store.find(request.sub, request.conversationId, request.messageId);
    if (again?.answer) return replay(again.answer);
    await writer.fail('in_progress', 'This message is being answered; resume it in a moment to get the answer.');
    return { result: 'refused', code: 'in_progress', settings: settingsLog };
  }
  const question = stored.message.text;
  let answered = false;
  try {
    return await answerTurn();
  } finally {
    // A refused or failed turn gives the lease back, so a resume can answer the message at once.
    if (!answered) await store.release(request.sub, request.conversationId, request.messageId).catch(() => undefined);
  }

  async function answerTurn(): Promise<TurnOutcome> {

    // One round trip to DynamoDB before the model: the per-user rate, the history, and the user's and the tenant's daily
    // tokens reserved atomically. The reservation is an upper bound (the whole history budget, the question, the longest
    // answer), corrected by the real usage when the turn settles.
    const minute = new Date(now()).toISOString().slice(0, 16);
    const maxAnswer = settings.limits.maxAnswerTokens;
    const estimate = deps.limits.historyTokens + estimateTokens(question) + maxAnswer;
    const day = budgetDay(now());
    const userKeyOfDay = { pk: userKey(request.sub), sk: budgetKey(day) };
    const tenantKeyOfDay = { pk: 'TENANT', sk: budgetKey(day) };
    const [rate, recent, userReservation, tenantReservation] = await Promise.all([
      counter.reserve({ pk: userKey(request.sub), sk: rateKey(minute) }, 1, settings.limits.messagesPerUserPerMinute),
      store.history(request.sub, request.conversationId, deps.limits.historyMessages + 1),
      counter.reserve(userKeyOfDay, estimate, deps.limits.dailyTokensPerUser),
      deps.tenantCounter.reserve(tenantKeyOfDay, estimate, deps.limits.dailyTokensPerTenant),
    ]);
    // Gives back what a refused turn reserved.
    const giveBack = () => Promise.all([
      userReservation.granted ? counter.settle(userKeyOfDay, -estimate) : undefined,
      tenantReservation.granted ? deps.tenantCounter.settle(tenantKeyOfDay, -estimate) : undefined,
    ]);
    if (!rate.granted) {
      await giveBack();
      await writer.fail('rate_limited', `At most ${settings.limits.messagesPerUserPerMinute} messages a minute; your message is saved, please wait a moment.`);
      return { result: 'refused', code: 'rate_limited', settings: settingsLog };
    }

    const prior = recent.filter((m) => !(m.messageId === request.messageId && m.role === 'user'));
    const history = selectHistory(prior, question, { maxMessages: deps.limits.historyMessages, maxTokens: deps.limits.historyTokens });
    if (!userReservation.granted || !tenantReservation.granted) {
      await giveBack();
      await writer.fail('budget_exhausted', 'The daily allowance for the assistant is used up; please try again tomorrow or ask for a human agent.');
      return { result: 'refused', code: 'budget_exhausted', settings: settingsLog };
    }
    // The classifier is a model call too: only after the reservation, and its tokens are settled with the answer's.
    const { questionClass, tokens: classifierTokens } = settings.flags.classifier
      ? await clock.model(() => classify(question, settings, deps))
      : { questionClass: 'complex' as const, tokens: 0 };
    const decision = decideBudget({
      user: 1 - userReservation.used / deps.limits.dailyTokensPerUser,
      tenant: 1 - tenantReservation.used / deps.limits.dailyTokensPerTenant,
    }, questionClass, settings.budgetRules);
    const settle = async (used: number) => {
      await Promise.all([
        counter.settle(userKeyOfDay, classifierTokens + used - estimate),
        deps.tenantCounter.settle(tenantKeyOfDay, classifierTokens + used - estimate),
      ]);
    };
    if (decision.kind === 'refuse') {
      await settle(0);
      await writer.fail('budget_exhausted', 'The daily allowance for the assistant is used up; please try again tomorrow or ask for a human agent.');
      return { result: 'refused', code: 'budget_exhausted', questionClass, settings: settingsLog };
    }

    // The chain is the settings' (each id one the validator and `parseChatSettings` allow: the approved geography only).
    const chosen = settings.models[decision.role];
    const candidates = [chosen, ...(settings.flags.fallback ? settings.models.fallback.filter((p) => p !== chosen) : [])];
    let text = '';
    let usage: FrameUsage | undefined;
    try {
      const result = await firstAvailable(candidates, async (profile, context) => {
        text = '';
        const { remainingMs } = context;
        const answer = await clock.model(() => streamAnswer(profile, history.messages, settings, deps, maxAnswer, remainingMs, async (delta) => {
          firstTokenAt ??= now();
          text += delta;
          await clock.ours(() => writer.write(delta));
        }));
        usage = answer.usage;
        return answer;
      }, {
        breaker: deps.breaker,
        degradedText: deps.degradedText,
        deadline,
        now,
        random: deps.random,
        sleep: deps.sleep,
        onRetry: ({ delayMs, error }) => clock.retried(delayMs, error),
        // Never restart an answer the client has partly seen on another model; otherwise what the chain allows.
        shouldFallBack: (error) => !(error instanceof StreamedThenFailed) && canFallBack(error),
      });
      if (result.kind === 'degraded') {
        await writer.write(result.text);
        text = result.text;
      }
      await store.putAnswer(request.sub, request.conversationId, request.messageId, text);
      answered = true;
      // The answer is stored: `done` goes out while the budgets settle.
      const [summary] = await Promise.all([writer.end(usage), settle(usage?.totalTokens ?? 0)]);
      return {
        result: summary.state === 'gone' ? 'gone' : result.kind === 'degraded' ? 'degraded' : 'answered',
        profile: result.kind === 'answer' ? result.candidate : undefined,
        fallback: result.kind === 'answer' ? result.fallback : undefined,
        questionClass,
        usage,
        firstTokenMs: firstTokenAt === undefined ? undefined : firstTokenAt - started,
        timing: clock.timing(result.passedOver.filter((p) => p.reason === 'circuit_open').length),
        settings: settingsLog,
      };
    } catch (error) {
      await settle(usage?.totalTokens ?? estimateTokens(text));
      const code = error instanceof GuardrailIntervenedError ? 'guardrail_intervened'
        : error instanceof DeadlineExceededError || (error as Error)?.name === 'AbortError' || (error as Error)?.name === 'TimeoutError' ? 'deadline_exceeded'
          : 'model_unavailable';
      await writer.fail(code, {
        guardrail_intervened: 'The organization\'s AI use policy stopped this answer.',
        deadline_exceeded: 'The answer took too long; please ask again.',
        model_unavailable: 'The assistant could not finish this answer; please ask again.',
      }[code]);
      return { result: 'failed', code, questionClass, timing: clock.timing(0), settings: settingsLog };
    }
  }
}

/** Splits a turn's time into the model's (less what the model's stream waited on us), the backoff's, and ours. */
class TurnClock {
  private readonly started: number;
  private modelMs = 0;
  private oursInsideModelMs = 0;
  private backoffMs = 0;
  private retries = 0;
  private throttles = 0;

  constructor(private readonly now: () => number) {
    this.started = now();
  }

  /** Runs a Bedrock call (and its stream) and counts its time as the model's. */
  async model<T>(call: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await call();
    } finally {
      this.modelMs += this.now() - start;
    }
  }

  /** Runs our own work inside a model call (writing a frame) and takes its time back from the model's. */
  async ours<T>(work: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work();
    } finally {
      this.oursInsideModelMs += this.now() - start;
    }
  }

  retried(delayMs: number, error: unknown): void {
    this.retries += 1;
    this.backoffMs += delayMs;
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    if (e?.name === 'ThrottlingException' || e?.$metadata?.httpStatusCode === 429) this.throttles += 1;
  }

  timing(breakerOpen: number): TurnTiming {
    const totalMs = this.now() - this.started;
    const modelMs = Math.max(0, this.modelMs - this.oursInsideModelMs);
    return {
      totalMs,
      modelMs,
      backoffMs: this.backoffMs,
      overheadMs: Math.max(0, totalMs - modelMs - this.backoffMs),
      throttles: this.throttles,
      retries: this.retries,
      breakerOpen,
    };
  }
}

/** Streams one answer; a stream that ends without `messageStop` failed (a connection cut can end it silently). */
async function streamAnswer(
  profile: string, messages: ReturnType<typeof selectHistory>['messages'], settings: ChatSettings, deps: TurnDependencies, maxTokens: number,
  remainingMs: number,
  onText: (delta: string) => Promise<void>,
): Promise<{ usage?: FrameUsage; stopReason?: string }> {
  // The turn's deadline holds inside a call too: the SDK aborts the request and its stream when it passes.
  const abortSignal = AbortSignal.timeout(Math.max(1, remainingMs));
  const response = await deps.bedrock.send(new ConverseStreamCommand({
    modelId: profile,
    system: [{ text: settings.prompts.answer.system }],
    messages: toConverseMessages(messages),
    inferenceConfig: { maxTokens },
    guardrailConfig: { guardrailIdentifier: deps.guardrail.identifier, guardrailVersion: deps.guardrail.version, streamProcessingMode: 'sync' },
  }), { abortSignal });
  let sent = false;
  let stopReason: string | undefined;
  let usage: FrameUsage | undefined;
  try {
    for await (const event of response.stream ?? ([] as ConverseStreamOutput[])) {
      const delta = event.contentBlockDelta?.delta?.text;
      if (delta) {
        sent = true;
        await onText(delta);
      }
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata?.usage) {
        const u = event.metadata.usage;
        usage = { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0, totalTokens: u.totalTokens ?? 0 };
      }
    }
    if (stopReason === undefined) throw Object.assign(new Error('the model stream ended without messageStop'), { name: 'ModelStreamErrorException' });
  } catch (error) {
    if (sent) throw new StreamedThenFailed(error);
    throw error;
  }
  if (stopReason === 'guardrail_intervened' && !sent) throw new GuardrailIntervenedError('the guardrail intervened before any text');
  return { usage, stopReason };
}

/** The classifier's call and the tokens it used; anything unusable counts as complex. */
async function classify(question: string, settings: ChatSettings, deps: TurnDependencies): Promise<{ questionClass: QuestionClass; tokens: number }> {
  try {
    const { classifier: modelId } = settings.models;
    const request = buildClassifierRequest(question, { modelId, guardrail: deps.guardrail, prompt: settings.prompts.router });
    const response = await deps.bedrock.send(new ConverseCommand(request));
    return { questionClass: classifyResponse(response).questionClass, tokens: response.usage?.totalTokens ?? 0 };
  } catch {
    return { questionClass: 'complex', tokens: 0 };
  }
}

type InputProblem = 'input_too_long' | 'missing_text' | 'bad_ids';

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

function describe(problem: InputProblem, limits: TurnLimits): string {
  switch (problem) {
    case 'input_too_long': return `Messages are limited to ${limits.maxInputCharacters} characters; please shorten yours.`;
    case 'missing_text': return 'The message has no text.';
    case 'bad_ids': return `conversationId and messageId must be ${CLIENT_ID_RULE}.`;
  }
}

