import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { answerQuestion, type AnswerContext, guardrailStandIn } from './quality/answer';
import { CORPUS_DIR, type GoldenQuestion, loadGoldenSet } from './quality/golden-questions';
import { figures, formatMeasured, formatRatio, type QualityFigures, type QuestionOutcome } from './quality/metrics';
import { loadConfigFile, resolveConfigFile } from '../../config/load';
import { knowledgeClientConfig, startKnowledgeEmulator } from '../../emulators/bedrock-agent-runtime/knowledge-emulator';
import { BedrockEmulator, emulatorClientConfig } from '../../emulators/bedrock-runtime/bedrock-emulator';
import { defaultChatSettings } from '../../workloads/support-chat/chat/handlers/lib/chat-settings';
import { buildClassifierRequest, classifyResponse } from '../../workloads/support-chat/chat/handlers/lib/router';
import { tenantCostPrices } from '../../workloads/support-chat/cost/cost-prices';
import { decide } from '../../workloads/support-chat/handoff/handlers/lib/decide';
import { BedrockKnowledgeSource, DEFAULT_RELEVANCE_FLOOR } from '../../workloads/support-chat/knowledge/handlers/lib/bedrock-knowledge-source';
import { findEscalationTrigger } from '../../workloads/support-chat/language/handlers/lib/escalation-triggers';
import { SUPPORTED_LANGUAGES } from '../../workloads/support-chat/language/handlers/lib/languages';
import { withLocalClassifier } from '../../workloads/support-chat/local/local-classifier';
import { tenantModels } from '../../workloads/support-chat/tenant/tenant-models';

