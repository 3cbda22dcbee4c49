import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import type { TEcgDataset } from "./ecg-dataset";

/** Rows from..to-1 as a view (no copy). */
export function sliceEcgDataset(options: { dataset: TEcgDataset; from: number; to: number }): TEcgDataset {
  const { dataset, from, to } = options;
  return {
    count: to - from,
    signals: dataset.signals.subarray(from * MODEL_INPUT_LENGTH, to * MODEL_INPUT_LENGTH),
    rrFeatures: dataset.rrFeatures.subarray(from * RR_FEATURE_COUNT, to * RR_FEATURE_COUNT),
    labels: dataset.labels.subarray(from, to),
  };
}
