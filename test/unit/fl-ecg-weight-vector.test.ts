// The flat weight vector federated rounds exchange: the training form's vector is byte for byte the
// served artifact's weights.bin, and the committed weights.bin loaded into a training-form model
// classifies strips as the served model does.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildEcgModel, copyTrainingWeights } from "@/lib/detect/ecg/build-ecg-model";
import { loadEcgModel } from "@/lib/detect/ecg/load-ecg-model";
import { generateEcgDataset, getEcgWeightVector, makeEcgBatch, makeStripSpecs, predictEcgClasses, setEcgWeightVector } from "@/lib/detect/ecg/train";
import { useWasmBackend } from "@/lib/detect/ecg/use-wasm-backend";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "@/lib/detect/ecg/ecg-input-spec";

const ARTIFACT_DIR = path.resolve(import.meta.dirname, "../../public/models/ecg-cnn");

async function saveWeightBytes(model: tf.LayersModel): Promise<Uint8Array> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  const data = saved!.weightData!;
  const buffers = Array.isArray(data) ? data : [data];
  return new Uint8Array(Buffer.concat(buffers.map((buffer) => Buffer.from(buffer))));
}

const float32Of = (bytes: Uint8Array) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

describe("ECG weight vector", () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("is the inference artifact's weights.bin, in its order, for a training-form model", async () => {
    const training = buildEcgModel({ form: "training", seed: 99 });
    // Make every weight distinct (biases start at zero), so an order mistake cannot hide.
    const distinct = Float32Array.from({ length: training.countParams() }, (_, index) => Math.sin(index + 1));
    setEcgWeightVector(training, distinct);
    const inference = buildEcgModel({ form: "inference", seed: 1 });
    copyTrainingWeights({ from: training, to: inference });
    const bytes = await saveWeightBytes(inference);
    const vector = getEcgWeightVector(training);
    expect(vector.length).toBe(training.countParams());
    expect(Buffer.from(vector.buffer).equals(Buffer.from(bytes))).toBe(true);
    expect(Array.from(getEcgWeightVector(inference))).toEqual(Array.from(vector));
    expect(() => setEcgWeightVector(training, new Float32Array(10))).toThrow(/10 values/);
    training.dispose();
    inference.dispose();
  });

  it("loads the committed weights.bin into a training-form model that classifies like the served model", async () => {
    const served = await loadEcgModel({ modelDir: ARTIFACT_DIR });
    const weightBytes = new Uint8Array(readFileSync(path.join(ARTIFACT_DIR, "weights.bin")));
    const training = buildEcgModel({ form: "training", seed: 5 });
    setEcgWeightVector(training, float32Of(weightBytes));
    expect(Buffer.from(getEcgWeightVector(training).buffer).equals(Buffer.from(weightBytes))).toBe(true);

    // Held-out-like strips: seeds, noise levels and a rate (360 Hz) train-ecg never trained on; 2 per class.
    const specs = makeStripSpecs({ perClass: 2, seedBase: 70_000_000, label: "weight-vector-test", noiseLevels: [0.05, 0.2, 0.4], sampleRatesHz: [250, 360], unreadableShare: 0 });
    const strips = await generateEcgDataset({ specs, workers: 0 });
    const predicted = predictEcgClasses({ model: training, dataset: strips });
    const { inputs } = makeEcgBatch({ dataset: strips, indexes: Array.from({ length: strips.count }, (_, index) => index) });
    const probabilities = tf.tidy(() => (training.predict(inputs) as tf.Tensor).arraySync() as number[][]);
    inputs.forEach((tensor) => tensor.dispose());
    for (let row = 0; row < strips.count; row += 1) {
      const servedProbabilities = served.predict(
        strips.signals.slice(row * MODEL_INPUT_LENGTH, (row + 1) * MODEL_INPUT_LENGTH),
        strips.rrFeatures.slice(row * RR_FEATURE_COUNT, (row + 1) * RR_FEATURE_COUNT),
      );
      servedProbabilities.forEach((value, column) => expect(Math.abs(value - probabilities[row]![column]!)).toBeLessThan(1e-4));
      expect(predicted[row]).toBe(servedProbabilities.indexOf(Math.max(...servedProbabilities)));
    }
    // And it is the trained model, not noise: nearly all of these are right.
    const correct = Array.from(predicted).filter((value, row) => value === strips.labels[row]).length;
    expect(correct).toBeGreaterThanOrEqual(strips.count - 1);
    training.dispose();
    served.dispose();
  });
});
