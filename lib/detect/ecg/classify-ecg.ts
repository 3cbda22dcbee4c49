import { ECG_RHYTHMS, type TEcgRhythm } from "../../sim/ecg";
import type { TLoadedEcgModel } from "./load-ecg-model";
import { parseEcgInput } from "./parse-ecg-input";
import { preprocessEcgStrip } from "./preprocess-ecg-strip";

export type TEcgClassification = {
  label: TEcgRhythm;
  confidence: number;
  probabilities: Record<TEcgRhythm, number>;
  modelVersion: string;
};

/** Probabilities in ECG_RHYTHMS order to the classification (the most probable class wins). */
export function toEcgClassification(probabilities: ArrayLike<number>, modelVersion: string): TEcgClassification {
  let best = 0;
  const byRhythm = {} as Record<TEcgRhythm, number>;
  ECG_RHYTHMS.forEach((rhythm, index) => {
    const probability = probabilities[index] as number;
    byRhythm[rhythm] = probability;
    if (probability > (probabilities[best] as number)) best = index;
  });
  const label = ECG_RHYTHMS[best] as TEcgRhythm;
  return { label, confidence: byRhythm[label], probabilities: byRhythm, modelVersion };
}

/** Validates (AppError VALIDATION_FAILED), preprocesses and runs the model on one strip. */
export function classifyEcg(options: { loaded: TLoadedEcgModel; input: unknown }): TEcgClassification {
  const { loaded } = options;
  const input = parseEcgInput(options.input);
  const { signal, rrFeatures } = preprocessEcgStrip(input);
  return toEcgClassification(loaded.predict(signal, rrFeatures), loaded.modelVersion);
}
