import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CORPUS_DIR, type GoldenQuestion, loadGoldenSet } from './quality/golden-questions';
import { figures, formatRatio, type QualityFigures, type QuestionOutcome } from './quality/metrics';
import { knowledgeClientConfig, startKnowledgeEmulator } from '../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { BedrockEmulator, emulatorClientConfig } from '../../emulators/bedrock-runtime/bedrock-emulator';
import { buildClassifierRequest, classifyResponse } from '../../workloads/support-chat/chat/handlers/lib/router';
import { decide } from '../../workloads/support-chat/handoff/handlers/lib/decide';
import { BedrockKnowledgeSource, DEFAULT_RELEVANCE_FLOOR } from '../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import { findEscalationTrigger } from '../../workloads/support-chat/language/handlers/lib/escalation-triggers';
import { SUPPORTED_LANGUAGES } from '../../workloads/support-chat/language/handlers/lib/languages';
import { withLocalClassifier } from '../../workloads/support-chat/local/local-classifier';

/*
 * `npx projen bench:quality [-- --knowledge-base-id ID --region R --document-key-prefix P --rerank-model-arn ARN
 *   --relevance-floor F --classifier-model-id ID --guardrail-id ID --guardrail-version N --out DIR]`
 *
 * Runs the golden set (`quality/golden-set.json`, 56 questions in five languages) through the tenant's own code: the
 * knowledge source (`BedrockKnowledgeSource`: Retrieve with the language filter, 5 results, the relevance floor), the
 * router's classifier request and parser, `findEscalationTrigger` and the hand-off decision (`decide`, with the config's
 * default thresholds, a standard-tier customer, no earlier turns). Prints retrieval precision@5, recall@5 and hit@1 over
 * the questions the corpus answers, routing accuracy, escalation precision/recall of the trigger and of the decision, and
 * refusal correctness over the questions that stay with the assistant; per language and overall; then every question a
 * figure missed. Writes bench-out/quality-<emulators|bedrock>.{txt,json}.
 *
 * Without `--knowledge-base-id` it runs on the emulators: the knowledge-base emulator over the example corpus (LEXICAL
 * BM25, not Bedrock's semantic ranking) and the Bedrock emulator answering the classifier with the local harness's keyword
 * script. That is a plumbing check of our code on emulators, not answer quality (ADR 21). With `--knowledge-base-id` (and
 * AWS credentials from the environment) the same questions go to that knowledge base in `--region`; the classifier goes
 * to real Bedrock too when `--classifier-model-id` and the guardrail are given (BR-GR-1 requires one), else it stays the
 * scripted one and the output says so.
 */

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    'knowledge-base-id': { type: 'string' },
    'region': { type: 'string' },
    'document-key-prefix': { type: 'string', default: '' },
    'rerank-model-arn': { type: 'string' },
    'relevance-floor': { type: 'string' },
    'classifier-model-id': { type: 'string' },
    'guardrail-id': { type: 'string' },
    'guardrail-version': { type: 'string' },
    'out': { type: 'string', default: 'bench-out' },
  },
  strict: true,
});

const LOCAL_GUARDRAIL = { identifier: 'local-guardrail', version: '1' };
const LOCAL_CLASSIFIER_MODEL = 'eu.amazon.nova-micro-v1:0';
/** The config's defaults (`workloads.supportChat.handOff`). */
const HAND_OFF_POLICY = { unresolvedTurns: 6, refundApprovalThreshold: 200 };

