// The training loop shared by scripts/train-ecg.ts, the federated evaluation and a hospital's local
// update: Adam, seeded batch order, one learning rate per epoch, a progress callback per epoch. It runs
// on whatever backend is active; on the single-threaded WASM backend (useWasmBackend) the kernels are
// deterministic, so the same seed gives the same weights byte for byte.
import * as tf from "@tensorflow/tfjs";
import { ECG_CLASSES } from "../ecg-classes";
import type { TRng } from "../../../sim/rng";
import type { TEcgDataset } from "./ecg-dataset";
import { getCosineLearningRate } from "./get-cosine-learning-rate";
import { makeEcgBatch } from "./make-ecg-batch";
import { predictEcgClasses } from "./predict-ecg-classes";
import { shuffleIndexes } from "./shuffle-indexes";

export type TEcgEpochProgress = {
  /** 1-based. */
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  /** Accuracy on validationIndexes after the epoch; NaN without them. */
  validationAccuracy: number;
  learningRate: number;
  epochS: number;
  elapsedS: number;
  etaS: number;
};

export type TTrainEcgEpochsOptions = {
  /** A training-form model (buildEcgModel({ form: "training" })): the WASM backend has no conv backprop. */
  model: tf.LayersModel;
  dataset: TEcgDataset;
  /** Rows trained on; copied, then reshuffled every epoch with `rng`. */
  fittingIndexes: readonly number[];
  validationIndexes?: readonly number[];
  epochs: number;
  batchSize: number;
  baseLearningRate: number;
  /** "cosine": decay to a tenth over the epochs (getCosineLearningRate); "constant": baseLearningRate throughout. */
  schedule?: "cosine" | "constant";
  rng: TRng;
  /**
   * An Adam to continue (its moments carry over; the caller owns and disposes it), e.g. a federated site's
   * optimizer kept from round to round. Omitted: a fresh Adam, disposed at the end.
   */
  optimizer?: tf.AdamOptimizer;
  onEpoch?: (progress: TEcgEpochProgress) => void;
  /** Random shift, polarity and gain per strip (makeEcgBatch), drawn from `rng`; for real recordings. */
  augment?: boolean;
};

/**
 * Compiles the model with Adam (fresh unless given) and trains it in place. Batches are whole (the remainder of an
 * epoch is left for a later shuffle), so every step sees batchSize strips.
 */
export async function trainEcgEpochs(options: TTrainEcgEpochsOptions): Promise<TEcgEpochProgress[]> {
  const { model, dataset, epochs, batchSize, baseLearningRate } = options;
  const optimizer = options.optimizer ?? tf.train.adam(baseLearningRate);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const fitting = [...options.fittingIndexes];
  const history: TEcgEpochProgress[] = [];
  const startedAt = performance.now();
  try {
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      const learningRate = options.schedule === "constant" ? baseLearningRate : getCosineLearningRate({ baseLearningRate, epoch, epochs });
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
      shuffleIndexes(fitting, options.rng);
      let lossSum = 0;
      let accuracySum = 0;
      let batches = 0;
      const epochStartedAt = performance.now();
      for (let start = 0; start + batchSize <= fitting.length; start += batchSize) {
        const { inputs, labels } = makeEcgBatch({ dataset, indexes: fitting.slice(start, start + batchSize), ...(options.augment ? { augment: options.rng } : {}) });
        const target = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), ECG_CLASSES.length).toFloat());
        const [loss, accuracy] = (await model.trainOnBatch(inputs, target)) as number[];
        inputs.forEach((tensor) => tensor.dispose());
        target.dispose();
        lossSum += loss ?? Number.NaN;
        accuracySum += accuracy ?? Number.NaN;
        batches += 1;
      }
      let validationAccuracy = Number.NaN;
      const validation = options.validationIndexes;
      if (validation && validation.length > 0) {
        const predicted = predictEcgClasses({ model, dataset, indexes: validation });
        validationAccuracy = predicted.reduce((sum, value, index) => sum + (value === dataset.labels[validation[index]!] ? 1 : 0), 0) / validation.length;
      }
      const elapsedS = (performance.now() - startedAt) / 1000;
      const progress: TEcgEpochProgress = {
        epoch: epoch + 1,
        epochs,
        loss: lossSum / batches,
        accuracy: accuracySum / batches,
        validationAccuracy,
        learningRate,
        epochS: (performance.now() - epochStartedAt) / 1000,
        elapsedS,
        etaS: (elapsedS / (epoch + 1)) * (epochs - epoch - 1),
      };
      history.push(progress);
      options.onEpoch?.(progress);
    }
  } finally {
    // Adam's moment estimates are tensors the model does not own: free them, or every call leaks a model's worth.
    if (!options.optimizer) optimizer.dispose();
  }
  return history;
}
