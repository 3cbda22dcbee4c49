// RMSE at 30 min of the model and of the two baselines on the same examples. Squared errors are summed
// per group (a subject, a dataset, a split) and turned into metrics at the end, so a cohort of 10^6
// real examples is scored without holding the examples.
import { forecastAr2, forecastLastValue } from "./baselines";
import { clampGlucoseMgDl, computeForecastFeatures, FEATURE_COUNT } from "./features";
import type { TForecastExample } from "./create-forecast-examples";
import { predictGlucoseLinear, type TForecastWeights } from "./linear-model";

export type TForecastMetrics = { examples: number; rmseModelMgDl: number; rmseLastValueMgDl: number; rmseAr2MgDl: number; improvementOverAr2: number };
export type TForecastErrorSums = { examples: number; model: number; lastValue: number; ar2: number };

export function evaluateForecasts(options: { weights: TForecastWeights; examples: readonly TForecastExample[] }): TForecastMetrics {
  const sums = createErrorSums();
  for (const example of options.examples) {
    // Shown to the patient clamped to the CGM range, like the baselines.
    const predicted = clampGlucoseMgDl(predictGlucoseLinear(options.weights, computeForecastFeatures(example.input)));
    sums.examples += 1;
    sums.model += (predicted - example.targetMgDl) ** 2;
    sums.lastValue += (forecastLastValue(example.input.readingsMgDl) - example.targetMgDl) ** 2;
    sums.ar2 += (forecastAr2(example.input.readingsMgDl) - example.targetMgDl) ** 2;
  }
  return toForecastMetrics(sums);
}

export function createErrorSums(): TForecastErrorSums {
  return { examples: 0, model: 0, lastValue: 0, ar2: 0 };
}

export function addErrorSums(into: TForecastErrorSums, from: TForecastErrorSums): TForecastErrorSums {
  into.examples += from.examples;
  into.model += from.model;
  into.lastValue += from.lastValue;
  into.ar2 += from.ar2;
  return into;
}

export function toForecastMetrics(sums: TForecastErrorSums): TForecastMetrics {
  const rmse = (sum: number) => Math.sqrt(sum / sums.examples);
  return {
    examples: sums.examples,
    rmseModelMgDl: rmse(sums.model),
    rmseLastValueMgDl: rmse(sums.lastValue),
    rmseAr2MgDl: rmse(sums.ar2),
    improvementOverAr2: 1 - rmse(sums.model) / rmse(sums.ar2),
  };
}

/** Feature rows (row-major, FEATURE_COUNT wide) and their targets, as computed once from examples. */
export type TForecastTable = { count: number; features: Float64Array; targets: Float64Array };

export function createForecastTable(examples: readonly TForecastExample[]): TForecastTable {
  const features = new Float64Array(examples.length * FEATURE_COUNT);
  const targets = new Float64Array(examples.length);
  examples.forEach((example, index) => {
    features.set(computeForecastFeatures(example.input), index * FEATURE_COUNT);
    targets[index] = example.targetMgDl;
  });
  return { count: examples.length, features, targets };
}

export function concatForecastTables(tables: readonly TForecastTable[]): TForecastTable {
  const count = tables.reduce((sum, table) => sum + table.count, 0);
  const features = new Float64Array(count * FEATURE_COUNT);
  const targets = new Float64Array(count);
  let offset = 0;
  for (const table of tables) {
    features.set(table.features.subarray(0, table.count * FEATURE_COUNT), offset * FEATURE_COUNT);
    targets.set(table.targets.subarray(0, table.count), offset);
    offset += table.count;
  }
  return { count, features, targets };
}

/** The same sums as evaluateForecasts, from precomputed features (the last two readings are in them). */
export function scoreForecastTable(options: { weights: TForecastWeights; table: TForecastTable }): TForecastErrorSums {
  const { weights, table } = options;
  const sums = createErrorSums();
  for (let row = 0; row < table.count; row += 1) {
    const features = table.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT);
    const target = table.targets[row] as number;
    // features[0] is the latest reading and features[1] the 5-min delta (features.ts).
    const latest = features[0] as number;
    const previous = latest - (features[1] as number);
    sums.examples += 1;
    sums.model += (clampGlucoseMgDl(predictGlucoseLinear(weights, features)) - target) ** 2;
    sums.lastValue += (latest - target) ** 2;
    sums.ar2 += (forecastAr2([latest, previous]) - target) ** 2;
  }
  return sums;
}
