import * as tf from "@tensorflow/tfjs";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import type { TEcgDataset } from "./ecg-dataset";

/** Model inputs [signal, rrFeatures] for the given rows; the caller disposes the two tensors. */
export function makeEcgBatch(options: { dataset: TEcgDataset; indexes: ArrayLike<number> }): { inputs: [tf.Tensor3D, tf.Tensor2D]; labels: Int32Array } {
  const { dataset, indexes } = options;
  const size = indexes.length;
  const signals = new Float32Array(size * MODEL_INPUT_LENGTH);
  const rr = new Float32Array(size * RR_FEATURE_COUNT);
  const labels = new Int32Array(size);
  for (let row = 0; row < size; row += 1) {
    const index = indexes[row] as number;
    signals.set(dataset.signals.subarray(index * MODEL_INPUT_LENGTH, (index + 1) * MODEL_INPUT_LENGTH), row * MODEL_INPUT_LENGTH);
    rr.set(dataset.rrFeatures.subarray(index * RR_FEATURE_COUNT, (index + 1) * RR_FEATURE_COUNT), row * RR_FEATURE_COUNT);
    labels[row] = dataset.labels[index] as number;
  }
  return {
    inputs: [tf.tensor3d(signals, [size, MODEL_INPUT_LENGTH, 1]), tf.tensor2d(rr, [size, RR_FEATURE_COUNT])],
    labels,
  };
}
