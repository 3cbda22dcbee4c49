// Training and evaluation examples from real CGM traces: at a reading with an hour of usable history
// and a reading 30 min later, the inputs the product would compute (through the same grid alignment as
// the patient's client) and the truth. Real traces have what the simulator lacks: signal loss, sensor
// changes with their warm-up, 15-min devices, duplicate streams.
import type { TCgmReading } from "../datasets/read-cgm-csv";
import { alignPointsToGrid, MAX_GAP_MIN, SNAP_TOLERANCE_MIN, type TReadingPoint } from "./align-readings";
import type { TForecastExample } from "./create-forecast-examples";
import { FORECAST_HORIZON_MIN } from "./features";

/** Readings further apart than the grid alignment can bridge: the product would refuse a forecast across them. */
export const GAP_MIN = MAX_GAP_MIN + SNAP_TOLERANCE_MIN;
/**
 * A gap this long is taken for a sensor change (Dexcom G6 and Libre 2 sessions end with a new sensor;
 * the traces do not say when): the new sensor's first hours read noisily and often low while it
 * equilibrates, and a user would not act on them, so they neither feed nor judge a forecast.
 */
export const NEW_SENSOR_GAP_MIN = 120;
export const SENSOR_WARM_UP_MIN = 120;
/** The history the client fetches (get-recent-glucose-readings' default window). */
export const FETCHED_HISTORY_MIN = 70;
/**
 * At most one forecast per ~5 min of trace: some traces hold two merged streams 2-3 min apart or Libre
 * scans every minute, and an example at each would weigh those stretches double.
 */
export const MIN_EXAMPLE_SPACING_MIN = 4;

export type TRealForecastExample = TForecastExample & { atMs: number; targetAtMs: number };

const MINUTE_MS = 60_000;
// Real traces carry no meal, insulin or exercise logs (the Glucose-ML extraction is glucose only), so
// the event lists stay empty and these settings, which only scale events, do not matter.
const NO_EVENTS = { carbRatioGPerU: 10, correctionFactorMgDlPerU: 50 };

/**
 * The stretches of a sorted trace a forecast may use: split at every gap the product cannot bridge,
 * and without the first 2 h after a gap long enough to be a new sensor (or the start of the trace,
 * which may be one).
 */
export function splitIntoUsableRuns(readings: readonly TCgmReading[]): TCgmReading[][] {
  const runs: TCgmReading[][] = [];
  let sessionStartMs = Number.NEGATIVE_INFINITY;
  let run: TCgmReading[] = [];
  let previousMs = Number.NEGATIVE_INFINITY;
  for (const reading of readings) {
    const gapMs = reading.measuredAtMs - previousMs;
    if (gapMs > NEW_SENSOR_GAP_MIN * MINUTE_MS) sessionStartMs = reading.measuredAtMs;
    previousMs = reading.measuredAtMs;
    if (gapMs > GAP_MIN * MINUTE_MS && run.length > 0) {
      runs.push(run);
      run = [];
    }
    if (reading.measuredAtMs < sessionStartMs + SENSOR_WARM_UP_MIN * MINUTE_MS) continue;
    const last = run[run.length - 1];
    // Warm-up readings are skipped, so the first usable one may follow the previous run after a gap.
    if (last && reading.measuredAtMs - last.measuredAtMs > GAP_MIN * MINUTE_MS) {
      runs.push(run);
      run = [];
    }
    run.push(reading);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Examples from one subject's sorted, de-duplicated trace (readCgmCsv's output). */
export function createRealForecastExamples(options: { readings: readonly TCgmReading[] }): TRealForecastExample[] {
  const examples: TRealForecastExample[] = [];
  const horizonMs = FORECAST_HORIZON_MIN * MINUTE_MS;
  const toleranceMs = SNAP_TOLERANCE_MIN * MINUTE_MS;
  for (const run of splitIntoUsableRuns(options.readings)) {
    let firstInWindow = 0;
    let target = 0;
    let lastExampleMs = Number.NEGATIVE_INFINITY;
    for (let now = 0; now < run.length; now += 1) {
      const nowMs = (run[now] as TCgmReading).measuredAtMs;
      if (nowMs - lastExampleMs < MIN_EXAMPLE_SPACING_MIN * MINUTE_MS) continue;
      // The truth is a real reading (never interpolated) within the grid tolerance of now + 30 min, in
      // the same run: no gap and no sensor change between the forecast and what it is judged against.
      while (target < run.length && (run[target] as TCgmReading).measuredAtMs < nowMs + horizonMs - toleranceMs) target += 1;
      let best = -1;
      for (let index = target; index < run.length && (run[index] as TCgmReading).measuredAtMs <= nowMs + horizonMs + toleranceMs; index += 1) {
        if (best < 0 || Math.abs((run[index] as TCgmReading).measuredAtMs - nowMs - horizonMs) < Math.abs((run[best] as TCgmReading).measuredAtMs - nowMs - horizonMs)) best = index;
      }
      if (best < 0) continue;
      while ((run[firstInWindow] as TCgmReading).measuredAtMs <= nowMs - FETCHED_HISTORY_MIN * MINUTE_MS) firstInWindow += 1;
      const points: TReadingPoint[] = [];
      for (let index = now; index >= firstInWindow; index -= 1) points.push({ atMs: (run[index] as TCgmReading).measuredAtMs, mgDl: (run[index] as TCgmReading).glucoseMgDl });
      const aligned = alignPointsToGrid({ points, nowMs });
      if ("error" in aligned) continue;
      const truth = run[best] as TCgmReading;
      examples.push({ input: { readingsMgDl: aligned.readingsMgDl, ...NO_EVENTS }, targetMgDl: truth.glucoseMgDl, atMs: nowMs, targetAtMs: truth.measuredAtMs });
      lastExampleMs = nowMs;
    }
  }
  return examples;
}

/** The median time between readings, rounded to the minute: 5 for Dexcom-like devices, 15 for Libre's history. */
export function getMedianReadingIntervalMin(readings: readonly TCgmReading[]): number {
  const intervals: number[] = [];
  for (let index = 1; index < readings.length; index += 1) intervals.push(((readings[index] as TCgmReading).measuredAtMs - (readings[index - 1] as TCgmReading).measuredAtMs) / MINUTE_MS);
  if (intervals.length === 0) return 0;
  intervals.sort((a, b) => a - b);
  return Math.round(intervals[Math.floor(intervals.length / 2)] as number);
}
