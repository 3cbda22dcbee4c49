// Tier 2 as the cascade sees it: the classifier's result for one strip. Declared here, structurally
// identical to lib/detect/ecg's TEcgClassification, so the policy does not depend on tfjs.
import type { TEcgRhythm } from "../../sim/ecg-rhythms";
import type { TScreenCondition } from "../screen/screen-model";

export type { TEcgRhythm } from "../../sim/ecg-rhythms";

export type TEcgClassification = {
  label: TEcgRhythm;
  confidence: number;
  probabilities: Record<TEcgRhythm, number>;
  modelVersion: string;
};

export type TEcgClassifier = {
  classify(input: { samples: Float32Array; sampleRateHz: number }): Promise<TEcgClassification>;
  close(): Promise<void>;
};

/** The clinical condition an abnormal rhythm confirms; null for normal sinus rhythm and noise. */
export const ECG_RHYTHM_CONDITION: Record<TEcgRhythm, TScreenCondition | null> = {
  normal_sinus: null,
  noise: null,
  tachycardia: "tachycardia_rest",
  bradycardia: "bradycardia",
  atrial_fibrillation: "afib",
  ventricular_ectopy: "ectopic_burst",
};
