import type * as tf from "@tensorflow/tfjs";
import { ECG_WEIGHT_LAYER_NAMES } from "./ecg-weight-layout";

/**
 * Every weight of an ECG model (either form) as one float32 vector, in the byte order of the served
 * weights.bin: what a hospital trains from, and what federated rounds average.
 */
export function getEcgWeightVector(model: tf.LayersModel): Float32Array {
  const parts = ECG_WEIGHT_LAYER_NAMES.flatMap((name) => model.getLayer(name).getWeights().map((tensor) => tensor.dataSync() as Float32Array));
  const vector = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    vector.set(part, offset);
    offset += part.length;
  }
  return vector;
}
