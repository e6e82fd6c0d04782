import type { GoldenQuestion } from './golden-questions';
import type { RouteLabel } from '../../../workloads/support-chat/chat/handlers/lib/router';

/** What one run did with one question. */
export interface QuestionOutcome {
  readonly question: GoldenQuestion;
  /** Distinct documents of the passages, best first (at most the 5 retrieved). */
  readonly retrieved: readonly string[];
  /** The best passage's score, when there was one. */
  readonly topScore?: number;
  readonly supported: boolean;
  readonly label: RouteLabel | undefined;
  /** `findEscalationTrigger` found a trigger. */
  readonly triggered: boolean;
  /** The hand-off decision (`handoff/handlers/lib/decide.ts`) escalated. */
  readonly handedOff: boolean;
  /** Set when the retrieval failed. */
  readonly error?: string;
  /** The guardrail intervened on the classifier's call or on the answer (input, output or contextual grounding). @default false */
  readonly guardrailIntervened?: boolean;
  /**
   * Milliseconds from the question to the answer's first text, as the turn times it (classifier and retrieval side by
   * side, then the answer's stream); set when the model answered with text.
   */
  readonly firstTokenMs?: number;
  /**
   * The one-question conversation's cost in USD (`cost/handlers/lib/turn-cost.ts`: the turn's calls as they reported
   * their usage, plus its share of ingestion), when the config prices every call it made.
   */
  readonly costUsd?: number;
  /** Set when the answer's model call failed (not a guardrail intervention). */
  readonly answerError?: string;
}

/** A figure read from samples: its value (undefined over none) and how many samples it is over. */
export interface Measured {
  readonly value: number | undefined;
  readonly samples: number;
}

/** A ratio with its parts, so a reader sees what it was computed over. */
export interface Ratio {
  readonly value: number | undefined;
  readonly numerator: number;
  readonly denominator: number;
}

function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? undefined : numerator / denominator };
}

function mean(values: readonly number[]): Ratio {
  const sum = values.reduce((a, b) => a + b, 0);
  return { numerator: sum, denominator: values.length, value: values.length === 0 ? undefined : sum / values.length };
}

/** The figures of one run (or of one language's questions). */
export interface QualityFigures {
  readonly questions: number;
  /** Mean over answerable questions (expected documents): expected documents among the retrieved / documents retrieved. */
  readonly precisionAt5: Ratio;
  /** Mean over answerable questions: expected documents retrieved / expected documents. */
  readonly recallAt5: Ratio;
  /** Answerable questions whose first document is an expected one. */
  readonly hitAt1: Ratio;
  /** Questions whose label is the golden label. */
  readonly routingAccuracy: Ratio;
  readonly triggerPrecision: Ratio;
  readonly triggerRecall: Ratio;
  readonly handOffPrecision: Ratio;
  readonly handOffRecall: Ratio;
  /** Over questions that do not go to a person: the run refused (not supported) exactly when the golden set says so. */
  readonly refusalCorrect: Ratio;
  /** Of the refusals the run made (over the same questions), how many the golden set expects. */
  readonly refusalPrecision: Ratio;
  /** Of the refusals the golden set expects, how many the run made. */
  readonly refusalRecall: Ratio;
  readonly retrievalErrors: number;
  /** Of the questions the golden set expects no guardrail intervention on, those the guardrail intervened on. */
  readonly unexpectedInterventions: Ratio;
  /** Of the questions the golden set expects an intervention on, those the guardrail let through. */
  readonly missedInterventions: Ratio;
  /** p99 (nearest rank) of `firstTokenMs` over the questions the model answered with text. */
  readonly firstTokenP99Ms: Measured;
  /** Mean cost of a conversation (one question each) in USD; undefined when a question has no cost (a call not priced). */
  readonly costPerConversationUsd: Measured & { readonly maxUsd: number | undefined };
  readonly answerErrors: number;
}

