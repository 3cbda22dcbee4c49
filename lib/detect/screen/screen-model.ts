// The tier-1 model: a one-hidden-layer perceptron (tanh) over the standardised window features, with a
// softmax over "no clinical event" and the four clinical episode types. A few hundred weights: small
// enough to ship to a watch and to evaluate in well under a microsecond per sample.
import { z } from "zod";
import { SCREEN_FEATURE_NAMES } from "./create-screen-features";

/** Output classes, in the order of the model's output layer. */
export const SCREEN_CLASSES = ["none", "tachycardia_rest", "bradycardia", "afib", "ectopic_burst"] as const;
export type TScreenClass = (typeof SCREEN_CLASSES)[number];
export type TScreenCondition = Exclude<TScreenClass, "none">;
export const SCREEN_CONDITIONS = SCREEN_CLASSES.slice(1) as readonly TScreenCondition[];

const ZFiniteArray = z.array(z.number().finite());

export const ZWatchScreenWeightsSchema = z
  .strictObject({
    format: z.literal("pulseguard-watch-screen-mlp/1"),
    featureNames: z.array(z.string()),
    classes: z.array(z.string()),
    /** Standardisation: x' = (x - mean) / scale, per feature. */
    featureMean: ZFiniteArray,
    featureScale: ZFiniteArray,
    hiddenUnits: z.number().int().min(1).max(64),
    /** Row-major [hiddenUnits][features]. */
    hiddenWeights: ZFiniteArray,
    hiddenBias: ZFiniteArray,
    /** Row-major [classes][hiddenUnits]. */
    outputWeights: ZFiniteArray,
    outputBias: ZFiniteArray,
  })
  .superRefine((weights, context) => {
    const featureCount = SCREEN_FEATURE_NAMES.length;
    const classCount = SCREEN_CLASSES.length;
    const expect = (path: string, actual: number, wanted: number) => {
      if (actual !== wanted) context.addIssue({ code: "custom", path: [path], message: `expected ${wanted} values, got ${actual}` });
    };
    if (weights.featureNames.join(",") !== SCREEN_FEATURE_NAMES.join(",")) {
      context.addIssue({ code: "custom", path: ["featureNames"], message: `must be ${SCREEN_FEATURE_NAMES.join(",")} (this code's feature order)` });
    }
    if (weights.classes.join(",") !== SCREEN_CLASSES.join(",")) {
      context.addIssue({ code: "custom", path: ["classes"], message: `must be ${SCREEN_CLASSES.join(",")}` });
    }
    expect("featureMean", weights.featureMean.length, featureCount);
    expect("featureScale", weights.featureScale.length, featureCount);
    expect("hiddenWeights", weights.hiddenWeights.length, weights.hiddenUnits * featureCount);
    expect("hiddenBias", weights.hiddenBias.length, weights.hiddenUnits);
    expect("outputWeights", weights.outputWeights.length, classCount * weights.hiddenUnits);
    expect("outputBias", weights.outputBias.length, classCount);
  });
export type TWatchScreenWeights = z.infer<typeof ZWatchScreenWeightsSchema>;

export type TScreenModel = {
  /** Class probabilities into `out` (length SCREEN_CLASSES.length); returns `out`. */
  predict(features: ArrayLike<number>, out: Float64Array): Float64Array;
};

export function createScreenModel(weights: TWatchScreenWeights): TScreenModel {
  const featureCount = weights.featureMean.length;
  const hiddenCount = weights.hiddenUnits;
  const classCount = weights.outputBias.length;
  const mean = Float64Array.from(weights.featureMean);
  const inverseScale = Float64Array.from(weights.featureScale, (scale) => (scale > 0 ? 1 / scale : 0));
  const hiddenWeights = Float64Array.from(weights.hiddenWeights);
  const hiddenBias = Float64Array.from(weights.hiddenBias);
  const outputWeights = Float64Array.from(weights.outputWeights);
  const outputBias = Float64Array.from(weights.outputBias);
  const standardised = new Float64Array(featureCount);
  const hidden = new Float64Array(hiddenCount);

  return {
    predict(features, out) {
      for (let index = 0; index < featureCount; index += 1) standardised[index] = ((features[index] as number) - (mean[index] as number)) * (inverseScale[index] as number);
      for (let unit = 0; unit < hiddenCount; unit += 1) {
        let sum = hiddenBias[unit] as number;
        const row = unit * featureCount;
        for (let index = 0; index < featureCount; index += 1) sum += (hiddenWeights[row + index] as number) * (standardised[index] as number);
        hidden[unit] = Math.tanh(sum);
      }
      let maxLogit = Number.NEGATIVE_INFINITY;
      for (let klass = 0; klass < classCount; klass += 1) {
        let sum = outputBias[klass] as number;
        const row = klass * hiddenCount;
        for (let unit = 0; unit < hiddenCount; unit += 1) sum += (outputWeights[row + unit] as number) * (hidden[unit] as number);
        out[klass] = sum;
        if (sum > maxLogit) maxLogit = sum;
      }
      let total = 0;
      for (let klass = 0; klass < classCount; klass += 1) {
        const value = Math.exp((out[klass] as number) - maxLogit);
        out[klass] = value;
        total += value;
      }
      for (let klass = 0; klass < classCount; klass += 1) out[klass] = (out[klass] as number) / total;
      return out;
    },
  };
}
