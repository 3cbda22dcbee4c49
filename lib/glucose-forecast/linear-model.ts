// The forecasting model: a linear function of the features. Linear on purpose: under CKKS it costs one
// plaintext multiplication (one rescale) and a few slot rotations, so the server can evaluate it on
// encrypted features with small parameters (lib/he/params.ts).
import { z } from "zod";
import { FEATURE_COUNT, FEATURE_NAMES } from "./features";

export const ZForecastWeightsSchema = z.strictObject({
  model: z.literal("glucose-forecast-linear"),
  version: z.string().min(1),
  horizonMin: z.number().int().positive(),
  featureNames: z.array(z.string()).length(FEATURE_COUNT),
  weights: z.array(z.number().finite()).length(FEATURE_COUNT),
  biasMgDl: z.number().finite(),
});
export type TForecastWeights = z.infer<typeof ZForecastWeightsSchema>;

/** Weights whose feature order is not this code's would silently mis-forecast: refuse them. */
export function assertFeatureOrder(weights: TForecastWeights): void {
  const expected = FEATURE_NAMES.join(",");
  if (weights.featureNames.join(",") !== expected) throw new Error("forecast weights were trained on a different feature set");
}

/** The model in plaintext: bias + w . x, in mg/dL, unclamped (the encrypted path returns the same). */
export function predictGlucoseLinear(weights: TForecastWeights, features: ArrayLike<number>): number {
  let total = weights.biasMgDl;
  for (let index = 0; index < FEATURE_COUNT; index += 1) total += (weights.weights[index] as number) * (features[index] as number);
  return total;
}
