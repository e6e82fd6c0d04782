import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tenantReleaseOf } from '../../../config/schema';
import { goldenSetVerdict } from '../../../stacks/pipeline/golden-set-gate';
import { main } from '../../../stacks/pipeline/golden-set-gate-cli';
import { GOLDEN_SET_STEP_SCRIPT } from '../../../stacks/pipeline/golden-set-step';
import { type GoldenQuestion, loadGoldenSet } from '../../bench/quality/golden-questions';
import { figures, type QuestionOutcome } from '../../bench/quality/metrics';
import { exampleConfig } from '../../support/example-config';
import { PROJECT_ROOT } from '../../support/run-app';

/**
 * The golden-set gate of the tenant's stage on reports shaped as `npx projen bench:quality` writes them: the figures
 * come from bench:quality's own `figures` over outcomes of the golden set, so the gate reads what the bench writes.
 */
const thresholds = tenantReleaseOf(exampleConfig()).goldenSet;
const questions = loadGoldenSet();
const BEDROCK_LABEL = [
  'against Bedrock: knowledge base KB12345678 in eu-central-1',
  'classifier eu.anthropic.claude-haiku-4-5-20251001-v1:0 on Bedrock with guardrail arn:aws:bedrock:eu-central-1:318274650913:guardrail/abc:3',
];

/** The outcome the golden set expects for a question: every figure right. */
const golden = (q: GoldenQuestion): QuestionOutcome => ({
  question: q,
  retrieved: [...q.expectedDocuments],
  topScore: 0.9,
  supported: !q.refusal,
  label: q.route,
  triggered: q.escalate,
  handedOff: q.escalate,
  guardrailIntervened: q.guardrail,
  ...(q.refusal ? {} : { firstTokenMs: 900 + q.id.length }),
  costUsd: 0.004,
});

/** A report as bench:quality writes it, its outcomes changed by `change` for the first `count` questions `which` selects. */
interface Changes {
  readonly label?: string[];
  readonly count?: number;
  readonly which?: (q: GoldenQuestion) => boolean;
  readonly change?: (o: QuestionOutcome) => QuestionOutcome;
}

function report(options: Changes = {}) {
  let left = options.count ?? 0;
  const outcomes = questions.map(golden).map((o) => {
    if (left > 0 && (options.which ?? (() => true))(o.question) && options.change) {
      left -= 1;
      return options.change(o);
    }
    return o;
  });
  const written = { label: options.label ?? BEDROCK_LABEL, relevanceFloor: 0.3, seconds: 12.3, overall: figures(outcomes), outcomes };
  return JSON.parse(JSON.stringify(written));
}

/** The most questions `which` selects that can be wrong while `figure` stays at `min` or above, over `total` questions. */
const allowedMisses = (min: number, total: number) => Math.floor(total * (1 - min) + 1e-9);

