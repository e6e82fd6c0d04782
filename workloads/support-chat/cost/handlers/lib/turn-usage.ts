import { type CostPrices, type GuardrailEvaluation, type ModelCallUsage, roundUsd, turnCost, type TurnUsage } from './turn-cost';

/*
 * The turn's billed calls, gathered as the turn makes them, and its cost in USD for the answer item (`costUsd`) and the
 * `TurnCostUsd` metric. Only what a call reported counts: an attempt that failed before its `metadata` event (throttled,
 * cut, timed out) reported no usage and is not in the total.
 */

/** What the turn knows before its answer: the classifier's call and the knowledge-base retrieval. */
export interface TurnCostBase {
  /** The classifier's call, when it answered, and the characters of its message the guardrail evaluated. */
  readonly classifier?: { readonly call?: ModelCallUsage; readonly guardedCharacters?: number };
  /** The question retrieved with (its embedding is billed), when the knowledge base was searched. */
  readonly retrievalQuestion?: string;
  /** The new message's `ApplyGuardrail` before it was stored (ADR 36): the characters it evaluated, billed as an input. */
  readonly redaction?: { readonly guardedCharacters: number };
}

/** The answer's calls: each round's usage, the new question (evaluated on every round) and the answer's text. */
export interface AnswerCalls {
  readonly calls: readonly ModelCallUsage[];
  /** The user's new message: the only input the guardrail evaluates (a `guardContent` block). */
  readonly question: string;
  /** What the model wrote (the guardrail evaluates the output). */
  readonly output: string;
  /** The answer was checked against the knowledge base's passages (contextual grounding). */
  readonly grounded: boolean;
}

/** The turn's usage from its parts. The embedding model bills the retrieval's query at about four characters a token. */
export function turnUsageOf(base: TurnCostBase, answer: AnswerCalls | undefined, prices: CostPrices): TurnUsage {
  const guardrail: GuardrailEvaluation[] = [];
  const modelCalls: ModelCallUsage[] = [];
  // ApplyGuardrail bills every policy of the guardrail per text unit, as a model call's guardrail does.
  if (base.redaction) guardrail.push({ characters: base.redaction.guardedCharacters, source: 'input' });
  if (base.classifier?.call) {
    modelCalls.push(base.classifier.call);
    guardrail.push({ characters: base.classifier.guardedCharacters ?? 0, source: 'input' });
    // Its output, the label (at most `maxTokens` 10), is evaluated too: under one text unit.
    guardrail.push({ characters: base.classifier.call.outputTokens * 4, source: 'output' });
  }
  if (answer && answer.calls.length > 0) {
    modelCalls.push(...answer.calls);
    for (let i = 0; i < answer.calls.length; i++) guardrail.push({ characters: answer.question.length, source: 'input' });
    guardrail.push({ characters: answer.output.length, source: 'output', grounded: answer.grounded });
  }
  const retrievals = base.retrievalQuestion !== undefined && prices.retrieval
    ? [{ queryTokens: Math.ceil(base.retrievalQuestion.length / 4), reranked: prices.retrieval.rerankPerThousandQueries !== undefined }]
    : [];
  return { modelCalls, guardrail, retrievals };
}

/** The turn's cost in USD (rounded to a millionth), or `undefined` without prices. */
export function turnCostUsd(prices: CostPrices | undefined, base: TurnCostBase, answer?: AnswerCalls): number | undefined {
  if (!prices) return undefined;
  return roundUsd(turnCost(turnUsageOf(base, answer, prices), prices).totalUsd);
}