async function main(): Promise<number> {
  const real = args['knowledge-base-id'] !== undefined;
  const realClassifier = args['classifier-model-id'] !== undefined;
  if (realClassifier && (!args['guardrail-id'] || !args['guardrail-version'])) throw new Error('--classifier-model-id needs --guardrail-id and --guardrail-version');
  if (realClassifier && !real) throw new Error('--classifier-model-id is for a run against real Bedrock: give --knowledge-base-id too');
  const relevanceFloor = args['relevance-floor'] === undefined ? DEFAULT_RELEVANCE_FLOOR : Number(args['relevance-floor']);
  if (!Number.isFinite(relevanceFloor) || relevanceFloor < 0) throw new Error(`--relevance-floor must be a number of at least 0, not ${args['relevance-floor']}`);
  const region = args.region ?? process.env.AWS_REGION ?? 'eu-central-1';
  const stops: (() => Promise<void> | void)[] = [];
  try {
    let knowledgeClient: BedrockAgentRuntimeClient;
    let knowledgeBaseId: string;
    let documentKeyPrefix = args['document-key-prefix'];
    if (real) {
      knowledgeClient = new BedrockAgentRuntimeClient({ region });
      knowledgeBaseId = args['knowledge-base-id']!;
      // One clear answer before 56 failed questions: a run against Bedrock needs credentials from the environment.
      await knowledgeClient.config.credentials().catch((error: unknown) => {
        throw new Error(`--knowledge-base-id runs against Bedrock and needs AWS credentials: ${(error as Error).message}`);
      });
    } else {
      const kb = await startKnowledgeEmulator({ corpusDir: CORPUS_DIR });
      stops.push(() => kb.stop());
      knowledgeClient = new BedrockAgentRuntimeClient({ ...knowledgeClientConfig(kb.endpoint, region), maxAttempts: 1 });
      knowledgeBaseId = kb.knowledgeBaseId;
      documentKeyPrefix = '';
    }
    stops.push(() => knowledgeClient.destroy());
    let runtime: BedrockRuntimeClient;
    if (realClassifier) {
      runtime = new BedrockRuntimeClient({ region });
    } else {
      const emulator = new BedrockEmulator().script(withLocalClassifier());
      const running = await emulator.start();
      stops.push(() => running.close());
      runtime = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, region), maxAttempts: 1 });
    }
    stops.push(() => runtime.destroy());
    const source = new BedrockKnowledgeSource({
      client: knowledgeClient, knowledgeBaseId, documentKeyPrefix, relevanceFloor, rerankModelArn: args['rerank-model-arn'],
    });
    const classifier = {
      modelId: args['classifier-model-id'] ?? LOCAL_CLASSIFIER_MODEL,
      guardrail: realClassifier ? { identifier: args['guardrail-id']!, version: args['guardrail-version']! } : LOCAL_GUARDRAIL,
    };

    const started = performance.now();
    const outcomes: QuestionOutcome[] = [];
    for (const question of loadGoldenSet()) outcomes.push(await run(question, source, runtime, classifier));
    const seconds = (performance.now() - started) / 1000;

    const label = [
      real ? `against Bedrock: knowledge base ${knowledgeBaseId} in ${region}` : 'plumbing check on emulators (lexical ranking, scripted classifier), not answer quality',
      real ? (realClassifier ? `classifier ${classifier.modelId} on Bedrock with guardrail ${classifier.guardrail.identifier}:${classifier.guardrail.version}` : 'classifier: the scripted one on the Bedrock emulator (no --classifier-model-id)') : '',
    ].filter((l) => l.length > 0);
    const text = report(label, outcomes, relevanceFloor, seconds);
    console.log(text);
    const name = real ? 'quality-bedrock' : 'quality-emulators';
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, `${name}.txt`), `${text}\n`);
    const byLanguage = Object.fromEntries(SUPPORTED_LANGUAGES.map((l) => [l, figures(outcomes.filter((o) => o.question.language === l))]));
    writeFileSync(join(args.out, `${name}.json`), `${JSON.stringify({ label, relevanceFloor, seconds, overall: figures(outcomes), byLanguage, outcomes }, null, 2)}\n`);
    console.log(`\nwritten: ${join(args.out, `${name}.txt`)}, ${join(args.out, `${name}.json`)}`);
    return outcomes.some((o) => o.error) ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

