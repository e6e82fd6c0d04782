import type { BedrockRuntimeClient, ConverseCommandInput, ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockInputPolicy } from '../../../emulators/bedrock-runtime/bedrock-behaviour';
import { decideBudget } from '../../../workloads/support-chat/chat/handlers/lib/budget';
import { type ChatSettings, GROUNDED_PROMPT } from '../../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { selectHistory } from '../../../workloads/support-chat/chat/handlers/lib/history';
import { streamAnswer } from '../../../workloads/support-chat/chat/handlers/lib/model-calls';
import { GuardrailIntervenedError } from '../../../workloads/support-chat/chat/handlers/lib/resilience';
import { classifyResponse } from '../../../workloads/support-chat/chat/handlers/lib/router';
import { groundingSources } from '../../../workloads/support-chat/chat/handlers/lib/turn-knowledge';
import { type CostPrices, conversationCostUsd, type ModelCallUsage, turnCost } from '../../../workloads/support-chat/cost/handlers/lib/turn-cost';
import { type AnswerCalls, turnUsageOf } from '../../../workloads/support-chat/cost/handlers/lib/turn-usage';
import type { Passage } from '../../../workloads/support-chat/knowledge/handlers/lib/knowledge-source';

/*
 * The answer half of a golden-set question, as the turn (`chat/handlers/turn-core.ts`) makes it: after the classifier
 * and the retrieval, a question the knowledge base supports is answered by the role's profile (`decideBudget` with the
 * budgets full) through the tenant's own `streamAnswer`, grounded on the passages with the guardrail; one the knowledge
 * base does not support, or could not be searched for, gets the tenant's own text and no model call. From it: whether
 * the guardrail intervened (on the classifier's call or on the answer), the time to the answer's first text, and the
 * one-question conversation's cost from the usage each call reported (`cost/handlers/lib`).
 * The turn's fallback chain, retries and tools are left out: the first profile answers or the question counts an error.
 * So is the turn's redaction of the message (`ApplyGuardrail` before it is stored, ADR 36): its evaluation is priced
 * by the question's characters, but it is not called (the evaluation role may not call it), so its time is not in the
 * first token and a block there is seen on the classifier's call with the same guardrail instead.
 */

/** What the answer needs: the runtime, the guardrail every call carries, the tenant's settings, its prices (if any). */
export interface AnswerContext {
  readonly runtime: BedrockRuntimeClient;
  readonly guardrail: { readonly identifier: string; readonly version: string };
  readonly settings: ChatSettings;
  /** `workloads.supportChat.pricing` in the Region; without it no question has a cost. */
  readonly prices: CostPrices | undefined;
}

/** The classifier's call as the question made it. */
export interface ClassifierCall {
  readonly request: ConverseCommandInput;
  readonly response: Pick<ConverseResponse, 'output' | 'stopReason' | 'usage'>;
}

/** What the question's retrieval found, or that it failed. */
export type RetrievalResult = { readonly passages: readonly Passage[]; readonly supported: boolean } | { readonly failed: true };

/** The answer's part of a question's outcome. */
export interface AnsweredQuestion {
  readonly guardrailIntervened: boolean;
  readonly firstTokenMs?: number;
  readonly costUsd?: number;
  readonly answerError?: string;
}

/** Answers one question after its classifier call and retrieval; `started` is when both were sent (`performance.now()`). */
export async function answerQuestion(
  question: string, started: number, classifier: ClassifierCall, retrieval: RetrievalResult, context: AnswerContext,
): Promise<AnsweredQuestion> {
  const { questionClass } = classifyResponse(classifier.response);
  const u = classifier.response.usage;
  const classifierUsage: ModelCallUsage | undefined = u ? {
    profile: String(classifier.request.modelId),
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    cacheReadInputTokens: u.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: u.cacheWriteInputTokens ?? 0,
  } : undefined;
  // The guardrail evaluates the classifier's whole user message (no guardContent block), as model-calls' classify counts it.
  const guardedCharacters = (classifier.request.messages ?? []).flatMap((m) => m.content ?? [])
    .reduce((n, block) => n + (block.text?.length ?? 0), 0);
  // The deployed turn first sends the message to ApplyGuardrail (ADR 36); priced here by its characters, not called.
  const base = {
    redaction: { guardedCharacters: question.length },
    classifier: { call: classifierUsage, guardedCharacters },
    retrievalQuestion: 'failed' in retrieval ? undefined : question,
  };
  let intervened = classifier.response.stopReason === 'guardrail_intervened';
  let answered: AnswerCalls | undefined;
  let firstTokenMs: number | undefined;
  let answerError: string | undefined;
  if (!('failed' in retrieval) && retrieval.supported && retrieval.passages.length > 0) {
    const decision = decideBudget({ user: 1, tenant: 1 }, questionClass, context.settings.budgetRules);
    const profile = decision.kind === 'model' ? context.settings.models[decision.role] : context.settings.models.capable;
    const conversation = {
      messages: selectHistory([], question).messages,
      current: question,
      groundingSources: groundingSources(retrieval.passages),
      system: (context.settings.prompts.grounded ?? GROUNDED_PROMPT).system,
    };
    let text = '';
    try {
      const answer = await streamAnswer(profile, conversation, context.settings, { bedrock: context.runtime, guardrail: context.guardrail },
        context.settings.limits.maxAnswerTokens, { remainingMs: 120_000, firstTokenMs: 60_000, idleMs: 60_000 }, async (delta) => {
          firstTokenMs ??= performance.now() - started;
          text += delta;
        });
      intervened ||= answer.stopReason === 'guardrail_intervened' || answer.groundingBlocked === true;
      answered = { calls: answer.calls, question, output: text, grounded: true };
    } catch (error) {
      if (error instanceof GuardrailIntervenedError) intervened = true;
      else answerError = (error as Error).message;
    }
  }
  return {
    guardrailIntervened: intervened,
    ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
    ...costOf(base, answered, context.prices),
    ...(answerError ? { answerError } : {}),
  };
}

/** The conversation's cost, or nothing when there are no prices or a call's profile has none (the total would be a lower bound). */
function costOf(base: Parameters<typeof turnUsageOf>[0], answered: AnswerCalls | undefined, prices: CostPrices | undefined): { costUsd?: number } {
  if (!prices) return {};
  const cost = turnCost(turnUsageOf(base, answered, prices), prices);
  return cost.unpriced.length > 0 ? {} : { costUsd: conversationCostUsd([cost.totalUsd], prices) };
}

/**
 * On the emulators only: a stand-in for the example guardrail's denied topic "Investment advice" (keywords in the golden
 * set's five languages), so the plumbing check has interventions to count. Bedrock's topic detection is a model, not
 * these words; nothing about it is measured here.
 */
export function guardrailStandIn(): BedrockInputPolicy {
  return { blocks: /\b(stocks?|shares?|ETFs?|crypto|aktien?|actions?|acciones)\b|股票/i };
}
