// Training and evaluation examples from simulated patients: at every CGM reading with an hour of
// history and a reading 30 min later, the inputs the patient's client would have and the truth.
import { createGlucoseSimulation, type TGlucoseSimulation } from "../sim/glucose";
import { EVENT_LOOKBACK_MIN, FORECAST_HORIZON_MIN, HISTORY_READINGS, READING_INTERVAL_MIN, type TForecastInput } from "./features";

export type TForecastExample = {
  input: TForecastInput;
  /** The CGM reading 30 min later: what the patient will see, so what the forecast is judged against. */
  targetMgDl: number;
};

// Monday 2025-01-06 00:00 UTC: a fixed start keeps every run reproducible.
const START_EPOCH_MS = Date.UTC(2025, 0, 6);

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Examples at every reading of one simulation (sampled every `strideReadings` readings). */
export function createForecastExamplesFromSimulation(simulation: TGlucoseSimulation, strideReadings = 1): TForecastExample[] {
  const { readings, meals, insulin, exercise, patient } = simulation;
  const aheadReadings = FORECAST_HORIZON_MIN / READING_INTERVAL_MIN;
  // Therapy settings as the patient's clinic set them (estimates of the truth), within the input schema's range.
  const carbRatioGPerU = clamp(patient.carbRatioGPerU, 2, 50);
  const correctionFactorMgDlPerU = clamp(patient.correctionFactorMgDlPerU, 10, 300);
  const examples: TForecastExample[] = [];
  for (let index = HISTORY_READINGS - 1; index + aheadReadings < readings.length; index += strideReadings) {
    const nowMin = (readings[index] as { tMin: number }).tMin;
    const since = nowMin - EVENT_LOOKBACK_MIN;
    const readingsMgDl = Array.from({ length: HISTORY_READINGS }, (_, back) => (readings[index - back] as { glucoseMgDl: number }).glucoseMgDl);
    examples.push({
      input: {
        readingsMgDl,
        carbs: meals.filter((meal) => meal.atMin <= nowMin && meal.atMin >= since).map((meal) => ({ minutesAgo: nowMin - meal.atMin, grams: meal.carbsG })),
        insulin: insulin.filter((dose) => dose.atMin <= nowMin && dose.atMin >= since).map((dose) => ({ minutesAgo: nowMin - dose.atMin, units: dose.units })),
        exercise: exercise
          .filter((session) => session.atMin <= nowMin && session.atMin >= since)
          .map((session) => ({ minutesAgo: nowMin - session.atMin, durationMin: Math.min(session.durationMin, nowMin - session.atMin), intensity: session.intensity })),
        carbRatioGPerU,
        correctionFactorMgDlPerU,
      },
      targetMgDl: (readings[index + aheadReadings] as { glucoseMgDl: number }).glucoseMgDl,
    });
  }
  return examples;
}

/** Virtual patients named by seed label (`${prefix}-${i}`), each simulated for `days`. */
export function createForecastExamples(options: { seedPrefix: string; patients: number; days: number; strideReadings?: number }): TForecastExample[] {
  const examples: TForecastExample[] = [];
  for (let patient = 0; patient < options.patients; patient += 1) {
    const simulation = createGlucoseSimulation({ seed: `${options.seedPrefix}-${patient}`, startEpochMs: START_EPOCH_MS, days: options.days });
    examples.push(...createForecastExamplesFromSimulation(simulation, options.strideReadings));
  }
  return examples;
}
