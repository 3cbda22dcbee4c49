// Tier 2 as the cascade sees it: the classifier's result for one strip (lib/detect/ecg/ecg-classes.ts,
// which is pure: the policy does not depend on tfjs).
import type { TEcgClassification, TEcgLabel } from "../ecg/ecg-classes";
import type { TScreenCondition } from "../screen/screen-model";

export type { TEcgClass, TEcgClassification, TEcgLabel } from "../ecg/ecg-classes";

export type TEcgClassifier = {
  classify(input: { samples: Float32Array; sampleRateHz: number }): Promise<TEcgClassification>;
  close(): Promise<void>;
};

/**
 * The clinical condition a label confirms; null for normal sinus rhythm and noise. "other_rhythm" is
 * abnormal but names no condition the screen watches for: judgeEcgResult treats it on its own.
 */
export const ECG_LABEL_CONDITION: Record<TEcgLabel, TScreenCondition | null> = {
  normal_sinus: null,
  noise: null,
  other_rhythm: null,
  tachycardia: "tachycardia_rest",
  bradycardia: "bradycardia",
  atrial_fibrillation: "afib",
  ventricular_ectopy: "ectopic_burst",
};
