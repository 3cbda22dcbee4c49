import * as tf from "@tensorflow/tfjs";
import type { TRng } from "../../../sim/rng";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import type { TEcgDataset } from "./ecg-dataset";

// Training-time augmentation (real recordings): the patch convolutions (kernel = stride) are not shift-
// invariant by construction, and a fixed set of real strips is memorised within a few epochs; a random
// circular shift of up to one final patch (3 s), a random polarity (hand-held leads are recorded both ways
// round) and a random gain of +-20 % make every epoch see new inputs. The RR features do not change with
// any of them.
const MAX_SHIFT = 375;
const GAIN_RANGE = 0.2;

/** Model inputs [signal, rrFeatures] for the given rows; the caller disposes the two tensors. `augment`: random shift, polarity and gain per row. */
export function makeEcgBatch(options: { dataset: TEcgDataset; indexes: ArrayLike<number>; augment?: TRng }): { inputs: [tf.Tensor3D, tf.Tensor2D]; labels: Int32Array } {
  const { dataset, indexes, augment } = options;
  const size = indexes.length;
  const signals = new Float32Array(size * MODEL_INPUT_LENGTH);
  const rr = new Float32Array(size * RR_FEATURE_COUNT);
  const labels = new Int32Array(size);
  for (let row = 0; row < size; row += 1) {
    const index = indexes[row] as number;
    const source = dataset.signals.subarray(index * MODEL_INPUT_LENGTH, (index + 1) * MODEL_INPUT_LENGTH);
    if (augment) {
      const shift = augment.int(0, MAX_SHIFT - 1);
      const factor = (augment.next() < 0.5 ? -1 : 1) * augment.uniform(1 - GAIN_RANGE, 1 + GAIN_RANGE);
      const offset = row * MODEL_INPUT_LENGTH;
      for (let sample = 0; sample < MODEL_INPUT_LENGTH; sample += 1) signals[offset + ((sample + shift) % MODEL_INPUT_LENGTH)] = (source[sample] as number) * factor;
    } else {
      signals.set(source, row * MODEL_INPUT_LENGTH);
    }
    rr.set(dataset.rrFeatures.subarray(index * RR_FEATURE_COUNT, (index + 1) * RR_FEATURE_COUNT), row * RR_FEATURE_COUNT);
    labels[row] = dataset.labels[index] as number;
  }
  return {
    inputs: [tf.tensor3d(signals, [size, MODEL_INPUT_LENGTH, 1]), tf.tensor2d(rr, [size, RR_FEATURE_COUNT])],
    labels,
  };
}
