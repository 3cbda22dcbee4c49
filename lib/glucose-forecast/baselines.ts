// The two forecasts a person with diabetes already knows, as baselines for the model.
import { clampGlucoseMgDl, FORECAST_HORIZON_MIN, READING_INTERVAL_MIN } from "./features";

/** "It stays where it is": the latest reading. */
export function forecastLastValue(readingsMgDl: readonly number[]): number {
  return readingsMgDl[0] as number;
}

// Nightscout's AR2 plugin (lib/plugins/ar2.js): a second-order autoregressive model of log(BG / 140)
// fitted on CGM data, stepped every 5 min from the last two readings, clipped to 36..400 mg/dL.
const AR2_BG_REF_MG_DL = 140;
const AR2_BG_MIN_MG_DL = 36;
const AR2_BG_MAX_MG_DL = 400;
const AR2_COEFFICIENTS = [-0.723, 1.716] as const;

/** Nightscout's AR2 forecast `horizonMin` ahead from readings newest first (5 min apart). */
export function forecastAr2(readingsMgDl: readonly number[], horizonMin = FORECAST_HORIZON_MIN): number {
  let previous = Math.log((readingsMgDl[1] as number) / AR2_BG_REF_MG_DL);
  let current = Math.log((readingsMgDl[0] as number) / AR2_BG_REF_MG_DL);
  for (let step = 0; step < horizonMin / READING_INTERVAL_MIN; step += 1) {
    const next = AR2_COEFFICIENTS[0] * previous + AR2_COEFFICIENTS[1] * current;
    previous = current;
    current = next;
  }
  const mgDl = Math.min(AR2_BG_MAX_MG_DL, Math.max(AR2_BG_MIN_MG_DL, AR2_BG_REF_MG_DL * Math.exp(current)));
  return clampGlucoseMgDl(mgDl);
}