/** The nearest-rank percentile `p` (0–100) of `values`, undefined over none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)];
}

/** The figures of a set of outcomes. */
export function figures(outcomes: readonly QuestionOutcome[]): QualityFigures {
  const answerable = outcomes.filter((o) => o.question.expectedDocuments.length > 0 && !o.error);
  const found = (o: QuestionOutcome) => o.retrieved.filter((d) => o.question.expectedDocuments.includes(d)).length;
  const escalation = (predicted: (o: QuestionOutcome) => boolean) => {
    const tp = outcomes.filter((o) => predicted(o) && o.question.escalate).length;
    return {
      precision: ratio(tp, outcomes.filter(predicted).length),
      recall: ratio(tp, outcomes.filter((o) => o.question.escalate).length),
    };
  };
  const trigger = escalation((o) => o.triggered);
  const handOff = escalation((o) => o.handedOff);
  const assistant = outcomes.filter((o) => !o.question.escalate && !o.error);
  const refused = assistant.filter((o) => !o.supported);
  const routed = outcomes.filter((o) => !o.question.guardrail);
  const intervened = (o: QuestionOutcome) => o.guardrailIntervened === true;
  const blockable = outcomes.filter((o) => o.question.guardrail);
  const costs = outcomes.map((o) => o.costUsd);
  const priced = costs.every((c): c is number => typeof c === 'number') && costs.length > 0;
  return {
    questions: outcomes.length,
    precisionAt5: mean(answerable.map((o) => (o.retrieved.length === 0 ? 0 : found(o) / o.retrieved.length))),
    recallAt5: mean(answerable.map((o) => found(o) / o.question.expectedDocuments.length)),
    hitAt1: ratio(answerable.filter((o) => o.question.expectedDocuments.includes(o.retrieved[0] ?? '')).length, answerable.length),
    // A question the guardrail should block has no route: the blocked classifier call has no label.
    routingAccuracy: ratio(routed.filter((o) => o.label === o.question.route).length, routed.length),
    triggerPrecision: trigger.precision,
    triggerRecall: trigger.recall,
    handOffPrecision: handOff.precision,
    handOffRecall: handOff.recall,
    refusalCorrect: ratio(assistant.filter((o) => !o.supported === o.question.refusal).length, assistant.length),
    refusalPrecision: ratio(refused.filter((o) => o.question.refusal).length, refused.length),
    refusalRecall: ratio(refused.filter((o) => o.question.refusal).length, assistant.filter((o) => o.question.refusal).length),
    retrievalErrors: outcomes.filter((o) => o.error).length,
    unexpectedInterventions: ratio(routed.filter(intervened).length, routed.length),
    missedInterventions: ratio(blockable.filter((o) => !intervened(o)).length, blockable.length),
    firstTokenP99Ms: (() => {
      const samples = outcomes.flatMap((o) => (typeof o.firstTokenMs === 'number' ? [o.firstTokenMs] : []));
      return { value: percentile(samples, 99), samples: samples.length };
    })(),
    costPerConversationUsd: {
      value: priced ? (costs as number[]).reduce((a, b) => a + b, 0) / costs.length : undefined,
      maxUsd: priced ? Math.max(...(costs as number[])) : undefined,
      samples: costs.filter((c) => typeof c === 'number').length,
    },
    answerErrors: outcomes.filter((o) => o.answerError).length,
  };
}

/** `0.83 (45/54)`, or `n/a (0/0)`. */
export function formatRatio(r: Ratio, digits = 2): string {
  const parts = Number.isInteger(r.numerator) ? `${r.numerator}/${r.denominator}` : `${r.numerator.toFixed(2)}/${r.denominator}`;
  return `${r.value === undefined ? 'n/a' : r.value.toFixed(digits)} (${parts})`;
}

/** `1234 ms (40 samples)`, or `n/a (0 samples)`. */
export function formatMeasured(m: Measured, format: (value: number) => string): string {
  return `${m.value === undefined ? 'n/a' : format(m.value)} (${m.samples} samples)`;
}
