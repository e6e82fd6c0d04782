import type { TenantRelease } from '../../config/schema';

type Thresholds = TenantRelease['goldenSet'];

/** The golden-set figures the gate reads from `bench-out/quality-bedrock.json` (`npx projen bench:quality`), by threshold: at least. */
export const GATED_FIGURES = {
  minRecallAt5: 'recallAt5',
  minHitAt1: 'hitAt1',
  minRoutingAccuracy: 'routingAccuracy',
  minHandOffRecall: 'handOffRecall',
  minRefusalCorrect: 'refusalCorrect',
} as const satisfies Partial<Record<keyof Thresholds, string>>;

/** The figures that must stay at most their threshold: guardrail intervention rates (ratios), first-token p99 and cost (measured). */
export const CAPPED_FIGURES = {
  maxUnexpectedInterventions: { figure: 'unexpectedInterventions', kind: 'ratio', unit: '' },
  maxMissedInterventions: { figure: 'missedInterventions', kind: 'ratio', unit: '' },
  maxFirstTokenP99Ms: { figure: 'firstTokenP99Ms', kind: 'measured', unit: ' ms' },
  maxCostPerConversationUsd: { figure: 'costPerConversationUsd', kind: 'measured', unit: ' USD' },
} as const satisfies Record<Exclude<keyof Thresholds, keyof typeof GATED_FIGURES>, { figure: string; kind: 'ratio' | 'measured'; unit: string }>;

/** The gate's verdict: `passed` only when every figure was measured against Bedrock and is at least its threshold. */
export interface GoldenSetVerdict {
  readonly passed: boolean;
  /** One line per check, for the step's log. */
  readonly lines: readonly string[];
}

interface Ratio { readonly value?: number | null; readonly numerator: number; readonly denominator: number }
interface Measured { readonly value?: number | null; readonly samples: number }

/**
 * The golden-set gate (docs/adr/0034-tenant-release-by-golden-set-and-canary.md): the report of a bench:quality run
 * against real Bedrock (its label says so, for the knowledge base and for the classifier with the guardrail), without
 * retrieval or answer errors, whose overall figures each reach `pipeline.tenantRelease.goldenSet`: quality figures at
 * least their `min*`, guardrail interventions where the golden set expects none and missed ones where it expects one,
 * the first-token p99 and the mean cost per conversation at most their `max*`. A figure over no questions or samples
 * (`value` null: no answer had text, or a call had no price) fails: nothing measured is not a pass. Each failed line
 * names its threshold, the figure found and the one expected. Throws on a document that is not such a report.
 */
export function goldenSetVerdict(report: unknown, thresholds: Thresholds): GoldenSetVerdict {
  const r = report as { label?: unknown; overall?: Record<string, unknown> } | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.label) || !r.overall || typeof r.overall !== 'object') {
    throw new Error('not a bench:quality report: it needs label (an array) and overall (the figures)');
  }
  const label = r.label.map(String);
  const lines: string[] = [];
  let passed = true;
  const check = (ok: boolean, line: string) => {
    passed &&= ok;
    lines.push(`${ok ? 'pass' : 'FAIL'}  ${line}`);
  };
  check(label.some((l) => l.startsWith('against Bedrock: knowledge base ')), `retrieval against a Bedrock knowledge base (${label[0] ?? 'no label'})`);
  check(label.some((l) => / on Bedrock with guardrail /.test(l)), `classifier on Bedrock with the guardrail (${label[1] ?? 'no classifier label'})`);
  const errors = r.overall.retrievalErrors;
  if (typeof errors !== 'number') throw new Error('not a bench:quality report: overall.retrievalErrors is not a number');
  check(errors === 0, `retrieval errors: ${errors}`);
  const answerErrors = r.overall.answerErrors;
  if (typeof answerErrors !== 'number') throw new Error('not a bench:quality report: overall.answerErrors is not a number');
  check(answerErrors === 0, `answer errors: ${answerErrors}`);
  for (const [threshold, figure] of Object.entries(GATED_FIGURES) as [keyof typeof GATED_FIGURES, string][]) {
    const ratio = r.overall[figure] as Ratio | undefined;
    if (!ratio || typeof ratio !== 'object' || typeof ratio.numerator !== 'number' || typeof ratio.denominator !== 'number') {
      throw new Error(`not a bench:quality report: overall.${figure} is not a ratio`);
    }
    const min = thresholds[threshold];
    const value = typeof ratio.value === 'number' ? ratio.value : undefined;
    const shown = value === undefined ? 'not measured' : value.toFixed(3);
    check(value !== undefined && value >= min, `${figure} ${shown} (${ratio.numerator}/${ratio.denominator}), at least ${min} (${threshold})`);
  }
  type Capped = keyof typeof CAPPED_FIGURES;
  for (const [threshold, { figure, kind, unit }] of Object.entries(CAPPED_FIGURES) as [Capped, typeof CAPPED_FIGURES[Capped]][]) {
    const found = r.overall[figure] as (Ratio & Measured) | undefined;
    const parts = kind === 'ratio'
      ? found && typeof found === 'object' && typeof found.numerator === 'number' && typeof found.denominator === 'number'
      : found && typeof found === 'object' && typeof found.samples === 'number';
    if (!found || !parts) throw new Error(`not a bench:quality report: overall.${figure} is not a ${kind === 'ratio' ? 'ratio' : 'measured figure'}`);
    const max = thresholds[threshold];
    const value = typeof found.value === 'number' && Number.isFinite(found.value) ? found.value : undefined;
    const over = kind === 'ratio' ? `${found.numerator}/${found.denominator}` : `${found.samples} samples`;
    const shown = value === undefined ? 'not measured' : kind === 'ratio' ? value.toFixed(3) : `${Number(value.toPrecision(6))}${unit}`;
    check(value !== undefined && value <= max, `${figure} ${shown} (${over}), at most ${max}${unit} (${threshold})`);
  }
  return { passed, lines };
}
