import type { GoldenQuestion } from './quality/golden-questions';
import { figures, formatRatio, percentile, type QuestionOutcome } from './quality/metrics';

/* The figures `bench:quality` prints, on hand-made outcomes. */

function outcome(question: Partial<GoldenQuestion>, result: Partial<QuestionOutcome>): QuestionOutcome {
  const q: GoldenQuestion = { id: 'en-01', language: 'en', question: 'q', expectedDocuments: [], route: 'faq', escalate: false, refusal: false, guardrail: false, ...question };
  return { question: q, retrieved: [], supported: true, label: 'faq', triggered: false, handedOff: false, ...result };
}

test('precision@5 over the documents retrieved, recall@5 over the expected ones, averaged over answerable questions only', () => {
  const f = figures([
    outcome({ expectedDocuments: ['a.en.md', 'b.en.md'] }, { retrieved: ['a.en.md', 'x.en.md', 'y.en.md', 'z.en.md'] }),
    outcome({ expectedDocuments: ['c.en.md'] }, { retrieved: ['x.en.md', 'c.en.md'] }),
    outcome({ refusal: true }, { retrieved: ['x.en.md'], supported: false }),
  ]);
  expect(f.precisionAt5.value).toBeCloseTo((1 / 4 + 1 / 2) / 2);
  expect(f.recallAt5.value).toBeCloseTo((1 / 2 + 1) / 2);
  expect(f.hitAt1).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.refusalCorrect).toMatchObject({ numerator: 3, denominator: 3 });
});

test('escalation precision and recall; refusals counted only for questions that stay with the assistant', () => {
  const f = figures([
    outcome({ escalate: true }, { triggered: true, handedOff: true, supported: false }),
    outcome({ escalate: true }, { triggered: false, handedOff: false }),
    outcome({}, { triggered: true, handedOff: true }),
    outcome({ refusal: true }, { supported: true }),
    outcome({ route: 'policy' }, { label: undefined, error: 'Retrieve failed: ThrottlingException' }),
  ]);
  expect(f.triggerPrecision).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.triggerRecall).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.refusalCorrect).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.refusalRecall).toMatchObject({ numerator: 0, denominator: 1 });
  expect(f.routingAccuracy).toMatchObject({ numerator: 4, denominator: 5 });
  expect(f.retrievalErrors).toBe(1);
  expect(formatRatio(f.triggerPrecision)).toBe('0.50 (1/2)');
  expect(formatRatio(figures([]).routingAccuracy)).toBe('n/a (0/0)');
});

test('guardrail interventions against the golden set, first-token p99 by nearest rank, the mean cost only when every question has one', () => {
  const f = figures([
    outcome({ guardrail: true }, { guardrailIntervened: true, label: undefined, costUsd: 0.001 }),
    outcome({ guardrail: true }, { guardrailIntervened: false, costUsd: 0.002 }),
    outcome({}, { guardrailIntervened: true, firstTokenMs: 300, costUsd: 0.003 }),
    outcome({}, { firstTokenMs: 100, costUsd: 0.006 }),
  ]);
  expect(f.missedInterventions).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.unexpectedInterventions).toMatchObject({ numerator: 1, denominator: 2 });
  expect(f.routingAccuracy).toMatchObject({ numerator: 2, denominator: 2 });
  expect(f.firstTokenP99Ms).toEqual({ value: 300, samples: 2 });
  expect(f.costPerConversationUsd.value).toBeCloseTo(0.003);
  expect(f.costPerConversationUsd.maxUsd).toBe(0.006);
  const unpriced = figures([outcome({}, { costUsd: 0.001 }), outcome({}, {})]);
  expect(unpriced.costPerConversationUsd).toEqual({ value: undefined, maxUsd: undefined, samples: 1 });
  expect(percentile(Array.from({ length: 200 }, (_, i) => i + 1), 99)).toBe(198);
  expect(percentile([], 99)).toBeUndefined();
});
