// Tier 2 of the detection cascade: the ECG rhythm classifier (a small 1D-CNN in tfjs on the WASM
// backend, plus Pan-Tompkins RR features). Server-only.
export { ECG_CLASSES, ECG_LABELS, ZEcgClassSchema, ZEcgLabelSchema, type TEcgClass, type TEcgLabel } from "./ecg-classes";
export type { TEcgClassification } from "./classify-ecg";
export type { TEcgClassifier } from "./load-ecg-classifier";
export { loadEcgClassifier } from "./load-ecg-classifier";
export { createEcgClassifierPool } from "./create-ecg-classifier-pool";
export { ZEcgModelManifestSchema, type TEcgModelManifest } from "./ecg-model-manifest";
export { ZEcgInputSchema, parseEcgInput, type TEcgInput } from "./parse-ecg-input";
export { MODEL_DURATION_S, MODEL_INPUT_LENGTH, MODEL_SAMPLE_RATE_HZ } from "./ecg-input-spec";