describe('the golden-set gate (pipeline.tenantRelease.goldenSet)', () => {
  test('a run against Bedrock with every figure right passes', () => {
    const verdict = goldenSetVerdict(report(), thresholds);
    expect(verdict.passed).toBe(true);
    expect(verdict.lines.filter((l) => l.startsWith('pass'))).toHaveLength(13);
    expect(verdict.lines).toEqual(expect.arrayContaining([
      'pass  missedInterventions 0.000 (0/5), at most 0 (maxMissedInterventions)',
      expect.stringMatching(/^pass {2}firstTokenP99Ms 90\d ms \(\d+ samples\), at most 6000 ms \(maxFirstTokenP99Ms\)$/),
      expect.stringMatching(/^pass {2}costPerConversationUsd 0\.004 USD \(61 samples\), at most 0\.02 USD \(maxCostPerConversationUsd\)$/),
    ]));
  });

  test('guardrail: an intervention where the golden set expects none beyond the threshold fails, and so does one missed', () => {
    const notExpected = questions.filter((q) => !q.guardrail).length;
    const allowed = allowedMisses(1 - thresholds.maxUnexpectedInterventions, notExpected);
    const intervene = (o: QuestionOutcome): QuestionOutcome => ({ ...o, guardrailIntervened: true });
    const which = (q: GoldenQuestion) => !q.guardrail;
    expect(goldenSetVerdict(report({ count: allowed, which, change: intervene }), thresholds).passed).toBe(true);
    const failed = goldenSetVerdict(report({ count: allowed + 1, which, change: intervene }), thresholds);
    expect(failed.lines.filter((l) => l.startsWith('FAIL'))).toEqual([
      `FAIL  unexpectedInterventions ${((allowed + 1) / notExpected).toFixed(3)} (${allowed + 1}/${notExpected}), at most 0.05 (maxUnexpectedInterventions)`,
    ]);
    const letThrough = (o: QuestionOutcome): QuestionOutcome => ({ ...o, guardrailIntervened: false });
    const missed = goldenSetVerdict(report({ count: 1, which: (q) => q.guardrail, change: letThrough }), thresholds);
    expect(missed.lines.filter((l) => l.startsWith('FAIL'))).toEqual(['FAIL  missedInterventions 0.200 (1/5), at most 0 (maxMissedInterventions)']);
  });

  test('first-token p99 and cost per conversation above their thresholds fail, expected vs found', () => {
    const slow = goldenSetVerdict(report({ count: 1, which: (q) => !q.refusal, change: (o) => ({ ...o, firstTokenMs: 6_001 }) }), thresholds);
    expect(slow.lines.filter((l) => l.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL {2}firstTokenP99Ms 6001 ms \(\d+ samples\), at most 6000 ms \(maxFirstTokenP99Ms\)$/)]);
    const dear = goldenSetVerdict(report({ count: questions.length, change: (o) => ({ ...o, costUsd: 0.025 }) }), thresholds);
    expect(dear.lines.filter((l) => l.startsWith('FAIL'))).toEqual(['FAIL  costPerConversationUsd 0.025 USD (61 samples), at most 0.02 USD (maxCostPerConversationUsd)']);
  });

  test('no cost (a call without a price, or no pricing), no answer with text, or an answer error fails', () => {
    const unpriced = goldenSetVerdict(report({ count: 1, change: (o) => ({ ...o, costUsd: undefined }) }), thresholds);
    expect(unpriced.lines.filter((l) => l.startsWith('FAIL'))).toEqual(['FAIL  costPerConversationUsd not measured (60 samples), at most 0.02 USD (maxCostPerConversationUsd)']);
    const silent = goldenSetVerdict(report({ count: questions.length, change: (o) => ({ ...o, firstTokenMs: undefined }) }), thresholds);
    expect(silent.lines.filter((l) => l.startsWith('FAIL'))).toEqual(['FAIL  firstTokenP99Ms not measured (0 samples), at most 6000 ms (maxFirstTokenP99Ms)']);
    const errored = goldenSetVerdict(report({ count: 1, change: (o) => ({ ...o, answerError: 'ValidationException: bad request' }) }), thresholds);
    expect(errored.lines.filter((l) => l.startsWith('FAIL'))).toEqual(['FAIL  answer errors: 1']);
  });

  test('routing accuracy: at the threshold passes, one question more misrouted fails', () => {
    // Routed: the questions the guardrail should not block (a blocked classifier call has no label).
    const routed = (q: GoldenQuestion) => !q.guardrail;
    const allowed = allowedMisses(thresholds.minRoutingAccuracy, questions.filter(routed).length);
    const misroute = (o: QuestionOutcome): QuestionOutcome => ({ ...o, label: o.question.route === 'other' ? 'faq' : 'other' });
    expect(goldenSetVerdict(report({ count: allowed, which: routed, change: misroute }), thresholds).passed).toBe(true);
    const failed = goldenSetVerdict(report({ count: allowed + 1, which: routed, change: misroute }), thresholds);
    expect(failed.passed).toBe(false);
    expect(failed.lines.filter((l) => l.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL {2}routingAccuracy .* at least 0\.8 \(minRoutingAccuracy\)$/)]);
  });

  test('hand-off recall: a missed hand-off beyond the threshold fails', () => {
    const escalations = questions.filter((q) => q.escalate).length;
    const allowed = allowedMisses(thresholds.minHandOffRecall, escalations);
    const missed = report({ count: allowed + 1, which: (q) => q.escalate, change: (o) => ({ ...o, handedOff: false }) });
    const failed = goldenSetVerdict(missed, thresholds);
    expect(failed.lines.filter((l) => l.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL {2}handOffRecall /)]);
  });

  test('retrieval: recall@5 and hit@1 below their thresholds fail', () => {
    const answerable = questions.filter((q) => q.expectedDocuments.length > 0);
    const unrelated = (o: QuestionOutcome): QuestionOutcome => ({ ...o, retrieved: ['faq/unrelated.md'] });
    const failed = goldenSetVerdict(report({ count: answerable.length, which: (q) => q.expectedDocuments.length > 0, change: unrelated }),
      thresholds);
    expect(failed.lines.filter((l) => l.startsWith('FAIL')).map((l) => l.split(' ')[2])).toEqual(['recallAt5', 'hitAt1']);
  });

  test('a retrieval error fails, whatever the figures', () => {
    const failed = goldenSetVerdict(report({ count: 1, change: (o) => ({ ...o, error: 'ThrottlingException: Rate exceeded' }) }), thresholds);
    expect(failed.passed).toBe(false);
    expect(failed.lines).toContain('FAIL  retrieval errors: 1');
  });

  test('a run on the emulators, or with the scripted classifier, is not a release gate', () => {
    const emulators = goldenSetVerdict(report({ label: ['plumbing check on emulators (lexical ranking, scripted classifier), not answer quality'] }), thresholds);
    expect(emulators.passed).toBe(false);
    const scripted = goldenSetVerdict(report({ label: [BEDROCK_LABEL[0], 'classifier: the scripted one on the Bedrock emulator (no --classifier-model-id)'] }), thresholds);
    expect(scripted.lines.filter((l) => l.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL {2}classifier on Bedrock with the guardrail/)]);
  });

  test('a figure over no questions is not measured, and fails', () => {
    const r = report();
    r.overall.handOffRecall = { numerator: 0, denominator: 0 };
    expect(goldenSetVerdict(r, thresholds).lines).toContain('FAIL  handOffRecall not measured (0/0), at least 0.9 (minHandOffRecall)');
  });

  test.each([
    ['null', null],
    ['no label', { overall: {} }],
    ['no retrievalErrors', { label: BEDROCK_LABEL, overall: {} }],
    ['no answer figures (a report of an older bench:quality)', { label: BEDROCK_LABEL, overall: { ...report().overall, firstTokenP99Ms: undefined } }],
  ])('a document that is not a report throws: %s', (_, document) => {
    expect(() => goldenSetVerdict(document, thresholds)).toThrow(/not a bench:quality report/);
  });

  describe('the command', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-set-gate-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const run = (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = main(argv, {}, (l) => out.push(l), (l) => err.push(l));
      return { code, out, err };
    };

    test('exit 0 on a passing report, 1 on a failing one, with the example config\'s thresholds', () => {
      expect(run(['--report', write('pass.json', JSON.stringify(report()))])).toMatchObject({ code: 0, out: expect.arrayContaining(['golden set: passed']) });
      const failing = write('fail.json', JSON.stringify(report({ count: questions.length, change: (o) => ({ ...o, label: undefined }) })));
      expect(run(['--report', failing])).toMatchObject({ code: 1, out: expect.arrayContaining(['golden set: FAILED, the tenant is not released']) });
    });

    test('exit 2 without --report, with an unknown option, an unreadable or malformed report', () => {
      expect(run([]).code).toBe(2);
      expect(run(['--report', 'x.json', '--verbose']).code).toBe(2);
      expect(run(['--report', path.join(dir, 'missing.json')])).toMatchObject({ code: 2, err: [expect.stringMatching(/^golden-set gate: ENOENT/)] });
      expect(run(['--report', write('broken.json', '{"label": [')]).code).toBe(2);
    });

    test('the step\'s script (build-tools/pipeline/golden-set-step.sh): its gate phase exits 0 on a pass, 1 on a missed threshold, 2 on a malformed report', () => {
      const dear = write('step-dear.json', JSON.stringify(report({ count: questions.length, change: (o) => ({ ...o, costUsd: 0.03 }) })));
      const reports = [write('step-pass.json', JSON.stringify(report())), dear, write('step-broken.json', '{"overall": {}}')];
      const script = path.join(PROJECT_ROOT, GOLDEN_SET_STEP_SCRIPT);
      // One shell for the three, side by side: each phase is one ts-node process (about 1.5 s of CPU).
      const shell = [
        `bash ${script} gate; echo "usage $?"`,
        ...reports.map((r, i) => `bash ${script} gate ${r} > ${r}.out 2>&1 & p${i}=$!`),
        ...reports.map((r, i) => `wait $p${i}; echo "exit $?"; cat ${r}.out`),
      ].join('\n');
      const { GOVERNANCE_CONFIG: _, ...env } = process.env;
      const result = spawnSync('bash', ['-c', shell], { encoding: 'utf8', env });
      expect(result.stdout.split('\n').filter((l) => /^(usage|exit) \d$/.test(l))).toEqual(['usage 2', 'exit 0', 'exit 1', 'exit 2']);
      expect(result.stdout).toContain('FAIL  costPerConversationUsd 0.03 USD (61 samples), at most 0.02 USD (maxCostPerConversationUsd)');
      expect(result.stdout).toMatch(/golden-set gate: not a bench:quality report/);
    });
  });
});
