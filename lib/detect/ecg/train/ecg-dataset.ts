import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";

/** Preprocessed strips, row-major: row i is signals[i * MODEL_INPUT_LENGTH ...], rrFeatures[i * RR_FEATURE_COUNT ...], labels[i] (ECG_RHYTHMS index). */
export type TEcgDataset = { count: number; signals: Float32Array; rrFeatures: Float32Array; labels: Int32Array };

export function createEcgDataset(count: number): TEcgDataset {
  return { count, signals: new Float32Array(count * MODEL_INPUT_LENGTH), rrFeatures: new Float32Array(count * RR_FEATURE_COUNT), labels: new Int32Array(count) };
}