async function run(
  question: GoldenQuestion, source: BedrockKnowledgeSource, runtime: BedrockRuntimeClient,
  classifier: { modelId: string; guardrail: { identifier: string; version: string } },
): Promise<QuestionOutcome> {
  const triggered = findEscalationTrigger(question.question) !== undefined;
  const response = await runtime.send(new ConverseCommand(buildClassifierRequest(question.question, classifier)));
  const label = classifyResponse(response).label;
  let retrieved: string[] = [];
  let topScore: number | undefined;
  let supported = false;
  let error: string | undefined;
  try {
    const retrieval = await source.retrieve(question.question, question.language, { timeoutMs: 10_000 });
    retrieved = [...new Set(retrieval.passages.map((p) => p.citation.documentId))];
    topScore = retrieval.passages[0]?.score;
    supported = retrieval.supported;
  } catch (e) {
    error = (e as Error).message;
  }
  const decision = decide({
    customer: { sub: 'bench-customer', tier: 'standard', language: question.language },
    conversationId: `bench-${question.id}`,
    text: question.question,
    unresolvedTurns: 0,
    unsupported: !supported,
  }, HAND_OFF_POLICY);
  return { question, retrieved, topScore, supported, label, triggered, handedOff: decision.escalate, error };
}

function report(label: readonly string[], outcomes: readonly QuestionOutcome[], relevanceFloor: number, seconds: number): string {
  const lines: string[] = [`bench:quality — ${label.join('; ')}`, `${outcomes.length} questions, relevance floor ${relevanceFloor}, ${seconds.toFixed(1)} s`, ''];
  const rows: [string, QualityFigures][] = [...SUPPORTED_LANGUAGES.map((l): [string, QualityFigures] => [l, figures(outcomes.filter((o) => o.question.language === l))]), ['all', figures(outcomes)]];
  const columns: [string, (f: QualityFigures) => string][] = [
    ['precision@5', (f) => formatRatio(f.precisionAt5)],
    ['recall@5', (f) => formatRatio(f.recallAt5)],
    ['hit@1', (f) => formatRatio(f.hitAt1)],
    ['routing', (f) => formatRatio(f.routingAccuracy)],
    ['trigger P', (f) => formatRatio(f.triggerPrecision)],
    ['trigger R', (f) => formatRatio(f.triggerRecall)],
    ['hand-off P', (f) => formatRatio(f.handOffPrecision)],
    ['hand-off R', (f) => formatRatio(f.handOffRecall)],
    ['refusal ok', (f) => formatRatio(f.refusalCorrect)],
  ];
  const cells = rows.map(([name, f]) => [name, ...columns.map(([, cell]) => cell(f))]);
  const header = ['lang', ...columns.map(([name]) => name)];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(line(header), ...cells.map(line));
  const all = figures(outcomes);
  lines.push('', `refusals (questions that stay with the assistant): precision ${formatRatio(all.refusalPrecision)}, recall ${formatRatio(all.refusalRecall)}; retrieval errors: ${all.retrievalErrors}`);
  lines.push('precision@5: expected documents among those retrieved (distinct, at most 5) / retrieved; recall@5: expected retrieved / expected;'
    + ' both averaged over the questions the corpus answers. trigger: findEscalationTrigger; hand-off: decide() with the config defaults.');
  lines.push('', 'missed:');
  for (const o of outcomes) {
    const misses: string[] = [];
    const expected = o.question.expectedDocuments;
    if (expected.length > 0 && !expected.some((d) => o.retrieved.includes(d))) misses.push(`retrieval [${o.retrieved.slice(0, 3).join(', ')}]`);
    if (o.label !== o.question.route) misses.push(`route ${o.label ?? 'unusable'} (golden ${o.question.route})`);
    if (o.handedOff !== o.question.escalate) misses.push(`hand-off ${o.handedOff} (golden ${o.question.escalate})`);
    if (!o.question.escalate && !o.error && !o.supported !== o.question.refusal) misses.push(`refusal ${!o.supported} at top score ${o.topScore?.toFixed(2) ?? 'none'} (golden ${o.question.refusal})`);
    if (o.error) misses.push(`error ${o.error}`);
    if (misses.length > 0) lines.push(`  ${o.question.id} ${JSON.stringify(o.question.question)}: ${misses.join('; ')}`);
  }
  return lines.join('\n');
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
