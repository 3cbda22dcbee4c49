// The forecast's inputs, as the patient's client computes them before encryption. Pure code shared by
// training (on simulated patients), the CLI, the browser panel and the evaluation script, so the
// features a model was trained on are exactly the ones it is later fed.
import { z } from "zod";

/**
 * 30 minutes ahead: long enough to act on a coming low or high (eat 15 g, delay a meal, take a walk),
 * short enough that a model over the last hour's readings and recent meals and doses stays accurate;
 * the horizon Nightscout's AR2 and most CGM "predicted low" alerts use.
 */
export const FORECAST_HORIZON_MIN = 30;
export const READING_INTERVAL_MIN = 5;
/** Readings the features look at: now and every 5 min back to 60 min ago. */
export const HISTORY_READINGS = 13;
/** Meals, doses and exercise older than this no longer act on glucose in the next 30 min (rapid insulin lasts ~4 h). */
export const EVENT_LOOKBACK_MIN = 240;
// A CGM reports 40..400 mg/dL; forecasts are shown in the same range.
export const MIN_GLUCOSE_MG_DL = 40;
export const MAX_GLUCOSE_MG_DL = 400;

/** Age windows in minutes: meals are grouped by how far along their absorption is. */
const CARB_WINDOWS_MIN: readonly (readonly [number, number])[] = [
  [0, 20],
  [20, 45],
  [45, 90],
  [90, 180],
];
/** Rapid-acting insulin starts within ~15 min, peaks at ~1 h and lasts ~4 h. */
const INSULIN_WINDOWS_MIN: readonly (readonly [number, number])[] = [
  [0, 30],
  [30, 60],
  [60, 120],
  [120, 240],
];

/**
 * The most a window of meals or doses can contribute, in mg/dL of expected effect. Three large meals
 * in 20 min at a carb ratio of 5 g/U and a correction factor of 100 mg/dL/U are ~1000 mg/dL; beyond that
 * an entry is a typo, and capping keeps every encrypted partial sum far inside the CKKS headroom
 * (lib/he/PARAMETERS.md).
 */
export const MAX_EVENT_EFFECT_MG_DL = 1000;

export const FEATURE_NAMES = [
  "glucoseMgDl",
  "delta5MinMgDl",
  "delta15MinMgDl",
  "delta30MinMgDl",
  "acceleration10MinMgDl",
  "delta60MinMgDl",
  "carbs0to20MinMgDl",
  "carbs20to45MinMgDl",
  "carbs45to90MinMgDl",
  "carbs90to180MinMgDl",
  "insulin0to30MinMgDl",
  "insulin30to60MinMgDl",
  "insulin60to120MinMgDl",
  "insulin120to240MinMgDl",
  "exerciseLast60Min",
  "exercise60to240Min",
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

export const ZForecastInputSchema = z.strictObject({
  /** CGM readings, newest first, every 5 min: [now, 5 min ago, ..., 60 min ago]. */
  readingsMgDl: z.array(z.number().min(MIN_GLUCOSE_MG_DL).max(MAX_GLUCOSE_MG_DL)).length(HISTORY_READINGS),
  carbs: z.array(z.strictObject({ minutesAgo: z.number().min(0).max(EVENT_LOOKBACK_MIN), grams: z.number().min(0).max(300) })).max(50).default([]),
  insulin: z.array(z.strictObject({ minutesAgo: z.number().min(0).max(EVENT_LOOKBACK_MIN), units: z.number().min(0).max(50) })).max(50).default([]),
  exercise: z
    .array(z.strictObject({ minutesAgo: z.number().min(0).max(EVENT_LOOKBACK_MIN), durationMin: z.number().min(0).max(EVENT_LOOKBACK_MIN), intensity: z.number().min(0).max(1) }))
    .max(20)
    .default([]),
  /**
   * The patient's own therapy settings, as their clinic set them. They turn grams and units into mg/dL
   * so one model serves patients whose sensitivity differs several-fold (as Loop and OpenAPS do).
   */
  carbRatioGPerU: z.number().min(2).max(50),
  correctionFactorMgDlPerU: z.number().min(10).max(300),
});
export type TForecastInput = z.input<typeof ZForecastInputSchema>;

function sumInWindow(events: readonly { minutesAgo: number; amount: number }[], [from, to]: readonly [number, number]): number {
  let total = 0;
  for (const event of events) if (event.minutesAgo >= from && event.minutesAgo < to) total += event.amount;
  return Math.min(MAX_EVENT_EFFECT_MG_DL, total);
}

/** Minutes of exercise (weighted by intensity 0..1) that fall in [fromMinAgo, toMinAgo), in hours. */
function exerciseHoursInWindow(sessions: readonly { minutesAgo: number; durationMin: number; intensity: number }[], fromMinAgo: number, toMinAgo: number): number {
  let total = 0;
  for (const session of sessions) {
    // A session that started minutesAgo and lasted durationMin covers ages [minutesAgo - durationMin, minutesAgo].
    const youngest = Math.max(0, session.minutesAgo - session.durationMin);
    const overlap = Math.min(toMinAgo, session.minutesAgo) - Math.max(fromMinAgo, youngest);
    if (overlap > 0) total += (overlap / 60) * session.intensity;
  }
  return total;
}

/** The model's feature vector (FEATURE_NAMES order); throws a ZodError on out-of-range input. */
export function computeForecastFeatures(input: TForecastInput): Float64Array {
  const parsed = ZForecastInputSchema.parse(input);
  const g = parsed.readingsMgDl;
  const at = (index: number) => g[index] as number;
  const carbEffectMgDlPerG = parsed.correctionFactorMgDlPerU / parsed.carbRatioGPerU;
  const carbs = parsed.carbs.map((meal) => ({ minutesAgo: meal.minutesAgo, amount: meal.grams * carbEffectMgDlPerG }));
  const insulin = parsed.insulin.map((dose) => ({ minutesAgo: dose.minutesAgo, amount: dose.units * parsed.correctionFactorMgDlPerU }));
  const features = new Float64Array(FEATURE_COUNT);
  features.set([
    at(0),
    at(0) - at(1),
    at(0) - at(3),
    at(0) - at(6),
    at(0) - 2 * at(2) + at(4),
    at(0) - at(12),
    ...CARB_WINDOWS_MIN.map((window) => sumInWindow(carbs, window)),
    ...INSULIN_WINDOWS_MIN.map((window) => sumInWindow(insulin, window)),
    exerciseHoursInWindow(parsed.exercise, 0, 60),
    exerciseHoursInWindow(parsed.exercise, 60, EVENT_LOOKBACK_MIN),
  ]);
  return features;
}

export function clampGlucoseMgDl(value: number): number {
  return Math.min(MAX_GLUCOSE_MG_DL, Math.max(MIN_GLUCOSE_MG_DL, value));
}
