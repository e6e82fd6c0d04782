/*
 * Statistics of the bench: percentiles, intervals (union, overlap), counts, and chat against baseline.
 */

export interface Dist {
  readonly n: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Nearest-rank percentiles. */
export function dist(values: readonly number[]): Dist {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  return { n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[n - 1], mean: sorted.reduce((a, b) => a + b, 0) / n };
}

/** The total length of the union of intervals. */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      start = a;
      end = b;
    } else {
      end = Math.max(end, b);
    }
  }
  if (end > start) total += end - start;
  return total;
}

/** The most intervals open at the same time. */
export function peakConcurrency(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([a, b]): [number, number][] => [[a, 1], [b, -1]]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let peak = 0;
  for (const [, step] of events) {
    open += step;
    peak = Math.max(peak, open);
  }
  return peak;
}

export const clip = (lo: number, hi: number) => ([a, b]: readonly [number, number]): [number, number] => [Math.max(lo, a), Math.min(hi, b)];

export const defined = (values: readonly (number | undefined)[]) => values.filter((v): v is number => v !== undefined);

/** How often each key occurs, the most frequent first. */
export const countsOf = (keys: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
};

/** chat / baseline at p50, p95, p99. */
export function ratios(chat: Dist, base: Dist) {
  const r = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  return { p50: r(chat.p50, base.p50), p95: r(chat.p95, base.p95), p99: r(chat.p99, base.p99) };
}

/** chat − baseline at p50, p95, p99. */
export function differences(chat: Dist, base: Dist) {
  const d = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  return { p50: d(chat.p50, base.p50), p95: d(chat.p95, base.p95), p99: d(chat.p99, base.p99) };
}
