// Small numeric and formatting helpers shared by the benchmarks.

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export type TLatencySummary = { count: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };

/** Collects latencies in a growable typed array (hundreds of thousands of entries stay compact). */
export function createLatencyRecorder() {
  let values = new Float64Array(1 << 16);
  let count = 0;
  return {
    record(ms: number) {
      if (count === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count] = ms;
      count += 1;
    },
    count: () => count,
    /** Summary of the entries recorded since index `from` (for "last 5 s" progress lines). */
    summarize(from = 0): TLatencySummary {
      const slice = values.slice(from, count).sort();
      return {
        count: slice.length,
        p50Ms: percentile(slice, 50),
        p90Ms: percentile(slice, 90),
        p99Ms: percentile(slice, 99),
        maxMs: slice.length ? slice[slice.length - 1]! : Number.NaN,
      };
    },
  };
}

export type TLatencyRecorder = ReturnType<typeof createLatencyRecorder>;

export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-";
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** Two or more columns, left-aligned, for the summary printed at the end. */
export function formatTable(rows: string[][], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join("  ")).join("\n");
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
