// RMSE at 30 min of the model and of the two baselines on the same examples.
import { forecastAr2, forecastLastValue } from "./baselines";
import { clampGlucoseMgDl, computeForecastFeatures } from "./features";
import type { TForecastExample } from "./create-forecast-examples";
import { predictGlucoseLinear, type TForecastWeights } from "./linear-model";

export type TForecastMetrics = { examples: number; rmseModelMgDl: number; rmseLastValueMgDl: number; rmseAr2MgDl: number; improvementOverAr2: number };

export function evaluateForecasts(options: { weights: TForecastWeights; examples: readonly TForecastExample[] }): TForecastMetrics {
  let model = 0;
  let lastValue = 0;
  let ar2 = 0;
  for (const example of options.examples) {
    // Shown to the patient clamped to the CGM range, like the baselines.
    const predicted = clampGlucoseMgDl(predictGlucoseLinear(options.weights, computeForecastFeatures(example.input)));
    model += (predicted - example.targetMgDl) ** 2;
    lastValue += (forecastLastValue(example.input.readingsMgDl) - example.targetMgDl) ** 2;
    ar2 += (forecastAr2(example.input.readingsMgDl) - example.targetMgDl) ** 2;
  }
  const count = options.examples.length;
  const rmse = (sum: number) => Math.sqrt(sum / count);
  return {
    examples: count,
    rmseModelMgDl: rmse(model),
    rmseLastValueMgDl: rmse(lastValue),
    rmseAr2MgDl: rmse(ar2),
    improvementOverAr2: 1 - rmse(model) / rmse(ar2),
  };
}
