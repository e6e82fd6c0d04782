import { ConverseCommand, ConverseStreamCommand, type ConverseStreamOutput, type GuardrailTraceAssessment, type TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import { invokedModelId } from './application-profiles';
import type { ChatSettings } from './chat-settings';
import type { FrameUsage } from './frames';
import { type selectHistory, toGuardedConverseMessages } from './history';
import { AttemptTimeoutError, GuardrailIntervenedError } from './resilience';
import { buildClassifierRequest, classifyResponse, type QuestionClass, type RouteLabel } from './router';
import type { ModelCallUsage } from '../../../cost/handlers/lib/turn-cost';
import { type ToolRun, ToolRounds } from '../../../orders/handlers/lib/tool-rounds';
import type { TurnDependencies } from '../turn-core';

/* The turn's two model calls: the classifier's Converse and the answer's ConverseStream, both with the guardrail. */

/**
 * What a model call needs of the turn's dependencies: the Bedrock client, the guardrail every call carries, and the
 * application profiles whose ARN a call sends in place of the system profile it wraps (`invokedModelId`).
 */
export type ModelAccess = Pick<TurnDependencies, 'bedrock' | 'guardrail' | 'applicationProfiles'>;

/** Thrown inside an attempt once text has reached the client: the chain must not restart the answer on another model. */
export class StreamedThenFailed extends Error {
  constructor(readonly cause: unknown) {
    super('the stream failed after text was sent');
  }
}

/** What one answer sends: the history chosen for the turn (`selectHistory`), whose last message ends with the new question. */
export interface GuardedConversation {
  readonly messages: ReturnType<typeof selectHistory>['messages'];
  /** The user's new message: the only text the guardrail evaluates (`toGuardedConverseMessages`). */
  readonly current: string;
  /**
   * The knowledge base's passages, each a `grounding_source` block for the guardrail's contextual grounding check (the
   * question then `query` too); the request then asks for the guardrail's trace, to tell a grounding block from others.
   * @default none: an answer without passages
   */
  readonly groundingSources?: readonly string[];
  /** The system prompt. @default the settings' answer prompt */
  readonly system?: string;
}

/** How long one answer attempt may take, and the turn's own abort (its final-frame cut-off). */
export interface AttemptLimits {
  /** Until the turn's deadline: the whole call and its stream. */
  readonly remainingMs: number;
  /** Until the first text (`turnTimeouts`). */
  readonly firstTokenMs: number;
  /** Between two stream events once text flows (`turnTimeouts`). */
  readonly idleMs: number;
  /** Aborted when the turn gives up. @default none */
  readonly signal?: AbortSignal;
}

/**
 * Streams one answer, the guardrail evaluating the new question only (a `guardContent` block); a stream that ends without `messageStop` failed (a connection cut can end it silently). The
 * request is aborted (the SDK's `abortSignal`: the HTTP/2 stream is reset, nothing streams on) when the turn's deadline
 * passes, when no text came within `firstTokenMs`, or when the stream was idle for `idleMs` (timed from each event,
 * not counting the time we spend writing frames); the last two throw `AttemptTimeoutError`.
 */
export async function streamAnswer(
  profile: string, conversation: GuardedConversation, settings: ChatSettings, deps: ModelAccess, maxTokens: number,
  limits: AttemptLimits,
  onText: (delta: string) => Promise<void>,
  tools?: ToolRun,
): Promise<{ usage?: FrameUsage; stopReason?: string; groundingBlocked?: boolean; calls: ModelCallUsage[] }> {
  const timer = new AttemptTimer(limits);
  // Each model call's usage as reported (a tool round is a call of its own), for the turn's cost (`turn-cost.ts`).
  const calls: ModelCallUsage[] = [];
  let sent = false;
  let stopReason: string | undefined;
  let usage: FrameUsage | undefined;
  let groundingBlocked = false;
  const grounded = (conversation.groundingSources?.length ?? 0) > 0;
  // Tool use (`tools`): each round that ends in `tool_use` runs the calls and asks again with the results appended, within
  // this attempt's limits. The guardrail still evaluates only the new question: tool results are not `guardContent`.
  const rounds = tools && tools.tools.length > 0 ? new ToolRounds(tools) : undefined;
  const messages = toGuardedConverseMessages(conversation.messages, conversation.current, conversation.groundingSources);
  try {
    for (;;) {
      const response = await deps.bedrock.send(new ConverseStreamCommand({
        // The application profile's ARN when one wraps `profile` (billed with its tags); usage and costs name `profile`.
        modelId: invokedModelId(profile, deps.applicationProfiles),
        system: [{ text: conversation.system ?? settings.prompts.answer.system }],
        messages,
        ...(rounds ? { toolConfig: rounds.toolConfig } : {}),
        inferenceConfig: { maxTokens },
        guardrailConfig: {
          guardrailIdentifier: deps.guardrail.identifier,
          guardrailVersion: deps.guardrail.version,
          streamProcessingMode: 'sync',
          ...(grounded ? { trace: 'enabled' as const } : {}),
        },
      }), { abortSignal: timer.signal });
      for await (const event of response.stream ?? ([] as ConverseStreamOutput[])) {
        rounds?.observe(event);
        const delta = event.contentBlockDelta?.delta?.text;
        if (delta) {
          sent = true;
          timer.pause();
          await onText(rounds?.spaced(delta) ?? delta);
          timer.idle();
        } else if (sent) {
          timer.idle();
        }
        if (event.messageStop) stopReason = event.messageStop.stopReason;
        if (event.metadata?.usage) {
          const u = event.metadata.usage;
          // Summed over the tool rounds: each is a model call of its own.
          usage = {
            inputTokens: (usage?.inputTokens ?? 0) + (u.inputTokens ?? 0),
            outputTokens: (usage?.outputTokens ?? 0) + (u.outputTokens ?? 0),
            totalTokens: (usage?.totalTokens ?? 0) + (u.totalTokens ?? 0),
          };
          calls.push(callUsage(profile, u));
        }
        if (event.metadata?.trace?.guardrail) groundingBlocked ||= blockedByGrounding(event.metadata.trace.guardrail);
      }
      if (stopReason === undefined) throw Object.assign(new Error('the model stream ended without messageStop'), { name: 'ModelStreamErrorException' });
      if (stopReason !== 'tool_use' || !rounds) break;
      // The tools' time is not the model's silence; the deadline and the turn's abort still hold (`timer.signal`).
      timer.pause();
      messages.push(...await rounds.answer(timer.signal));
      timer.resume(sent);
      stopReason = undefined;
    }
  } catch (error) {
    const failure = timer.timedOut(error) ?? error;
    if (sent) throw new StreamedThenFailed(failure);
    throw failure;
  } finally {
    timer.stop();
  }
  if (stopReason === 'guardrail_intervened' && !sent) {
    throw Object.assign(new GuardrailIntervenedError('the guardrail intervened before any text'), { groundingBlocked });
  }
  return { usage, stopReason, calls, ...(groundingBlocked ? { groundingBlocked } : {}) };
}

/**
 * Whether the guardrail's trace says its contextual grounding check blocked the answer: a `GROUNDING` or `RELEVANCE`
 * filter of an output assessment with the action `BLOCKED` (`GuardrailContextualGroundingFilter`,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_GuardrailContextualGroundingFilter.html).
 */
export function blockedByGrounding(trace: GuardrailTraceAssessment): boolean {
  return Object.values(trace.outputAssessments ?? {}).some((assessments) => (assessments ?? []).some(
    (assessment) => (assessment.contextualGroundingPolicy?.filters ?? []).some((filter) => filter.action === 'BLOCKED')));
}

/** The abort of one attempt: the deadline, the turn's signal, and a first-token timer that becomes an idle timer. */
class AttemptTimer {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fired: AttemptTimeoutError | undefined;

  constructor(private readonly limits: AttemptLimits) {
    const deadline = AbortSignal.timeout(Math.max(1, limits.remainingMs));
    this.signal = AbortSignal.any([this.controller.signal, deadline, ...(limits.signal ? [limits.signal] : [])]);
    this.arm('first_token', Math.min(limits.firstTokenMs, Math.max(1, limits.remainingMs)));
  }

  /** Text came: the idle timeout runs from now. */
  idle(): void {
    this.arm('idle', this.limits.idleMs);
  }

  /** Our own time (writing a frame) is not the model's silence. */
  pause(): void {
    clearTimeout(this.timer);
  }

  /** A new model call of the attempt (a tool round): the first-token timeout again, or the idle one once text flowed. */
  resume(sent: boolean): void {
    if (sent) this.idle();
    else this.arm('first_token', this.limits.firstTokenMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The timeout that aborted the request, when one did (the SDK reports the abort as its own error: the cause). */
  timedOut(error: unknown): AttemptTimeoutError | undefined {
    if (!this.fired) return undefined;
    return new AttemptTimeoutError(this.fired.phase, this.fired.timeoutMs, { cause: error });
  }

  private arm(phase: AttemptTimeoutError['phase'], ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = new AttemptTimeoutError(phase, ms);
      this.controller.abort(this.fired);
    }, ms);
  }
}

/** The classifier's call and the tokens it used; anything unusable, or no answer within `timeoutMs`, counts as complex. */
export async function classify(
  question: string, settings: ChatSettings, deps: ModelAccess, timeoutMs: number, signal?: AbortSignal,
): Promise<{ questionClass: QuestionClass; label?: RouteLabel; tokens: number; call?: ModelCallUsage; guardedCharacters?: number }> {
  try {
    const { classifier: modelId } = settings.models;
    const request = buildClassifierRequest(question, {
      modelId: invokedModelId(modelId, deps.applicationProfiles), guardrail: deps.guardrail, prompt: settings.prompts.router,
    });
    // A classifier that hangs is aborted at its timeout (`turnTimeouts`): the question then counts as complex.
    const abortSignal = AbortSignal.any([AbortSignal.timeout(Math.max(1, timeoutMs)), ...(signal ? [signal] : [])]);
    const response = await deps.bedrock.send(new ConverseCommand(request), { abortSignal });
    const { questionClass, label } = classifyResponse(response);
    const u = response.usage;
    // The guardrail evaluates the classifier's whole user message (no guardContent block), for the turn's cost.
    const guardedCharacters = (request.messages ?? []).flatMap((m) => m.content ?? []).reduce((n, block) => n + (block.text?.length ?? 0), 0);
    const call = u ? callUsage(modelId, u) : undefined;
    return { questionClass, label, tokens: u?.totalTokens ?? 0, ...(call ? { call } : {}), guardedCharacters };
  } catch {
    return { questionClass: 'complex', tokens: 0 };
  }
}

/** One call's usage as the API reported it (`TokenUsage`), for the turn's cost. */
function callUsage(profile: string, u: TokenUsage): ModelCallUsage {
  return {
    profile,
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    cacheReadInputTokens: u.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: u.cacheWriteInputTokens ?? 0,
  };
}
