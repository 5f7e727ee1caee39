// Small statistics and formatting helpers for the bench: medians and percentiles, timing loops, the printed table.

/** The p-th percentile (0 to 100) by linear interpolation between the nearest ranks; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (rank - low);
}

/** The median (mean of the middle two for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** A ratio's median with its 10th and 90th percentiles: how much the machine moved it. */
export interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

/** The spread of a list of ratios, each rounded to three decimals (the figures printed and judged). */
export function spread(values: readonly number[]): Spread {
  return { median: round(median(values), 3), p10: round(percentile(values, 10), 3), p90: round(percentile(values, 90), 3) };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nanoseconds per operation of `n` calls of a synchronous function. */
export function timeSync(n: number, fn: (i: number) => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Nanoseconds per operation of `n` awaited calls, one after another (as a Lambda instance serves them). */
export async function timeAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Renders rows as an aligned plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
