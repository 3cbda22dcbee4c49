import { ECG_CLASSES, pickEcgClass, toEcgLabel, type TEcgClass, type TEcgClassification } from "./ecg-classes";
import type { TLoadedEcgModel } from "./load-ecg-model";
import { parseEcgInput } from "./parse-ecg-input";
import { preprocessEcgStrip } from "./preprocess-ecg-strip";

export type { TEcgClassification } from "./ecg-classes";

/**
 * Probabilities in ECG_CLASSES order to the classification: the most probable class after the model's
 * decision offsets (log-probability offsets chosen on the validation split, see the manifest), named by
 * rate where the class is rate-defined.
 */
export function toEcgClassification(options: {
  probabilities: ArrayLike<number>;
  heartRateBpm: number | null;
  modelVersion: string;
  decisionOffsets?: Partial<Record<TEcgClass, number>>;
}): TEcgClassification {
  const { probabilities, heartRateBpm, modelVersion, decisionOffsets = {} } = options;
  const byClass = Object.fromEntries(ECG_CLASSES.map((ecgClass, index) => [ecgClass, probabilities[index] as number])) as Record<TEcgClass, number>;
  const best = pickEcgClass(probabilities, decisionOffsets);
  const roundedRate = heartRateBpm === null ? null : Math.round(heartRateBpm * 10) / 10;
  return { label: toEcgLabel(best, heartRateBpm), confidence: byClass[best], probabilities: byClass, heartRateBpm: roundedRate, modelVersion };
}

/** Validates (AppError VALIDATION_FAILED), preprocesses and runs the model on one strip. */
export function classifyEcg(options: { loaded: TLoadedEcgModel; input: unknown }): TEcgClassification {
  const { loaded } = options;
  const input = parseEcgInput(options.input);
  const { signal, rrFeatures, heartRateBpm } = preprocessEcgStrip(input);
  return toEcgClassification({ probabilities: loaded.predict(signal, rrFeatures), heartRateBpm, modelVersion: loaded.modelVersion, decisionOffsets: loaded.manifest.decisionOffsets });
}
