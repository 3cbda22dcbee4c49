// Turns the CGM readings a client fetched (newest first, with timestamps) into the model's 5-min grid:
// now, 5 min ago, ..., 60 min ago. CGMs miss readings (signal loss, warm-up); short gaps are filled by
// linear interpolation, long ones refuse the forecast rather than invent an hour of glucose. Training
// on real traces (create-real-forecast-examples.ts) aligns through the same code, so the model learns
// on exactly the inputs the product feeds it.
import { HISTORY_READINGS, READING_INTERVAL_MIN } from "./features";

/** A reading more than this far from a grid point does not count for it. */
export const SNAP_TOLERANCE_MIN = 2.5;
/** Gaps up to 15 min (two missed readings) are interpolated; longer ones are not. */
export const MAX_GAP_MIN = 15;
/** A forecast from a last reading older than this would be a forecast of the past. */
export const MAX_LATEST_READING_AGE_MIN = 10;

export type TTimedReading = { measuredAt: string; glucoseMgDl: number };
export type TReadingPoint = { atMs: number; mgDl: number };

export function alignReadingsToGrid(options: { readings: readonly TTimedReading[]; nowMs: number }): { readingsMgDl: number[]; latestAt: string } | { error: string } {
  const points = options.readings
    .map((reading) => ({ atMs: Date.parse(reading.measuredAt), mgDl: reading.glucoseMgDl }))
    .filter((point) => Number.isFinite(point.atMs))
    .sort((a, b) => b.atMs - a.atMs);
  const aligned = alignPointsToGrid({ points, nowMs: options.nowMs });
  if ("error" in aligned) return aligned;
  return { readingsMgDl: aligned.readingsMgDl, latestAt: new Date(aligned.latestAtMs).toISOString() };
}

/** The grid from readings already sorted newest first (alignReadingsToGrid without the parsing). */
export function alignPointsToGrid(options: { points: readonly TReadingPoint[]; nowMs: number }): { readingsMgDl: number[]; latestAtMs: number } | { error: string } {
  const { points } = options;
  const latest = points[0];
  if (!latest) return { error: "no CGM readings in the last hour" };
  if (options.nowMs - latest.atMs > MAX_LATEST_READING_AGE_MIN * 60_000) return { error: `the latest CGM reading is more than ${MAX_LATEST_READING_AGE_MIN} min old` };
  const grid: (number | null)[] = [];
  for (let step = 0; step < HISTORY_READINGS; step += 1) {
    const targetMs = latest.atMs - step * READING_INTERVAL_MIN * 60_000;
    let best: { mgDl: number; distance: number } | null = null;
    for (const point of points) {
      const distance = Math.abs(point.atMs - targetMs);
      if (distance <= SNAP_TOLERANCE_MIN * 60_000 && (!best || distance < best.distance)) best = { mgDl: point.mgDl, distance };
    }
    grid.push(best ? best.mgDl : null);
  }
  if (grid[HISTORY_READINGS - 1] === null) return { error: "less than an hour of CGM history" };
  for (let step = 1; step < HISTORY_READINGS - 1; step += 1) {
    if (grid[step] !== null) continue;
    const before = step - 1;
    let after = step + 1;
    while (grid[after] === null) after += 1;
    if ((after - before) * READING_INTERVAL_MIN > MAX_GAP_MIN) return { error: `a gap of more than ${MAX_GAP_MIN} min in the CGM history` };
    const from = grid[before] as number;
    const to = grid[after] as number;
    grid[step] = from + ((to - from) * (step - before)) / (after - before);
  }
  return { readingsMgDl: grid as number[], latestAtMs: latest.atMs };
}