/*
 * `npx projen bench:quality [-- --knowledge-base-id ID --region R --document-key-prefix P --rerank-model-arn ARN
 *   --relevance-floor F --classifier-model-id ID --guardrail-id ID --guardrail-version N --config FILE --out DIR]`
 *
 * Runs the golden set (`quality/golden-set.json`, 61 questions in five languages) through the tenant's own code: the
 * knowledge source (`BedrockKnowledgeSource`: Retrieve with the language filter, 5 results, the relevance floor), the
 * router's classifier request and parser, `findEscalationTrigger` and the hand-off decision (`decide`, with the config's
 * default thresholds, a standard-tier customer, no earlier turns). Prints retrieval precision@5, recall@5 and hit@1 over
 * the questions the corpus answers, routing accuracy, escalation precision/recall of the trigger and of the decision, and
 * refusal correctness over the questions that stay with the assistant; per language and overall; then every question a
 * figure missed. Each question the knowledge base supports is then answered as the turn answers it (`quality/answer.ts`:
 * the tenant's `streamAnswer` on the config's fast or capable profile, grounded, with the guardrail), for the guardrail's
 * interventions against the golden set's (unexpected and missed), the p99 time to the answer's first text and the cost
 * of each one-question conversation at the config's `workloads.supportChat.pricing` (`--config`, else GOVERNANCE_CONFIG,
 * else the example). Writes bench-out/quality-<emulators|bedrock>.{txt,json}.
 *
 * Without `--knowledge-base-id` it runs on the emulators: the knowledge-base emulator over the example corpus (LEXICAL
 * BM25, not Bedrock's semantic ranking) and the Bedrock emulator answering the classifier with the local harness's keyword
 * script, the answers with its default text and the guardrail with a keyword stand-in for the denied topic. That is a
 * plumbing check of our code on emulators, not answer quality (ADR 21). With `--knowledge-base-id` (and AWS credentials
 * from the environment) the same questions go to that knowledge base in `--region`; the classifier and the answers go
 * to real Bedrock too when `--classifier-model-id` and the guardrail are given (BR-GR-1 requires one), else they stay
 * on the Bedrock emulator and the output says so.
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
    'config': { type: 'string' },
  },
  strict: true,
});

const LOCAL_GUARDRAIL = { identifier: 'local-guardrail', version: '1' };
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
  // The config the tenant is deployed from: its models (the answer's profiles), its prices (each conversation's cost).
  const config = loadConfigFile(resolveConfigFile(args.config, process.env));
  if (!config.workloads.supportChat) throw new Error('the config has no workloads.supportChat: there is no tenant to evaluate');
  const settings = defaultChatSettings(tenantModels(config, region));
  const prices = tenantCostPrices(config, region);
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
      // Every call carries the guardrail; on the emulator a keyword stand-in plays its denied topic (answer.ts).
      const emulator = new BedrockEmulator().script((request) => ({ ...withLocalClassifier()(request), inputPolicy: guardrailStandIn() }));
      const running = await emulator.start();
      stops.push(() => running.close());
      runtime = new BedrockRuntimeClient({ ...emulatorClientConfig(running.endpoint, region), maxAttempts: 1 });
    }
    stops.push(() => runtime.destroy());
    const source = new BedrockKnowledgeSource({
      client: knowledgeClient, knowledgeBaseId, documentKeyPrefix, relevanceFloor, rerankModelArn: args['rerank-model-arn'],
    });
    const classifier = {
      modelId: args['classifier-model-id'] ?? settings.models.classifier,
      guardrail: realClassifier ? { identifier: args['guardrail-id']!, version: args['guardrail-version']! } : LOCAL_GUARDRAIL,
    };
    const answers: AnswerContext = { runtime, guardrail: classifier.guardrail, settings, prices };

    const started = performance.now();
    const outcomes: QuestionOutcome[] = [];
    for (const question of loadGoldenSet()) outcomes.push(await run(question, source, runtime, classifier, answers));
    const seconds = (performance.now() - started) / 1000;

    const label = [
      real ? `against Bedrock: knowledge base ${knowledgeBaseId} in ${region}` : 'plumbing check on emulators (lexical ranking, scripted classifier), not answer quality',
      real ? (realClassifier ? `classifier ${classifier.modelId} on Bedrock with guardrail ${classifier.guardrail.identifier}:${classifier.guardrail.version}` : 'classifier: the scripted one on the Bedrock emulator (no --classifier-model-id)') : '',
      realClassifier ? `answers by ${settings.models.fast} and ${settings.models.capable} on Bedrock with the same guardrail` : '',
      prices ? '' : 'no cost: the config has no workloads.supportChat.pricing',
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
  classifier: { modelId: string; guardrail: { identifier: string; version: string } }, answers: AnswerContext,
): Promise<QuestionOutcome> {
  const triggered = findEscalationTrigger(question.question) !== undefined;
  // As the turn does: the classifier and the retrieval side by side, then the answer.
  const started = performance.now();
  const request = buildClassifierRequest(question.question, classifier);
  const [response, retrieval] = await Promise.all([
    runtime.send(new ConverseCommand(request)),
    source.retrieve(question.question, question.language, { timeoutMs: 10_000 })
      .catch((e: unknown) => ({ failed: true as const, message: (e as Error).message })),
  ]);
  const label = classifyResponse(response).label;
  const failed = 'failed' in retrieval;
  const retrieved = failed ? [] : [...new Set(retrieval.passages.map((p) => p.citation.documentId))];
  const topScore = failed ? undefined : retrieval.passages[0]?.score;
  const supported = failed ? false : retrieval.supported;
  const error = failed ? retrieval.message : undefined;
  const answered = await answerQuestion(question.question, started, { request, response }, retrieval, answers);
  const decision = decide({
    customer: { sub: 'bench-customer', tier: 'standard', language: question.language },
    conversationId: `bench-${question.id}`,
    text: question.question,
    unresolvedTurns: 0,
    unsupported: !supported,
  }, HAND_OFF_POLICY);
  const failure = error === undefined ? {} : { error };
  return { question, retrieved, topScore, supported, label, triggered, handedOff: decision.escalate, ...failure, ...answered };
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
  lines.push(`guardrail: unexpected interventions ${formatRatio(all.unexpectedInterventions)}, missed interventions ${formatRatio(all.missedInterventions)};`
    + ` first token p99 ${formatMeasured(all.firstTokenP99Ms, (v) => `${Math.round(v)} ms`)};`
    + ` cost per conversation ${formatMeasured(all.costPerConversationUsd, (v) => `${v.toFixed(6)} USD`)} (max ${all.costPerConversationUsd.maxUsd?.toFixed(6) ?? 'n/a'} USD); answer errors: ${all.answerErrors}`);
  lines.push('precision@5: expected documents among those retrieved (distinct, at most 5) / retrieved; recall@5: expected retrieved / expected;'
    + ' both averaged over the questions the corpus answers. trigger: findEscalationTrigger; hand-off: decide() with the config defaults.');
  lines.push('', 'missed:');
  for (const o of outcomes) {
    const misses: string[] = [];
    const expected = o.question.expectedDocuments;
    if (expected.length > 0 && !expected.some((d) => o.retrieved.includes(d))) misses.push(`retrieval [${o.retrieved.slice(0, 3).join(', ')}]`);
    if (o.label !== o.question.route && !o.question.guardrail) misses.push(`route ${o.label ?? 'unusable'} (golden ${o.question.route})`);
    if (o.handedOff !== o.question.escalate) misses.push(`hand-off ${o.handedOff} (golden ${o.question.escalate})`);
    if (!o.question.escalate && !o.error && !o.supported !== o.question.refusal) misses.push(`refusal ${!o.supported} at top score ${o.topScore?.toFixed(2) ?? 'none'} (golden ${o.question.refusal})`);
    if (o.error) misses.push(`error ${o.error}`);
    if ((o.guardrailIntervened === true) !== o.question.guardrail) misses.push(`guardrail ${o.guardrailIntervened === true ? 'intervened' : 'let it through'} (golden ${o.question.guardrail})`);
    if (o.answerError) misses.push(`answer error ${o.answerError}`);
    if (misses.length > 0) lines.push(`  ${o.question.id} ${JSON.stringify(o.question.question)}: ${misses.join('; ')}`);
  }
  return lines.join('\n');
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
