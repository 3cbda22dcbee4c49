import * as tf from "@tensorflow/tfjs";
import type { TEcgDataset } from "./ecg-dataset";
import { makeEcgBatch } from "./make-ecg-batch";

const PREDICT_BATCH_SIZE = 128;

/** argmax class (ECG_RHYTHMS index) of the given rows (default all), either model form. */
export function predictEcgClasses(options: { model: tf.LayersModel; dataset: TEcgDataset; indexes?: ArrayLike<number> }): Int32Array {
  const { model, dataset } = options;
  const indexes = options.indexes ?? Array.from({ length: dataset.count }, (_, index) => index);
  const predicted = new Int32Array(indexes.length);
  for (let start = 0; start < indexes.length; start += PREDICT_BATCH_SIZE) {
    const slice = Array.prototype.slice.call(indexes, start, start + PREDICT_BATCH_SIZE) as number[];
    const { inputs } = makeEcgBatch({ dataset, indexes: slice });
    const classes = tf.tidy(() => (model.predict(inputs) as tf.Tensor).argMax(-1).dataSync());
    inputs.forEach((tensor) => tensor.dispose());
    predicted.set(classes, start);
  }
  return predicted;
}
