import type { TenantRelease } from '../../config/schema';

/** The golden-set figures the gate reads from `bench-out/quality-bedrock.json` (`npx projen bench:quality`), by threshold. */
export const GATED_FIGURES = {
  minRecallAt5: 'recallAt5',
  minHitAt1: 'hitAt1',
  minRoutingAccuracy: 'routingAccuracy',
  minHandOffRecall: 'handOffRecall',
  minRefusalCorrect: 'refusalCorrect',
} as const satisfies Record<keyof TenantRelease['goldenSet'], string>;

/** The gate's verdict: `passed` only when every figure was measured against Bedrock and is at least its threshold. */
export interface GoldenSetVerdict {
  readonly passed: boolean;
  /** One line per check, for the step's log. */
  readonly lines: readonly string[];
}

interface Ratio { readonly value?: number | null; readonly numerator: number; readonly denominator: number }

/**
 * The golden-set gate (docs/adr/0034-tenant-release-by-golden-set-and-canary.md): the report of a bench:quality run
 * against real Bedrock (its label says so, for the knowledge base and for the classifier with the guardrail), without
 * retrieval errors, whose overall figures each reach `pipeline.tenantRelease.goldenSet`. A figure over no questions
 * (`value` null) fails: nothing measured is not a pass. Throws on a document that is not such a report.
 */
export function goldenSetVerdict(report: unknown, thresholds: TenantRelease['goldenSet']): GoldenSetVerdict {
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
  return { passed, lines };
}
