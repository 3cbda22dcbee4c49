import { ECG_MODEL_STAGES } from "../build-ecg-model";

/**
 * The layers holding weights, in the order of the served model.json's weightsManifest (and so of
 * weights.bin): each layer's kernel, then its bias. A training-form dense kernel [k * c, f] and the
 * inference-form conv kernel [k, c, f] have the same row-major memory layout, so one flat vector
 * serves both forms.
 */
export const ECG_WEIGHT_LAYER_NAMES: readonly string[] = [...ECG_MODEL_STAGES.map((_, index) => `stage${index + 1}`), "head_hidden", "head_output"];
