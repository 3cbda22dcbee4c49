// Server-only (tfjs, WASM backend). A hospital's side of one federated round, before secure aggregation:
// start from the global weights, train on its own strips, and report the update (local minus global)
// and the locally trained model's confusion on its own validation split, which leaves the site only in
// the masked vector (lib/fl/update-vector.ts) and so only ever in aggregate.
import type * as tf from "@tensorflow/tfjs";
import { buildEcgModel } from "../detect/ecg/build-ecg-model";
import { getEcgWeightVector, predictEcgClasses, scoreEcgClassification, setEcgWeightVector, trainEcgEpochs, type TEcgDataset, type TEcgEpochProgress } from "../detect/ecg/train";
import { useWasmBackend } from "../detect/ecg/use-wasm-backend";
import { AppError } from "../errors/app-error";
import { createRng } from "../sim/rng";

export type TTrainLocalUpdateOptions = {
  /** The round's global model, getEcgWeightVector order (= weights.bin). */
  globalWeights: Float32Array;
  train: TEcgDataset;
  validation: TEcgDataset;
  localEpochs: number;
  /**
   * Constant within the round: the server schedules the rate across rounds (the federated evaluation
   * passes the cosine schedule's value for the round, so local epochs follow the same curve as
   * centralized training).
   */
  learningRate: number;
  batchSize: number;
  /** Seeds the batch order (use a different one every round). */
  seed: number | string;
  /**
   * The site's Adam, kept from round to round (cross-silo sites take part in every round): its moment
   * estimates carry over, so each round's first steps are not Adam's sign-like restarts, which do not
   * average like gradients. Omitted: a fresh Adam per round. The caller owns and disposes it.
   */
  optimizer?: tf.AdamOptimizer;
  onProgress?: (progress: TEcgEpochProgress) => void;
};

export type TLocalUpdate = {
  weights: Float32Array;
  /** weights - globalWeights. */
  delta: Float32Array;
  /** Training strips (FedAvg weight, capped by sampleCap in encodeUpdateVector). */
  sampleCount: number;
  /** Rows: true class, columns: predicted, ECG_CLASSES order; the locally trained model on the site's validation split. */
  validationConfusion: number[][];
};

export async function trainLocalUpdate(options: TTrainLocalUpdateOptions): Promise<TLocalUpdate> {
  const { globalWeights, train, validation } = options;
  if (train.count < 1 || validation.count < 1) throw new AppError("BAD_REQUEST", { message: "a local update needs training and validation strips" });
  await useWasmBackend();
  // The initialiser seed does not matter: every weight is overwritten with the global ones.
  const model = buildEcgModel({ form: "training", seed: 1 });
  try {
    setEcgWeightVector(model, globalWeights);
    await trainEcgEpochs({
      model,
      dataset: train,
      fittingIndexes: Array.from({ length: train.count }, (_, index) => index),
      epochs: options.localEpochs,
      // A site smaller than a batch still trains (one smaller batch) rather than not at all.
      batchSize: Math.min(options.batchSize, train.count),
      baseLearningRate: options.learningRate,
      schedule: "constant",
      rng: createRng(`fl-local/${options.seed}`),
      optimizer: options.optimizer,
      onEpoch: options.onProgress,
    });
    const weights = getEcgWeightVector(model);
    const delta = new Float32Array(weights.length);
    for (let index = 0; index < weights.length; index += 1) delta[index] = weights[index]! - globalWeights[index]!;
    const score = scoreEcgClassification({ truth: validation.labels, predicted: predictEcgClasses({ model, dataset: validation }) });
    return { weights, delta, sampleCount: train.count, validationConfusion: score.confusionMatrix };
  } finally {
    // The model's variables and Adam's moments (freed by trainEcgEpochs) are all this call allocates:
    // a hospital process runs round after round without growing (test/unit/fl-train-local-update.test.ts).
    model.dispose();
  }
}
