// Fits the linear forecast on simulated patients. The split is by patient: the patients a model is
// judged on (held out) were never seen in training, as a new user of the product would not be.
import { computeForecastFeatures, FEATURE_NAMES, FORECAST_HORIZON_MIN } from "./features";
import { createForecastExamples, type TForecastExample } from "./create-forecast-examples";
import { fitLeastSquares } from "./fit-least-squares";
import type { TForecastWeights } from "./linear-model";

/** Seeds of training and held-out patients never overlap: different prefixes. */
export const TRAINING_DATA = { seedPrefix: "glucose-forecast-train", patients: 40, days: 10 } as const;
export const HELD_OUT_DATA = { seedPrefix: "glucose-forecast-heldout", patients: 12, days: 10 } as const;

export function fitForecastWeights(options: { examples: readonly TForecastExample[]; version: string; ridge?: number }): TForecastWeights {
  const rows = options.examples.map((example) => computeForecastFeatures(example.input));
  const targets = options.examples.map((example) => example.targetMgDl);
  const { weights, bias } = fitLeastSquares({ rows, targets, ridge: options.ridge });
  return {
    model: "glucose-forecast-linear",
    version: options.version,
    horizonMin: FORECAST_HORIZON_MIN,
    featureNames: [...FEATURE_NAMES],
    weights,
    biasMgDl: bias,
  };
}

export function createTrainingExamples(): TForecastExample[] {
  return createForecastExamples(TRAINING_DATA);
}

export function createHeldOutExamples(): TForecastExample[] {
  return createForecastExamples(HELD_OUT_DATA);
}
