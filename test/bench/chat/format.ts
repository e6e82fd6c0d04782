import type { Dist } from './stats';

/*
 * How the printed report writes its figures, and its tables of percentiles.
 */

export const ms = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
export const times = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}x`);
export const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);
/** A share of one core (or `?` when the process could not be read). */
export const share = (v: number | undefined) => (v === undefined ? '?' : pct(v, 1));
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const listCounts = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ');
export const met = (g: { met: boolean }) => (g.met ? 'met' : 'NOT met');

export function table(title: string, rows: readonly (readonly [string, Dist, string?])[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  const cell = (v: string) => v.padStart(8);
  console.log(`  ${''.padEnd(width)}  ${'n'.padStart(5)}  ${['p50', 'p95', 'p99', 'max', 'mean'].map(cell).join('  ')}`);
  for (const [label, d, note] of rows) {
    console.log(`  ${label.padEnd(width)}  ${String(d.n).padStart(5)}  ${[d.p50, d.p95, d.p99, d.max, d.mean].map((v) => cell(ms(v))).join('  ')}`
      + `${note ? `  ${note}` : ''}`);
  }
}
