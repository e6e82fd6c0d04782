import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { bundleHandler } from '../../building-blocks/custom-resources/inline-handler';
import { detectLanguage } from '../../workloads/support-chat/language/handlers/lib/detect-language';
import { findEscalationTrigger } from '../../workloads/support-chat/language/handlers/lib/escalation-triggers';
import { SUPPORTED_LANGUAGES } from '../../workloads/support-chat/language/handlers/lib/languages';
import { LABELLED_MESSAGES } from '../workloads/support-chat/language/labelled-messages';

/**
 * `npx ts-node --transpile-only -P tsconfig.json test/bench/language.ts`: the support-chat language capability on the
 * labelled messages (test/workloads/support-chat/language/labelled-messages.ts): per language, how many are found from
 * the text, left to the fallback or placed in a wrong language; milliseconds per detection and per escalation check
 * (warm, in this process); the model's cold load in a fresh Node.js process; and the bytes the capability adds to the
 * turn's bundle (the same esbuild recipe as the handlers: minified CommonJS, the AWS SDK external). Exits 1 when a
 * message is placed in a wrong language.
 */

const LIB = path.join(__dirname, '..', '..', 'workloads', 'support-chat', 'language', 'handlers', 'lib');
const TURN = path.join(__dirname, '..', '..', 'workloads', 'support-chat', 'chat', 'handlers', 'turn.ts');
const ROUNDS = 50;

function accuracy(): number {
  let wrongTotal = 0;
  console.log('language  messages  found  fallback  wrong');
  for (const language of SUPPORTED_LANGUAGES) {
    const results = LABELLED_MESSAGES[language].map((text) => detectLanguage(text));
    const found = results.filter((r) => r.language === language && (r.source === 'detector' || r.source === 'script')).length;
    const fallback = results.filter((r) => r.source === 'previous' || r.source === 'default').length;
    const wrong = results.length - found - fallback;
    wrongTotal += wrong;
    console.log(`${language.padEnd(10)}${String(results.length).padStart(8)}${String(found).padStart(7)}${String(fallback).padStart(10)}${String(wrong).padStart(7)}`
      + `   ${(100 * found / results.length).toFixed(1)} %`);
  }
  return wrongTotal;
}

function perCall(name: string, call: (text: string) => unknown): void {
  const messages = SUPPORTED_LANGUAGES.flatMap((l) => LABELLED_MESSAGES[l]);
  for (const m of messages) call(m);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of messages) {
      const start = performance.now();
      call(m);
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`${name}: mean ${mean.toFixed(3)} ms, p50 ${times[Math.floor(times.length / 2)].toFixed(3)} ms, `
    + `p99 ${times[Math.floor(times.length * 0.99)].toFixed(3)} ms over ${times.length} calls`);
}

function bundles(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'language-bench-'));
  try {
    const api = path.join(dir, 'language-api.ts');
    const imports = [
      `export { detectLanguage } from ${JSON.stringify(path.join(LIB, 'detect-language'))};`,
      `export { tenantMessage } from ${JSON.stringify(path.join(LIB, 'tenant-messages'))};`,
      `export { findEscalationTrigger } from ${JSON.stringify(path.join(LIB, 'escalation-triggers'))};`,
    ];
    writeFileSync(api, imports.join('\n'));
    const withTurn = path.join(dir, 'turn-with-language.ts');
    writeFileSync(withTurn, [`export * from ${JSON.stringify(TURN.replace(/\.ts$/, ''))};`, ...imports].join('\n'));
    const size = (code: string) => `${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB (${(gzipSync(code).length / 1024).toFixed(1)} KiB gzip)`;
    const turn = bundleHandler(TURN);
    const both = bundleHandler(withTurn);
    const alone = bundleHandler(api);
    console.log(`turn bundle today: ${size(turn)}; with the language capability: ${size(both)}; `
      + `added ${((Buffer.byteLength(both) - Buffer.byteLength(turn)) / 1024).toFixed(1)} KiB`);
    console.log(`language capability alone: ${size(alone)}`);
    const bundleFile = path.join(dir, 'language.js');
    writeFileSync(bundleFile, alone);
    const script = `const t0=performance.now();const l=require(${JSON.stringify(bundleFile)});const t1=performance.now();`
      + 'l.detectLanguage("where is my order");const t2=performance.now();l.findEscalationTrigger("talk to a human");const t3=performance.now();'
      + 'console.log(JSON.stringify([t1-t0,t2-t1,t3-t2]))';
    const runs = [1, 2, 3].map(() => JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as number[]);
    const median = (i: number) => runs.map((r) => r[i]).sort((a, b) => a - b)[1].toFixed(1);
    console.log(`cold start in a fresh process (median of 3): load ${median(0)} ms, first detection ${median(1)} ms, first escalation check ${median(2)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const wrong = accuracy();
perCall('detectLanguage', (text) => detectLanguage(text));
perCall('findEscalationTrigger', (text) => findEscalationTrigger(text));
bundles();
if (wrong > 0) {
  console.error(`${wrong} message(s) placed in a wrong language`);
  process.exitCode = 1;
}
