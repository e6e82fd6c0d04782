import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleHandler } from '../../../../building-blocks/custom-resources/inline-handler';

const LIB = path.join(__dirname, '..', '..', '..', '..', 'workloads', 'support-chat', 'language', 'handlers', 'lib');

describe('the language capability bundled as the handlers are (esbuild, minified CommonJS)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'language-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('runs in a plain Node.js process: tinyld\'s models and the ICU word segmentation come along', () => {
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(entry, [
      `export { detectLanguage } from ${JSON.stringify(path.join(LIB, 'detect-language'))};`,
      `export { tenantMessage } from ${JSON.stringify(path.join(LIB, 'tenant-messages'))};`,
      `export { findEscalationTrigger } from ${JSON.stringify(path.join(LIB, 'escalation-triggers'))};`,
    ].join('\n'));
    const bundle = path.join(dir, 'index.js');
    writeFileSync(bundle, bundleHandler(entry));
    const script = `const l = require(${JSON.stringify(bundle)}); console.log(JSON.stringify([`
      + 'l.detectLanguage("wo ist meine Bestellung"), l.detectLanguage("我的订单在哪里"), l.detectLanguage("ok", { previous: "es-MX" }),'
      + 'l.findEscalationTrigger("我要转人工客服"), l.findEscalationTrigger("I have an issue"), l.tenantMessage("input_too_long", "fr", { max: 2000 })]))';
    const results = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(results).toEqual([
      { language: 'de', source: 'detector' },
      { language: 'zh', source: 'script' },
      { language: 'es', source: 'previous' },
      { reason: 'human_requested', language: 'zh', phrase: '转人工' },
      null,
      'Les messages sont limités à 2000 caractères\u00a0; veuillez raccourcir le vôtre.',
    ]);
  });
});
