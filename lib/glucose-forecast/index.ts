// Pure forecasting code, safe for the browser; model-files.ts (node:fs) is imported directly by servers and scripts.
export { forecastAr2, forecastLastValue } from "./baselines";
export {
  clampGlucoseMgDl,
  computeForecastFeatures,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FORECAST_HORIZON_MIN,
  HISTORY_READINGS,
  READING_INTERVAL_MIN,
  ZForecastInputSchema,
  type TForecastInput,
} from "./features";
export { predictGlucoseLinear, ZForecastWeightsSchema, type TForecastWeights } from "./linear-model";
