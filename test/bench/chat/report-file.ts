import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './children';
import type { Report } from './report';

const OUT = path.join(ROOT, 'bench-out');

/** Writes the report to bench-out/chat.json and says so. */
export function writeReport(report: Report): void {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'chat.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
}
